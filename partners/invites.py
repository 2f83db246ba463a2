"""Hosted invites: a partner asks for a link to the hosted journey, hands it to one applicant, and gets the
applicant back at its own `redirect_url` with the outcome. Pages: partners/invite_views.py; the application itself
goes through verification's intake service like every other."""

import ipaddress
import re
import secrets
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.emails import email_normalise
from core.errors import ApplicationError, Conflict, InvalidInput, NotFound
from core.text import text_clean
from partners.models import ApiKey, Invite, Partner
from programs.selectors import program_country_check
from registry.selectors import organisation_get
from verification.models import Application, ApplicationState
from verification.services.intake import intake_start

DEFAULT_HOURS = 72
MAX_HOURS = 720
MAX_URL_CHARS = 2000
PUBLIC_ID_PREFIX = "inv_"
_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
_PUBLIC_ID = re.compile(r"^inv_[0-9a-z]{20}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class InviteGone(ApplicationError):
    """The link was valid once: used or expired (HTTP 410 Gone)."""

    code = "invite_gone"
    http_status = 410


def redirect_url_check(url: str) -> str:
    """Where the applicant is sent back: https (http only to the partner's own machine, for development), a host,
    no credentials, no control characters. Anything else could turn the status page into a phishing relay."""
    url = (url or "").strip()
    refuse = InvalidInput(
        _("The redirect URL must be an https:// address without credentials."),
        code="redirect_url_invalid",
        details={"field": "redirect_url"},
    )
    if not url or len(url) > MAX_URL_CHARS or any(ord(char) <= 32 or ord(char) == 127 for char in url):
        raise refuse
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 -- a port that is not a number raises here
    except ValueError as error:
        raise refuse from error
    if not host or parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise refuse
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and (host in LOCAL_HOSTS or _is_loopback(host)):
        return url
    raise refuse


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _public_id() -> str:
    return PUBLIC_ID_PREFIX + "".join(secrets.choice(_ID_ALPHABET) for _ in range(20))


def invite_state(invite: Invite, *, now: datetime | None = None) -> str:
    if invite.used_at is not None:
        return "used"
    return "expired" if invite.expires_at <= (now or timezone.now()) else "pending"


def invite_url(invite: Invite) -> str:
    with translation.override(invite.language):  # the journey opens in the language the partner chose
        return settings.PUBLIC_BASE_URL + reverse("invite", kwargs={"token": invite.token})


def invite_create(
    *,
    partner: Partner,
    api_key: ApiKey | None,
    redirect_url: str,
    expires_in_hours: int = DEFAULT_HOURS,
    email: str = "",
    org_id: str = "",
    country: str = "",
    language: str = "en",
    external_id: str = "",
    now: datetime | None = None,
) -> Invite:
    """Check the prefill as the journey would (a real organisation of a country the program serves, a valid
    email), so the applicant never lands on a form the partner filled wrongly."""
    now = now or timezone.now()
    if not 1 <= expires_in_hours <= MAX_HOURS:
        raise InvalidInput(
            _("An invite lasts 1 to %(max)s hours.") % {"max": MAX_HOURS},
            code="invalid_input",
            details={"field": "expires_in_hours"},
        )
    program = partner.program
    if not program.is_active:
        raise Conflict(_("This program is closed."), code="program_closed")
    values = {
        "redirect_url": redirect_url_check(text_clean(redirect_url, field="redirect_url", max_chars=MAX_URL_CHARS)),
        "external_id": text_clean(external_id, field="external_id", max_chars=200),
        "language": language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
    }
    email = text_clean(email, field="prefill.email", max_chars=254)
    values["prefill_email"] = email_normalise(email) if email else ""
    country = text_clean(country, field="prefill.country", max_chars=2)
    values["prefill_country"] = program_country_check(program=program, country=country) if country else ""
    org_id = text_clean(org_id, field="prefill.org_id", max_chars=48)
    if org_id:
        organisation = organisation_get(org_id=org_id)
        program_country_check(program=program, country=organisation.country)
        if country and organisation.country != values["prefill_country"]:
            raise InvalidInput(
                _("The organisation is not registered in the given country."),
                code="country_mismatch",
                details={"org_country": organisation.country},
            )
        values["prefill_org_id"] = organisation.org_id
        values["prefill_country"] = organisation.country
    invite = Invite.objects.create(
        partner=partner,
        created_by_key=api_key,
        public_id=_public_id(),
        token=secrets.token_urlsafe(32),
        expires_at=now + timedelta(hours=expires_in_hours),
        **values,
    )
    audit_record(
        action="invite.created",
        object_type="invite",
        object_id=invite.pk,
        actor_label=f"partner:{partner.pk}",
        after={
            "id": invite.public_id,
            "expires_at": invite.expires_at.isoformat(),
            "redirect_url": invite.redirect_url,
        },
    )
    return invite


def invite_get(*, partner: Partner, public_id: str) -> Invite:
    """One of the partner's invites; another partner's is as unknown as one that does not exist."""
    public_id = (public_id or "").strip()
    invite = (
        Invite.objects.select_related("application").filter(partner=partner, public_id=public_id).first()
        if _PUBLIC_ID.fullmatch(public_id)
        else None
    )
    if invite is None:
        raise NotFound(_("No invite with this id."), code="invite_not_found")
    return invite


def invite_for_token(*, token: str, now: datetime | None = None) -> Invite:
    """The invite a link opens, if it can still start an application: NotFound for an unknown link, InviteGone
    (410) for a used or expired one."""
    invite = (
        Invite.objects.select_related("partner", "partner__program", "application").filter(token=token).first()
        if _TOKEN.fullmatch(token or "")
        else None
    )
    if invite is None:
        raise NotFound(_("This invitation link is not valid."), code="invite_not_found")
    state = invite_state(invite, now=now)
    if state == "used":
        raise InviteGone(_("This invitation link was already used."), code="invite_used")
    if state == "expired":
        raise InviteGone(_("This invitation link has expired."), code="invite_expired")
    if not invite.partner.is_active or not invite.partner.program.is_active:
        raise InviteGone(_("This invitation link is no longer valid."), code="invite_closed")
    return invite


def invite_take(*, invite: Invite, application, now: datetime | None = None) -> Invite:
    """Mark the invite used by `application`, if nobody used it first (the caller's transaction rolls back the
    application otherwise)."""
    now = now or timezone.now()
    taken = Invite.objects.filter(pk=invite.pk, used_at__isnull=True, expires_at__gt=now).update(
        used_at=now, application=application
    )
    if not taken:
        raise InviteGone(_("This invitation link was already used."), code="invite_used")
    invite.used_at, invite.application = now, application
    audit_record(
        action="invite.used",
        object_type="invite",
        object_id=invite.pk,
        actor_label="applicant",
        before={"used_at": None},
        after={"used_at": now.isoformat(), "application": application.reference},
    )
    return invite


def invite_application_start(
    *, invite: Invite, budget_minor: int, language: str, now: datetime | None = None
) -> Application:
    """The applicant opened a partner's invite and gave the budget: a draft bound to the partner, prefilled, and the
    invite used (a conditional UPDATE: of two browsers racing on one link, one starts an application)."""
    now = now or timezone.now()
    partner = invite.partner
    fields: dict = {}
    if invite.prefill_org_id:
        organisation = organisation_get(org_id=invite.prefill_org_id)
        fields.update(organisation=organisation, country=organisation.country)
    elif invite.prefill_country:
        fields["country"] = invite.prefill_country
    if invite.prefill_email:
        fields["email"] = invite.prefill_email  # unverified: the email step sends the code
    with transaction.atomic():
        application = intake_start(
            program=partner.program, language=language, budget_minor=budget_minor, partner=partner, now=now, **fields
        )
        application = Application.objects.select_related("program", "organisation", "partner").get(pk=application.pk)
        invite_take(invite=invite, application=application, now=now)
        audit_record(
            action="application.started_from_invite",
            object_type="application",
            object_id=application.pk,
            actor_label="applicant",
            after={"reference": application.reference, "partner": partner.pk, "invite": invite.public_id},
        )
    return application


def invite_return_url(*, application: Application) -> tuple[str, str] | None:
    """(partner name, URL back to the partner) once an application started from an invite was submitted; None
    otherwise. The partner learns the outcome from the query: vouch_reference, vouch_status, vouch_invite and its
    own external_id (the partner should confirm it through the API: a query string can be edited)."""
    if not application.partner_id or application.state == ApplicationState.DRAFT:
        return None
    invite = Invite.objects.filter(application=application).select_related("partner").first()
    if invite is None:
        return None
    parts = urlsplit(invite.redirect_url)
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key not in {"vouch_reference", "vouch_status", "vouch_invite", "external_id"}
    ]
    query += [
        ("vouch_reference", application.reference),
        ("vouch_status", application.state),
        ("vouch_invite", invite.public_id),
        ("external_id", invite.external_id),
    ]
    return invite.partner.name, urlunsplit(parts._replace(query=urlencode(query)))
