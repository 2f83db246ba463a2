"""Confirmation by the published contact: when the register publishes an email address for the organisation
(England and Wales, Northern Ireland: `raw_codes[<source>]["contact_email"]`) and the applicant's address is at
another domain, the applicant may ask Vouch to email that published address: "X says they represent your
organisation for program P: confirm or deny". A confirmation settles the representative check; a denial rejects
the application (`published_contact_denied`) and flags the attempt in the audit log for the reviewers. The request
expires with the application. Only a hash of the link's token is stored.

The email shows the published contact the applicant's name and email address: the applicant asks for it, on a page
that says so (the only way the organisation can recognise them).
"""

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import Conflict, InvalidInput, NotFound
from notifications.services import email_queue
from verification.email_domains import registered_domain
from verification.models import Application, ApplicationState
from verification.proofs.models import ContactConfirmation, ContactState
from verification.proofs.services import application_settle_after_proof

ANSWERS = ("confirmed", "denied")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def published_contact(*, application: Application) -> tuple[str, str] | None:
    """(email, source slug) the register publishes for the application's organisation, or None."""
    organisation = application.organisation
    if organisation is None:
        return None
    for source, codes in sorted((organisation.raw_codes or {}).items()):
        email = (codes or {}).get("contact_email", "") if isinstance(codes, dict) else ""
        if email and "@" in email:
            return email.strip().lower(), source
    return None


def contact_offered(*, application: Application) -> bool:
    """A published address exists, at another domain than the applicant's, and nothing was asked yet."""
    contact = published_contact(application=application)
    if contact is None or not application.email or application.email_verified_at is None:
        return False
    if registered_domain(contact[0]) == registered_domain(application.email):
        return False  # the same domain: the email check settles it already
    return not ContactConfirmation.objects.filter(application=application).exists()


def contact_confirmation_request(*, application: Application, now: datetime | None = None) -> ContactConfirmation:
    """Email the published contact a link to confirm or deny. Once per application."""
    now = now or timezone.now()
    contact = published_contact(application=application)
    if contact is None:
        raise NotFound(_("The register publishes no email address for this organisation."), code="no_published_contact")
    if application.state not in (ApplicationState.DRAFT, ApplicationState.IN_REVIEW):
        raise Conflict(_("This application can no longer ask for a confirmation."), code="application_state_invalid")
    if application.email_verified_at is None:
        raise InvalidInput(_("Confirm your email address with the code we sent first."), code="email_not_verified")
    email, source = contact
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        if ContactConfirmation.objects.select_for_update().filter(application=application).exists():
            raise Conflict(_("The published contact was already asked."), code="contact_already_asked")
        confirmation = ContactConfirmation.objects.create(
            application=application,
            email=email,
            source=source,
            token_hash=_hash(token),
            created_at=now,
            expires_at=application.expires_at,
        )
        audit_record(
            action="contact_confirmation.requested",
            object_type="application",
            object_id=application.pk,
            actor_label="applicant",
            after={"email": email, "source": source},
        )
        with translation.override(application.language):
            url = settings.PUBLIC_BASE_URL + reverse("verification:contact_answer", kwargs={"token": token})
        program = application.program
        email_queue(
            to=email,
            template="contact_confirmation",
            language=application.language,
            dedupe_key=f"application:{application.pk}:contact:{confirmation.pk}",
            context={
                "reference": application.reference,
                "applicant_name": application.applicant_name,
                "applicant_email": application.email,
                "organisation_name": application.organisation_name,
                "program_name": program.name,
                "vendor_name": program.vendor_name,
                "answer_url": url,
                "expires_at": confirmation.expires_at,
            },
        )
    return confirmation


def contact_confirmation_get(*, token: str) -> ContactConfirmation:
    confirmation = (
        ContactConfirmation.objects.select_related("application", "application__program", "application__organisation")
        .filter(token_hash=_hash(token or ""))
        .first()
    )
    if confirmation is None or not token:
        raise NotFound(_("This link is not valid."), code="contact_link_invalid")
    return confirmation


def contact_confirmation_answer(
    *, token: str, answer: str, ip: str | None = None, now: datetime | None = None
) -> ContactConfirmation:
    """Record the published contact's answer (once), then let the application be decided if it waits on it."""
    if answer not in ANSWERS:
        raise InvalidInput(_("Choose to confirm or to deny."), code="answer_invalid")
    now = now or timezone.now()
    confirmation = contact_confirmation_get(token=token)
    if confirmation.expires_at <= now or confirmation.application.state in (ApplicationState.EXPIRED,):
        ContactConfirmation.objects.filter(pk=confirmation.pk, state=ContactState.PENDING).update(
            state=ContactState.EXPIRED
        )
        raise Conflict(_("This request has expired."), code="contact_request_expired")
    with transaction.atomic():
        if not ContactConfirmation.objects.filter(pk=confirmation.pk, state=ContactState.PENDING).update(
            state=answer, answered_at=now, answered_ip=ip
        ):
            raise Conflict(_("This request was already answered."), code="contact_already_answered")
        confirmation.state, confirmation.answered_at = answer, now
        audit_record(
            action=f"contact_confirmation.{answer}",
            object_type="application",
            object_id=confirmation.application_id,
            actor_label=f"published contact {confirmation.email}",
            before={"state": ContactState.PENDING},
            after={"state": answer, "flagged": answer == "denied"},
        )

    application_settle_after_proof(application=confirmation.application, now=now)
    return confirmation


def contact_confirmations_expire(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return ContactConfirmation.objects.filter(state=ContactState.PENDING, expires_at__lte=now).update(
        state=ContactState.EXPIRED
    )
