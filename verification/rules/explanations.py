"""What the checks say, as a key and parameters: the one table of explanation templates, rendered in the reader's
language when shown (the applicant's status page and emails, the reviewer's back-office, the API's answer).

A verdict carries an `Explanation` (key + JSON-safe parameters); the check result and the decision reasons store
both, so an English reviewer reads in English what a French applicant was told in French. The key is the verdict's
code, or `code.variant` where one code has several wordings (a 501(c)(3) confirmed by the BMF or by Pub 78). Money,
dates and countries are stored as values (`money()`, `day()`, `country()`) and written as the reader's language
writes them. A stored row whose key is unknown (an older release's, or a reviewer's own words) shows its stored
text.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.money import format_minor_localized
from registry.countries import country_name

_OVER_CAP_DECLARED_SALES = _(
    "The annual budget (%(amount)s) is above the program's cap of %(cap)s: the self-serve "
    "discount is not available; the vendor's sales team can help: %(sales)s"
)
_OVER_CAP_DECLARED = _(
    "The annual budget (%(amount)s) is above the program's cap of %(cap)s: the self-serve "
    "discount is not available; please contact the vendor's sales team."
)
_OVER_CAP_REPORTED_SALES = _(
    "The register reports an income of %(amount)s, above the program's cap of %(cap)s: the "
    "self-serve discount is not available; the vendor's sales team can help: %(sales)s"
)
_OVER_CAP_REPORTED = _(
    "The register reports an income of %(amount)s, above the program's cap of %(cap)s: the "
    "self-serve discount is not available; please contact the vendor's sales team."
)

TEMPLATES: dict[str, Promise] = {
    # the organisation and its register
    "manual_organisation_needs_documents": _(
        "The organisation was added by hand, not found in a register: documents proving its "
        "registration are needed and a reviewer will check them."
    ),
    "not_registered": _("No organisation with the identifier %(org_id)s is in the registers Vouch uses."),
    "registration_inactive": _("%(name)s is no longer active in its register (since %(date)s: %(reason)s)."),
    "registered": _("%(name)s is registered and active (%(source)s)."),
    # charitable status
    "charitable_status_confirmed": _("%(name)s is on the charity register %(source)s."),
    "charitable_status_confirmed.bmf": _("The IRS lists the organisation as a 501(c)(3) organisation."),
    "charitable_status_confirmed.pub78": _("IRS Publication 78 lists the organisation as a 501(c)(3) organisation."),
    "charitable_status_confirmed.reinstated": _("The IRS reinstated the organisation's 501(c)(3) exemption."),
    "not_charitable_status.bmf": _(
        "The IRS lists the organisation under section 501(c)(%(subsection)s), not "
        "501(c)(3): only 501(c)(3) organisations are eligible."
    ),
    "not_charitable_status": _(
        "No IRS record shows the organisation as a 501(c)(3) organisation: only 501(c)(3) organisations are eligible."
    ),
    # exclusions
    "excluded_education.url": _(
        "Schools, colleges and universities are not eligible for the nonprofit discount; the "
        "education program is meant for them: %(url)s"
    ),
    "excluded_education": _(
        "Schools, colleges and universities are not eligible for the nonprofit discount; ask the "
        "vendor about its education program."
    ),
    "excluded_government": _("Government bodies and public agencies are not eligible for this program."),
    "excluded_political": _(
        "Political parties and political campaigning organisations are not eligible for this program."
    ),
    "excluded_religious": _("Religious organisations are not eligible for this program."),
    "excluded_health": _("Hospitals and health-care providers are not eligible for this program."),
    "excluded_private_foundation": _("Private foundations are not eligible for this program."),
    "excluded_professional": _(
        "Professional associations, trade associations and unions are not eligible for this program."
    ),
    "excluded": _("Organisations of this kind (%(category)s) are not eligible for this program."),
    "not_excluded": _("The organisation is not of a kind this program excludes."),
    # budget
    "budget_not_declared": _("The applicant did not declare the organisation's annual budget."),
    "over_budget_cap.declared.sales": _OVER_CAP_DECLARED_SALES,
    "over_budget_cap.declared": _OVER_CAP_DECLARED,
    "over_budget_cap.reported.sales": _OVER_CAP_REPORTED_SALES,
    "over_budget_cap.reported": _OVER_CAP_REPORTED,
    "within_budget_cap": _("The declared annual budget is within the program's cap."),
    "within_budget_cap.reported": _("The income the register reports is within the program's cap."),
    "no_registry_income": _("The register reports no income for the organisation; the declared budget is used."),
    "budget_unverifiable": _(
        "The register reports income in %(currency)s and the program has no exchange rate "
        "for it: a reviewer compares it with the cap."
    ),
    # country
    "sanctioned_country": _("Organisations registered in %(country)s cannot be served (sanctions)."),
    "not_sanctioned": _("The organisation's country is not under sanctions."),
    "country_not_supported": _("The program does not yet serve organisations registered in %(country)s."),
    "country_supported": _("The program serves organisations of this country."),
    # the representative
    "email_not_verified": _("The applicant has not proved control of the email address."),
    "email_verified": _("The applicant proved control of the email address."),
    "email_disposable": _("The email address is on a disposable-mail domain; a reviewer checks the applicant."),
    "email_domain_unverified.free_mail": _(
        "The email address is on a free-mail service, which says nothing about the "
        "organisation; a reviewer checks the applicant."
    ),
    "email_domain_unverified.no_record": _(
        "There is no register record to compare the email domain with; a reviewer checks it."
    ),
    "email_domain_unverified.unknown": _(
        "The register lists no website or email domain for the organisation; a reviewer checks the email address."
    ),
    "email_domain_unverified": _(
        "The email domain %(domain)s differs from the organisation's in the register; a reviewer checks the applicant."
    ),
    "email_domain_matches": _("The email domain %(domain)s is the organisation's own (its %(field)s in the register)."),
    "domain_control_proven": _(
        "The applicant proved control of %(domain)s, the organisation's domain, and of an email address at it."
    ),
    "published_contact_confirmed": _(
        "The contact the register publishes for the organisation (%(email)s) confirmed "
        "that the applicant represents it."
    ),
    "published_contact_denied": _(
        "The contact the register publishes for the organisation (%(email)s) said the applicant does not represent it."
    ),
    "trusted_receipt": _("A verification by %(issuer)s, which this program trusts, covers this check."),
    # duplicates
    "duplicate_active_coupon": _("The organisation already holds an active coupon for this program."),
    "duplicate_open_application": _(
        "Another application for the organisation is open; a reviewer checks which one stands."
    ),
    "no_duplicate": _("The organisation has no active coupon and no other open application."),
}


def money(amount_minor: int, currency: str) -> dict[str, Any]:
    """An amount, written when shown as the reader's language writes money."""
    return {"money": int(amount_minor), "currency": currency.upper()}


def day(value: date | datetime | None) -> dict[str, Any] | str:
    """A date, written when shown as the reader's language writes dates ("?" when unknown)."""
    if isinstance(value, datetime):
        value = value.date()
    return {"date": value.isoformat()} if value else "?"


def country(code: str) -> dict[str, Any]:
    """A country, named when shown in the reader's language."""
    return {"country": (code or "").upper()}


def _param(value: Any) -> Any:
    if isinstance(value, list):  # an amount and what it is worth in the program's currency
        return " ≈ ".join(str(_param(item)) for item in value)
    if isinstance(value, dict):
        if "money" in value:
            return format_minor_localized(int(value["money"]), str(value.get("currency") or ""))
        if "date" in value:
            return formats.date_format(date.fromisoformat(value["date"]), "DATE_FORMAT")
        if "country" in value:
            return country_name(value["country"])
    return value


def explanation_render(key: str, params: Mapping[str, Any] | None, fallback: str = "") -> str:
    """The template of `key` filled with `params`, in the active language; `fallback` (the stored text) when the
    key is unknown or the parameters do not fit it."""
    template = TEMPLATES.get(key or "")
    if template is None:
        return fallback or key
    try:
        return str(template) % {name: _param(value) for name, value in (params or {}).items()}
    except (KeyError, TypeError, ValueError):
        return fallback or str(template)


@dataclass(frozen=True)
class Explanation:
    """A verdict's explanation: a key of TEMPLATES and its parameters (JSON-safe). str() renders it in the active
    language."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.key not in TEMPLATES:
            raise KeyError(f"no explanation template {self.key!r}")

    def __str__(self) -> str:
        return explanation_render(self.key, self.params)


def explain(key: str, **params: Any) -> Explanation:
    return Explanation(key, params)
