"""Vouch's periodic jobs: the one table `manage.py run_scheduler` acts on (docs/operator-guide.md shows the same).

Each line: a name, when (cron fields in TIME_ZONE: minute hour day-of-month month day-of-week, and an optional
sixth field for seconds), the django.tasks task it enqueues, and why. Every task is idempotent and safe beside a
concurrent copy of itself, so running one by hand (or from cron, as before) is always harmless.
"""

from billing.tasks import renew_subscriptions, send_legacy_discount_notices, tax_certificates_rejected_prune_task
from core.scheduling import ScheduledJob as Job
from core.tasks import clear_expired_sessions, prune_task_results
from notifications.tasks import send_pending_emails
from partners.tasks import prune_api_records
from verification.proofs.tasks import recheck_domain_proofs
from verification.tasks import documents_rejected_prune_task, expire_applications, reverify_coupons
from webhooks.tasks import deliver_webhooks, prune_webhook_events

EVERY_30_SECONDS = "* * * * * */30"

SCHEDULE = (
    # name                          when               task
    Job(
        "send_outbox",
        EVERY_30_SECONDS,
        send_pending_emails,
        "sweep: due and retried emails, and those a killed worker left (its lease ran out)",
    ),
    Job(
        "send_webhooks",
        EVERY_30_SECONDS,
        deliver_webhooks,
        "sweep: due and retried webhook deliveries, and those a killed worker left",
    ),
    Job(
        "recheck_domain_proofs",
        "*/5 * * * *",
        recheck_domain_proofs,
        "domain proofs due for their re-check (every 10 minutes for 48 hours); a verified one decides its application",
    ),
    Job(
        "expire_applications",
        "17 * * * *",
        expire_applications,
        "reminders a week before an incomplete application expires, then the expiry",
    ),
    Job(
        "prune_api_records",
        "20 * * * *",
        prune_api_records,
        "idempotency keys past IDEMPOTENCY_KEEP_HOURS, rate-limit counters older than an hour",
    ),
    Job(
        "renew_subscriptions",
        "5 2 * * *",
        renew_subscriptions,
        "renews (or ends) the subscriptions whose period has ended, each period once",
    ),
    Job(
        "send_legacy_discount_notices",
        "45 2 * * *",
        send_legacy_discount_notices,
        "one 'your previous discount ends' email per term",
    ),
    Job("clear_sessions", "10 3 * * *", clear_expired_sessions, "expired sessions (Django's clearsessions)"),
    Job(
        "prune_task_results",
        "30 4 * * *",
        prune_task_results,
        "finished task results older than 7 days",
        {"min_age_days": 7},
    ),
    Job(
        "prune_webhook_events",
        "40 4 * * *",
        prune_webhook_events,
        "webhook events older than 90 days and their delivery log, never one still pending",
        {"older_than_days": 90},
    ),
    Job(
        "prune_rejected_documents",
        "50 4 * * *",
        documents_rejected_prune_task,
        "files of applications rejected more than REJECTED_UPLOAD_RETENTION_DAYS ago",
    ),
    Job(
        "prune_rejected_tax_certificates",
        "55 4 * * *",
        tax_certificates_rejected_prune_task,
        "certificates of tax-exemption requests rejected more than REJECTED_UPLOAD_RETENTION_DAYS ago",
    ),
    Job(
        "reverify_coupons",
        "30 3 * * mon",
        reverify_coupons,
        "re-checks the organisation of every live coupon; flags those that no longer pass",
    ),
)
