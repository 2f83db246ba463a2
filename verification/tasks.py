"""Periodic verification tasks (django.tasks; scheduled in vouch/schedule.py, run by the worker)."""

import logging
from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from core.scheduling import lease_held
from verification.documents import documents_rejected_prune
from verification.reverification import coupons_reverify, reverification_summary
from verification.services import application_expire

logger = logging.getLogger(__name__)
REVERIFY_LEASE = timedelta(hours=2)  # longer than a run over every live coupon takes


@task
def expire_applications() -> dict:
    """Remind applications a week before they expire, then expire them (each once, even beside a copy of itself)."""
    return application_expire(now=timezone.now())


@task
def reverify_coupons() -> dict:
    """Re-check the organisation of every live coupon (flags, unflags, status changes): `manage.py
    reverify_coupons` without its per-coupon report, whose changes are logged here instead. One run at a time: two
    copies could both announce the same registry status change."""
    with lease_held("reverify_coupons", ttl=REVERIFY_LEASE) as alone:
        if not alone:
            logger.warning("reverify_coupons skipped: another run is in progress")
            return {"skipped": "another run is in progress"}
        results = coupons_reverify()
    for result in results:
        if result.flagged or result.unflagged or result.status_change:
            logger.info("reverified coupon of %s (%s): %s", result.reference, result.org_id, result.as_dict())
    return reverification_summary(results)


@task
def documents_rejected_prune_task() -> int:
    """Daily: delete the documents of applications rejected longer ago than REJECTED_UPLOAD_RETENTION_DAYS
    (verification.documents.documents_rejected_prune)."""

    return documents_rejected_prune()
