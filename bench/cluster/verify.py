"""The cluster check's reading of the database (run with `manage.py shell -c`; prints one JSON line)."""

VERIFY_SCRIPT = """
import hashlib, json
from django.db.models import Count
from core.models import AuditEntry
from coupons.models import Coupon
from notifications.models import OutboxEmail
from verification.documents import document_open
from verification.models import Document
from webhooks.models import WebhookDelivery, WebhookEvent

readable = 0
for document in Document.objects.all():
    with document_open(document=document) as handle:
        readable += hashlib.sha256(handle.read()).hexdigest() == document.sha256
twice = (AuditEntry.objects.filter(action="coupon.redeemed").values("object_id").annotate(n=Count("pk"))
         .filter(n__gt=1).count())
print(json.dumps({
    "outbox_total": OutboxEmail.objects.count(),
    "outbox_pending": OutboxEmail.objects.exclude(state="sent").count(),
    "redeemed": Coupon.objects.filter(state="redeemed").count(),
    "double_redemptions": twice,
    "documents_total": Document.objects.count(),
    "documents_readable": readable,
    "webhook_events": WebhookEvent.objects.filter(deliveries__isnull=False).distinct().count(),
    "webhooks_pending": WebhookDelivery.objects.exclude(status="succeeded").count(),
}))
"""
