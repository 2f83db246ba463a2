from datetime import date, datetime

from django.conf import settings
from ninja import Field, Query, Router, Schema

from api.auth import scoped
from api.schemas import AUTH_ERRORS
from registry.search.engine import search_organisations
from registry.selectors import organisation_get

router = Router(tags=["organisations"], auth=scoped("organisations:read"))


class SearchParams(Schema):
    q: str = Field("", description="A legal name, part of one, or a registry number in any common form")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code, e.g. US, GB, AU, FR", max_length=2)
    limit: int = Field(10, ge=1, le=settings.SEARCH_MAX_LIMIT)


class SearchHitOut(Schema):
    org_id: str
    name: str
    status: str
    city: str
    region: str
    country: str
    registry_number: str
    score: float
    match: str


class SearchOut(Schema):
    query: str
    results: list[SearchHitOut]


class IncomeOut(Schema):
    amount_minor: int
    currency: str
    period_start: date | None
    period_end: date | None


class AddressOut(Schema):
    street: str
    city: str
    region: str
    postcode: str
    country: str


class SourceOut(Schema):
    slug: str
    name: str
    licence: str
    licence_url: str
    download_url: str
    last_imported_at: datetime | None


class OrganisationOut(Schema):
    org_id: str
    registry_number: str
    name: str
    other_names: list[dict[str, str]]
    country: str
    status: str
    status_detail: str
    registered_on: date | None
    removed_on: date | None
    removal_reason: str
    categories: list[str]
    raw_codes: dict
    income: IncomeOut | None
    website: str
    email_domain: str
    address: AddressOut
    source: SourceOut


@router.get(
    "/organisations",
    response={200: SearchOut, **AUTH_ERRORS},
    summary="Search organisations by name or registry number",
)
def organisations_search(request, params: Query[SearchParams]):
    hits = search_organisations(query=params.q, country=params.country, limit=params.limit)
    return {"query": params.q[: settings.SEARCH_MAX_QUERY_CHARS], "results": hits}


@router.get(
    "/organisations/{org_id}",
    response={200: OrganisationOut, **AUTH_ERRORS},
    summary="One organisation as its registry has it",
)
def organisations_get(request, org_id: str):
    o = organisation_get(org_id=org_id)
    income = None
    if o.income_minor is not None:
        income = {
            "amount_minor": o.income_minor,
            "currency": o.income_currency,
            "period_start": o.income_period_start,
            "period_end": o.income_period_end,
        }
    return {
        **{
            f: getattr(o, f)
            for f in (
                "org_id",
                "registry_number",
                "name",
                "other_names",
                "country",
                "status",
                "status_detail",
                "registered_on",
                "removed_on",
                "removal_reason",
                "categories",
                "raw_codes",
                "website",
                "email_domain",
            )
        },
        "income": income,
        "address": {
            "street": o.street,
            "city": o.city,
            "region": o.region,
            "postcode": o.postcode,
            "country": o.country,
        },
        "source": o.source,
    }
