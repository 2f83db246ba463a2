from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from core.events import event_subscribe
        from verification.events import PartnerEvent
        from webhooks.services import webhook_event_record

        event_subscribe(PartnerEvent, webhook_event_record)
