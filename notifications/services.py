"""The email outbox: queue an email in the caller's transaction; the worker sends it after commit.

    with transaction.atomic():
        application.state = "approved"; application.save()
        email_queue(to=application.email, template="application_approved", context={...},
                    language=application.language, dedupe_key=f"approved:{application.reference}")

The email is rendered now, in the recipient's language, and stored with the change it reports: if the transaction
rolls back, no email exists; if it commits, the email will be sent however long SMTP is down (see
notifications.sender). The dedupe key makes queueing idempotent: a second call with the same key returns the row
the first one wrote, and no second email is ever sent.
"""

import logging
import re
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.tasks import task_enqueue
from notifications.models import OutboxEmail, OutboxState
from notifications.tasks import send_pending_emails

logger = logging.getLogger(__name__)

TEMPLATE_DIR = "notifications/emails"

# Each template and the context keys it needs (others it shows when given are listed in docs/notifications.md).
TEMPLATES: dict[str, set[str]] = {
    "verification_code": {"code", "minutes_valid", "reference"},
    "application_received": {"reference", "due_date", "status_url"},
    "information_needed": {"reference", "message", "status_url"},
    "application_approved": {"reference", "code", "redeem_by", "vendor_name", "products", "status_url"},
    "application_rejected": {"reference", "reasons", "appeal_url"},
    "expiry_reminder": {"reference", "expires_at", "status_url"},
    "application_expired": {"reference", "program_url"},
    "application_continue": {"reference", "continue_url", "partner_name", "expires_at"},  # a partner's API draft
    # To the organisation's published contact (verification.proofs.contact): confirm or deny the applicant.
    "contact_confirmation": {
        "reference",
        "applicant_name",
        "applicant_email",
        "organisation_name",
        "program_name",
        "answer_url",
        "expires_at",
    },
    # The store's (billing): account email proof, password reset, the previous partner's discount ending.
    "account_verify_email": {"verify_url", "days_valid"},
    "account_password_reset": {"reset_url"},
    "account_exists": {"sign_in_url", "reset_url"},  # a sign-up with an email that has an account (not secret)
    "legacy_discount_ending": {"period_end", "percent", "partner", "program_url"},
    "coupon_reissued": {"reference", "code", "redeem_by", "vendor_name", "status_url"},  # the support console
    "invoice_issued": {"number", "total", "issued_at", "period_start", "period_end", "invoice_url", "pdf_url"},
}
# Context values that are secrets: whoever reads them can act as the recipient. The outbox keeps them only until
# the email is sent (docs/security.md).
SECRET_CONTEXT_KEYS = {"code", "verify_url", "reset_url", "status_url", "continue_url", "appeal_url"}
REDACTED = "[removed once sent]"
SUBJECT_MAX_CHARS = 300
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _message_id() -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL or "")[1].rpartition("@")[2] or "vouch.localhost"
    return make_msgid(domain=domain)


def product_label(product: str) -> str:
    """A product for people: names pass through; a catalog slug (`workplace-pro`) is shown as `Workplace Pro`
    until the billing catalog provides names."""
    if _SLUG.match(product):
        return " ".join(word.capitalize() for word in product.split("-"))
    return product


def email_render(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Subject, text body and HTML body of a template in a language."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown email template {template!r}")
    missing = TEMPLATES[template] - context.keys()
    if missing:
        raise ValueError(f"email template {template!r} needs {sorted(missing)}")
    context = {"public_base_url": settings.PUBLIC_BASE_URL, **context}
    if "products" in context:
        context["products"] = [product_label(product) for product in context["products"]]
    with translation.override(language):
        subject: str = render_to_string(f"{TEMPLATE_DIR}/{template}.subject.txt", context)
        text = render_to_string(f"{TEMPLATE_DIR}/{template}.txt", context)
        html = render_to_string(f"{TEMPLATE_DIR}/{template}.html", context)
    subject = " ".join(subject.split())[:SUBJECT_MAX_CHARS]  # one line: no header injection, no stray newlines
    return subject, text.strip() + "\n", html


def email_queue(*, to: str, template: str, context: dict, language: str, dedupe_key: str) -> OutboxEmail:
    """Store an email for sending after the caller's transaction commits. Idempotent per dedupe_key."""
    existing = OutboxEmail.objects.filter(dedupe_key=dedupe_key).first()
    if existing:
        return existing
    try:
        language = translation.get_supported_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        language = settings.LANGUAGE_CODE
    subject, text, html = email_render(template=template, context=context, language=language)
    redacted_text = redacted_html = ""
    if SECRET_CONTEXT_KEYS & context.keys():
        safe = {key: (REDACTED if key in SECRET_CONTEXT_KEYS else value) for key, value in context.items()}
        _subject, redacted_text, redacted_html = email_render(template=template, context=safe, language=language)
    email = OutboxEmail(
        dedupe_key=dedupe_key,
        to=to,
        subject=subject,
        body_text=text,
        body_html=html,
        language=language,
        redacted_text=redacted_text,
        redacted_html=redacted_html,
        template=template,
        state=OutboxState.PENDING,
        next_attempt_at=timezone.now(),
        message_id=_message_id(),
    )
    try:
        with transaction.atomic():
            email.save(force_insert=True)
    except IntegrityError:
        # Another transaction queued the same email first (it committed while we rendered): keep that one.
        existing = OutboxEmail.objects.filter(dedupe_key=dedupe_key).first()
        if existing is None:
            raise
        return existing
    if not _kick_pending():
        transaction.on_commit(outbox_kick, robust=True)
    return email


def _kick_pending() -> bool:
    """Whether this transaction already asks for a sending pass on commit (one pass sends all its emails)."""
    pending = getattr(connection, "run_on_commit", None) or []
    return connection.in_atomic_block and any(entry[1] is outbox_kick for entry in pending)


def outbox_kick() -> None:
    """Ask the background worker for a sending pass. If the task backend is down, the email still waits in the
    outbox: the next pass (another email's, or the `send_outbox` cron sweep) sends it."""
    try:
        task_enqueue(send_pending_emails)
    except Exception:  # the outbox row is safe; only the prompt delivery is lost
        logger.exception("could not enqueue the outbox task; cron `send_outbox` will send the email")
