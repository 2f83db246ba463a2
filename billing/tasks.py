"""Periodic billing tasks (django.tasks; scheduled in vouch/schedule.py, run by the worker)."""

from dataclasses import asdict

from django.tasks import task
from django.utils import timezone

from billing.legacy import legacy_discount_notices_send
from billing.subscriptions import subscriptions_renew_due
from billing.tax_exemptions import tax_certificates_rejected_prune


@task
def renew_subscriptions() -> dict:
    """Renew (or end) the subscriptions whose period has ended; each period once, even beside a copy of itself."""
    result = subscriptions_renew_due(now=timezone.now())
    return {
        "due": result["due"],
        "renewed": result["renewed"],
        "ended": result["ended"],
        "invoices": len(result["invoices"]),
        "failed": result["failed"],
    }


@task
def send_legacy_discount_notices() -> dict:
    """Queue the "your previous discount ends" email, once per term."""
    return asdict(legacy_discount_notices_send(now=timezone.now()))


@task
def tax_certificates_rejected_prune_task() -> int:
    """Daily: delete the certificates of tax-exemption requests rejected longer ago than
    REJECTED_UPLOAD_RETENTION_DAYS (billing.tax_exemptions.tax_certificates_rejected_prune)."""

    return tax_certificates_rejected_prune()
