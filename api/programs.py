"""A program's published rules: public (no key), cached by ETag, labels in the request's language
(Accept-Language). The schema below is published in the OpenAPI document."""

import hashlib
from datetime import datetime
from typing import Literal

import orjson
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from api.schemas import ErrorOut
from programs.selectors import program_get, program_rulebook

router = Router(tags=["programs"])


class RegisterOut(Schema):
    slug: str = Field(..., description="The register's source slug, e.g. gb-ccew")
    name: str


class DocumentKindOut(Schema):
    code: str = Field(..., description="A document kind code (programs.documents.DocumentKind)")
    label: str


class CountryOut(Schema):
    code: str = Field(..., description="ISO 3166-1 alpha-2 code", min_length=2, max_length=2)
    name: str
    registers: list[RegisterOut] = Field(..., description="The imported registers that settle an organisation")
    documents: list[DocumentKindOut] = Field(
        ..., description="Documents accepted instead, with a review, where no register settles it (else empty)"
    )


class CountryNameOut(Schema):
    code: str = Field(..., min_length=2, max_length=2)
    name: str


class ExclusionOut(Schema):
    code: str = Field(..., description="A category code (docs/categories.md)")
    label: str


class ProductOut(Schema):
    code: str
    name: str
    kind: Literal["base_plan", "add_on", "other"]
    billing_cycle: Literal["annual"] = Field(..., description="The discount covers annual subscriptions only")


class MoneyOut(Schema):
    amount_minor: int = Field(..., description="In minor units of the currency (cents)")
    currency: str = Field(..., description="ISO 4217 code", min_length=3, max_length=3)


class RulesOut(Schema):
    slug: str
    name: str = Field(..., description="The program's name in the request's language")
    vendor: str
    version: int = Field(..., description="The rules version in force (1, 2, 3…); 0 before the first is published")
    published_at: datetime | None = Field(..., description="When this rules version was published")
    budget_cap: MoneyOut = Field(..., description="The largest annual operating budget served (inclusive)")
    discount_percent: str = Field(..., description='A decimal number as a string, e.g. "50"')
    countries: list[CountryOut]
    sanctioned_countries: list[CountryNameOut]
    exclusions: list[ExclusionOut]
    products: list[ProductOut]
    decision_promise_business_days: int = Field(..., description="A decision is promised within this many days")
    application_expiry_days: int
    coupon_redeem_days: int
    terms_version: str
    privacy_version: str


@router.get(
    "/programs/{slug}/rules",
    response={200: RulesOut, 304: None, 404: ErrorOut},
    auth=None,
    summary="A program's published rules (public; ETag and If-None-Match)",
    operation_id="program_rules",
    url_name="program_rules",
)
def program_rules(request: HttpRequest, slug: str):
    rules = RulesOut(**program_rulebook(program_get(slug=slug))).model_dump(mode="json")
    body = orjson.dumps(rules)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Vary": "Accept-Language", "Cache-Control": "public, max-age=300"}
    if etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
        return _with(HttpResponse(status=304), headers)
    return _with(HttpResponse(body, content_type="application/json"), headers)


def _with(response: HttpResponse, headers: dict[str, str]) -> HttpResponse:
    for name, value in headers.items():
        response[name] = value
    return response
