"""Applications through the API: a partner starts one for an applicant (who finishes it on the hosted pages) and
follows the ones it may see. Rules: verification/services/partner_applications.py, verification/partner_selectors.py.
"""

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Query, Router, Schema
from pydantic import BeforeValidator

from api.auth import request_partner, scoped
from api.idempotency import idempotent_response
from api.pagination import cursor_decode, cursor_encode, datetime_param
from api.schemas import AUTH_ERRORS
from verification.models import Application, ApplicationState
from verification.partner_selectors import partner_application_get, partner_applications_filter
from verification.reasons import reasons_read
from verification.selectors import application_status_url
from verification.services.partner_applications import ManualOrganisation, partner_application_create

router = Router(tags=["applications"])

MAX_PAGE = 100
NO_CONTROL_CHARS = r"^[^\x00-\x1f\x7f]*$"
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _rfc3339(value):
    """What the OpenAPI document promises (`format: date-time`, RFC 3339 with its offset): pydantic alone would
    also take "0.5" as a Unix time."""
    if isinstance(value, str) and not _RFC3339.fullmatch(value):
        raise ValueError("expected an RFC 3339 date-time with its offset, e.g. 2026-11-29T09:00:00Z")
    return value


DateTimeParam = Annotated[datetime | None, BeforeValidator(_rfc3339)]


class BudgetIn(Schema):
    amount_minor: int = Field(..., ge=0, le=10**15, description="Minor units (cents): 2500000 is 25,000.00")
    currency: str = Field(..., pattern=r"^[A-Za-z]{3}$", description="ISO 4217, e.g. USD")


class ManualOrganisationIn(Schema):
    legal_name: str = Field(..., max_length=300)
    registry_number: str = Field("", max_length=60)
    country: str = Field(..., pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2")
    website: str = Field("", max_length=300)
    address: str = Field(..., max_length=2000)


class ApplicationIn(Schema):
    org_id: str | None = Field(
        None,
        max_length=48,
        description="An organisation of the registry, e.g. US-EIN-020713689. Give this or `organisation`.",
    )
    organisation: ManualOrganisationIn | None = Field(
        None, description="An organisation not in a registry (documents and a human review follow)"
    )
    applicant_name: str = Field(..., max_length=200)
    email: str = Field(
        ...,
        max_length=254,
        description="The organisation's official email, which must be the "
        "applicant's account email with the vendor: the coupon is bound to it",
    )
    budget: BudgetIn = Field(..., description="Declared annual operating budget")
    language: Literal["en", "fr"] = "en"


class MoneyOut(Schema):
    amount_minor: int
    currency: str


class OrganisationRefOut(Schema):
    org_id: str
    name: str
    country: str
    status: str


class ManualOrganisationOut(Schema):
    legal_name: str
    registry_number: str
    country: str
    website: str
    address: str


class CheckOut(Schema):
    rule: str
    outcome: str
    code: str
    message: str
    evidence: dict[str, Any]


class ReasonOut(Schema):
    code: str
    message: str


class ApplicationOut(Schema):
    reference: str
    state: str
    program: str
    language: str
    organisation: OrganisationRefOut | None
    manual_organisation: ManualOrganisationOut | None
    applicant_name: str
    email: str
    email_verified: bool
    declared_budget: MoneyOut | None
    checks: list[CheckOut]
    decision_reasons: list[ReasonOut]
    created_at: datetime
    submitted_at: datetime | None
    due_at: datetime | None
    decided_at: datetime | None
    expires_at: datetime
    status_url: str | None = Field(
        ...,
        description="The applicant's status page (its address is the applicant's "
        "credential: give it to the applicant only). Only for the partner that "
        "created the application, with a key holding applications:write; null "
        "otherwise (a vendor that sees every application gets state and decision, "
        "not links)",
    )
    continue_url: str | None = Field(
        ...,
        description="While a draft: where the applicant confirms the email "
        "with a one-time code and accepts the terms (emailed to the applicant too). "
        "Given under the same conditions as status_url",
    )
    invite_id: str | None


class ApplicationPageOut(Schema):
    results: list[ApplicationOut]
    next_cursor: str | None


class ApplicationFilters(Schema):
    state: ApplicationState | None = None
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$")
    org_id: str | None = Field(None, max_length=48, pattern=NO_CONTROL_CHARS)
    created_after: DateTimeParam = Field(None, description="Created at or after")
    created_before: DateTimeParam = Field(None, description="Created before")
    updated_since: DateTimeParam = Field(None, description="Created, or changed state, at or after")
    cursor: str | None = Field(None, max_length=500, description="`next_cursor` of the previous page")
    limit: int = Field(50, ge=1, le=MAX_PAGE)


def links_allowed(*, application: Application, api_key) -> bool:
    """The applicant's links act as the applicant: only the partner that brought the application gets them, and
    only with a key that may write applications. A partner that merely sees it (the vendor) never does."""
    return (
        application.partner_id is not None
        and application.partner_id == api_key.partner_id
        and "applications:write" in api_key.scopes
    )


def application_out(application: Application, *, api_key) -> dict:
    program = application.program
    organisation = application.organisation if application.organisation_id else None
    status_url = (
        application_status_url(application=application)
        if links_allowed(application=application, api_key=api_key)
        else None
    )
    invite = getattr(application, "invite", None)
    return {
        "reference": application.reference,
        "state": application.state,
        "program": program.slug,
        "language": application.language,
        "organisation": organisation
        and {
            "org_id": organisation.org_id,
            "name": organisation.name,
            "country": organisation.country,
            "status": organisation.status,
        },
        "manual_organisation": {
            "legal_name": application.manual_name,
            "registry_number": application.manual_registry_number,
            "country": application.country,
            "website": application.manual_website,
            "address": application.manual_address,
        }
        if application.is_manual
        else None,
        "applicant_name": application.applicant_name,
        "email": application.email,
        "email_verified": application.email_verified_at is not None,
        "declared_budget": {"amount_minor": application.declared_budget_minor, "currency": program.budget_currency}
        if application.declared_budget_minor is not None
        else None,
        "checks": [
            # explanations in the request's language (Accept-Language), whatever the applicant's
            {
                "rule": c.rule,
                "outcome": c.outcome,
                "code": c.code,
                "message": c.explanation,
                "evidence": c.evidence or {},
            }
            for c in application.checks.all()
        ],
        "decision_reasons": reasons_read(application.decision_reasons),
        "created_at": application.created_at,
        "submitted_at": application.submitted_at,
        "due_at": application.due_at,
        "decided_at": application.decided_at,
        "expires_at": application.expires_at,
        "status_url": status_url,
        "continue_url": status_url if status_url and application.state == ApplicationState.DRAFT else None,
        "invite_id": invite.public_id if invite else None,
    }


@router.post(
    "/applications",
    auth=scoped("applications:write"),
    response={201: ApplicationOut, **AUTH_ERRORS},
    summary="Start an application for an applicant, who confirms the email and accepts the terms",
)
def applications_create(request, payload: ApplicationIn):
    def work():
        manual = ManualOrganisation(**payload.organisation.dict()) if payload.organisation else None
        application = partner_application_create(
            partner=request_partner(request),
            org_id=payload.org_id,
            manual=manual,
            applicant_name=payload.applicant_name,
            email=payload.email,
            budget_minor=payload.budget.amount_minor,
            budget_currency=payload.budget.currency,
            language=payload.language,
        )
        return 201, ApplicationOut(**application_out(application, api_key=request.auth))

    return idempotent_response(request, work)


@router.get(
    "/applications",
    auth=scoped("applications:read"),
    response={200: ApplicationPageOut, **AUTH_ERRORS},
    summary="Applications the partner may see, oldest first, a page at a time",
)
def applications_list(request, filters: Query[ApplicationFilters]):
    queryset = partner_applications_filter(
        partner=request_partner(request),
        state=filters.state,
        country=filters.country,
        org_id=filters.org_id,
        created_after=datetime_param(filters.created_after, field="created_after"),
        created_before=datetime_param(filters.created_before, field="created_before"),
        updated_since=datetime_param(filters.updated_since, field="updated_since"),
        after=cursor_decode(filters.cursor) if filters.cursor else None,
    )
    page = list(queryset.select_related("invite").prefetch_related("checks")[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return {
        "results": [application_out(application, api_key=request.auth) for application in page],
        "next_cursor": cursor_encode(page[-1].created_at, page[-1].pk) if more else None,
    }


@router.get(
    "/applications/{reference}",
    auth=scoped("applications:read"),
    response={200: ApplicationOut, **AUTH_ERRORS},
    summary="One application: state, checks, decision",
)
def applications_get(request, reference: str):
    return application_out(
        partner_application_get(partner=request_partner(request), reference=reference), api_key=request.auth
    )
