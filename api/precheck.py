"""The public pre-check: would this organisation pass what the registers settle, before anyone gives personal data?

No key (applicants and partners' sign-up pages ask it), so a per-client budget bounds it. The verdicts come from
verification.eligibility_selectors, the function `manage.py eligibility` uses too.
"""

from datetime import timedelta
from typing import Any, Literal

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from api.schemas import ErrorOut
from core.client_ip import client_ip
from core.errors import InvalidInput, RateLimited
from core.rate_limit import rate_limit_take
from programs.selectors import program_get
from verification.eligibility_selectors import organisation_precheck

router = Router(tags=["programs"])

WINDOW = timedelta(minutes=1)


class PrecheckParams(Schema):
    organisation: str | None = Field(
        None,
        max_length=100,
        description="The organisation's identifier in the registry, e.g. US-EIN-020713689 (see GET /organisations)",
    )
    lang: str | None = Field(
        None, max_length=35, description="Language of the messages (en, fr); default: the Accept-Language header"
    )


class PrecheckOrganisationOut(Schema):
    id: str = Field(..., description="e.g. US-EIN-020713689")
    name: str
    country: str = Field(..., description="ISO 3166-1 alpha-2")


class PrecheckCheckOut(Schema):
    check: str = Field(..., description="The rule: registered, charitable_status, exclusions, registry_income, …")
    outcome: Literal["pass", "fail", "review"]
    code: str = Field(..., description="Stable: registered, excluded_education, over_budget_cap, …")
    message: str = Field(..., description="For people, in the request's language")
    evidence: dict[str, Any] = Field(
        ..., description="What the rule looked at: record, field, value, source, source_date, and rule-specific keys"
    )


class PrecheckOut(Schema):
    organisation: PrecheckOrganisationOut
    outcome: Literal["eligible", "ineligible", "needs_review"] = Field(
        ...,
        description="eligible: every organisation-level check passes; ineligible: one fails; needs_review: only a "
        "person can settle one (e.g. an income in a currency the program has no rate for)",
    )
    rules_version: int = Field(
        ...,
        description=(
            "The program's rules version in force (as GET /programs/{slug}/rules reports it), "
            "0 before the first is published"
        ),
    )
    checks: list[PrecheckCheckOut]


def _language(request, lang: str | None) -> str:
    if not lang:
        return translation.get_language() or settings.LANGUAGE_CODE  # LocaleMiddleware read Accept-Language
    try:
        return translation.get_supported_language_variant(lang.strip().lower())
    except LookupError:
        raise InvalidInput(
            _("This language is not available."),
            code="language_not_supported",
            details={"supported": [code for code, _name in settings.LANGUAGES]},
        ) from None


def _budget_take(request) -> None:
    limit = settings.PRECHECKS_PER_IP_PER_MINUTE
    if not rate_limit_take(scope="precheck_ip", key=client_ip(request), limit=limit, window=WINDOW):
        raise RateLimited(
            _("Too many pre-checks from this address. Please wait a minute."),
            details={"retry_after": int(WINDOW.total_seconds()), "limit_per_minute": limit},
        )


@router.get(
    "/programs/{slug}/precheck",
    auth=None,
    response={200: PrecheckOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Pre-check an organisation against a program's rules, before applying",
)
def programs_precheck(request, response: HttpResponse, slug: str, params: Query[PrecheckParams]):
    """The organisation-level checks (registered and active, charitable status, exclusions, income the register
    reports against the cap, country, sanctions) with their evidence. Public, no key; rate-limited per client
    address. Whether the organisation already holds a coupon is not said (checked when applying)."""
    language = _language(request, params.lang)
    response["Vary"] = "Accept-Language"
    response["Content-Language"] = language
    with translation.override(language):
        _budget_take(request)
        program = program_get(slug=slug)
        if not (params.organisation or "").strip():
            raise InvalidInput(_("Give the organisation's identifier (?organisation=…)."), code="organisation_required")
        result = organisation_precheck(program=program, org_id=params.organisation or "")
        organisation = result.organisation
        assert organisation is not None  # organisation_precheck raised NotFound otherwise
        return {
            "organisation": {"id": organisation.org_id, "name": organisation.name, "country": organisation.country},
            "outcome": result.outcome,
            "rules_version": result.rules_version,
            "checks": [
                {
                    "check": verdict.rule,
                    "outcome": verdict.outcome,
                    "code": verdict.code,
                    "message": str(verdict.message),
                    "evidence": verdict.evidence,
                }
                for verdict in result.verdicts
            ],
        }
