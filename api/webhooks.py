"""Webhook subscriptions of the calling partner, and their recent deliveries. See docs/webhooks.md."""

from datetime import datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from api.auth import request_partner, scoped
from api.idempotency import idempotent_response
from api.schemas import AUTH_ERRORS
from core.errors import NotFound
from webhooks.models import DeliveryStatus, EventType, WebhookDelivery, WebhookSubscription
from webhooks.selectors import partner_subscription_get, partner_subscriptions, subscription_deliveries
from webhooks.services import webhook_subscription_create, webhook_subscription_deactivate

router = Router(tags=["webhooks"], auth=scoped("webhooks:manage"))

EventTypeName = Literal[tuple(EventType.values)]  # type: ignore[valid-type]


class SubscriptionIn(Schema):
    url: str = Field(..., max_length=500, description="https URL that receives the events (POST, JSON)")
    event_types: list[EventTypeName] = Field(default_factory=list, description="Empty: every event type")
    description: str = Field("", max_length=200)


class SubscriptionOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    is_active: bool
    created_at: datetime
    deactivated_at: datetime | None


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str = Field(..., description="Signs every request (Vouch-Signature). Shown in this response only.")


class DeliveryOut(Schema):
    id: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    delivered_at: datetime | None
    created_at: datetime


class DeliveryParams(Schema):
    limit: int = Field(50, ge=1, le=200)


def _subscription_out(subscription: WebhookSubscription) -> dict:
    return {name: getattr(subscription, name) for name in SubscriptionOut.model_fields}


def _delivery_out(delivery: WebhookDelivery) -> dict:
    return {
        "id": delivery.pk,
        "event_id": delivery.event.public_id,
        "event_type": delivery.event.type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at if delivery.status == DeliveryStatus.PENDING else None,
        "last_attempt_at": delivery.last_attempt_at,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "delivered_at": delivery.delivered_at,
        "created_at": delivery.created_at,
    }


def _own_subscription(request, subscription_id: int) -> WebhookSubscription:
    subscription = partner_subscription_get(partner=request_partner(request), subscription_id=subscription_id)
    if subscription is None:
        raise NotFound(
            _("No webhook subscription with this id."), code="subscription_not_found", details={"id": subscription_id}
        )
    return subscription


@router.post(
    "/webhooks/subscriptions",
    response={201: SubscriptionCreatedOut, **AUTH_ERRORS},
    summary="Subscribe a URL to events (the response carries the signing secret, once)",
)
def subscription_create(request, payload: SubscriptionIn):

    def work():
        subscription = webhook_subscription_create(
            partner=request_partner(request),
            url=payload.url,
            event_types=list(payload.event_types),
            description=payload.description,
        )
        return 201, SubscriptionCreatedOut(**_subscription_out(subscription), secret=subscription.secret)

    return idempotent_response(request, work)


@router.get(
    "/webhooks/subscriptions",
    response={200: list[SubscriptionOut], **AUTH_ERRORS},
    summary="The partner's webhook subscriptions (without their secrets)",
)
def subscription_list(request):
    return [_subscription_out(s) for s in partner_subscriptions(partner=request_partner(request))]


@router.get(
    "/webhooks/subscriptions/{subscription_id}",
    response={200: SubscriptionOut, **AUTH_ERRORS},
    summary="One webhook subscription (without its secret)",
)
def subscription_get(request, subscription_id: int):
    return _subscription_out(_own_subscription(request, subscription_id))


@router.delete(
    "/webhooks/subscriptions/{subscription_id}",
    response={204: None, **AUTH_ERRORS},
    summary="Stop a subscription (deliveries still waiting stop; the log is kept)",
)
def subscription_delete(request, subscription_id: int):
    subscription = _own_subscription(request, subscription_id)
    webhook_subscription_deactivate(subscription=subscription, actor_label=f"api_key:{request.auth.prefix}")
    return Status(204, None)


@router.get(
    "/webhooks/subscriptions/{subscription_id}/deliveries",
    response={200: list[DeliveryOut], **AUTH_ERRORS},
    summary="Recent deliveries of a subscription, newest first",
)
def subscription_delivery_list(request, subscription_id: int, params: Query[DeliveryParams]):
    subscription = _own_subscription(request, subscription_id)
    return [_delivery_out(d) for d in subscription_deliveries(subscription=subscription, limit=params.limit)]
