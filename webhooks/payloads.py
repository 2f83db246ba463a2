"""The payload partners receive for an event. What each event's `data` holds is built where the event is known
(verification.partner_events)."""

from webhooks.models import WebhookEvent


def event_payload(event: WebhookEvent) -> dict:
    return {"id": event.public_id, "type": event.type, "created_at": event.created_at.isoformat(), "data": event.data}
