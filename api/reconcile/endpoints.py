import json

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Query, Router
from pydantic import ValidationError

from api.reconcile import preview
from api.reconcile.http import client_budget_take, preflight, with_cors
from api.reconcile.schemas import (
    BATCH_OPENAPI_SCHEMA,
    ManifestOut,
    QueryBatchIn,
    QueryResultOut,
    SuggestEntitiesOut,
    SuggestItemsOut,
)
from api.schemas import ErrorOut
from core.errors import InvalidInput
from registry import reconciliation as recon
from registry.selectors import organisation_get

router = Router(tags=["reconciliation"])
router.add_decorator(with_cors, mode="view")

VERSION = "0.2"
MAX_BATCH = 50
MAX_BATCH_CHARS = 200_000
SUGGEST_PAGE = 10
TYPE_ID = "Organization"
IDENTIFIER_SPACE = "https://org-id.guide/"
SCHEMA_SPACE = "https://schema.org/Organization"
ERRORS = {400: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}
BATCH_HELP = (
    "A reconciliation query batch, JSON-encoded: an object of query ids to queries "
    '(`{"q0": {"query": "valdez junior rifle club", "limit": 3, "properties": [{"pid": "country", '
    '"v": "US"}]}}`). Omit it (GET) to receive the service manifest.'
)


class BatchTooLarge(InvalidInput):
    code = "reconciliation_batch_too_large"
    http_status = 413


def _type() -> dict:
    return {"id": TYPE_ID, "name": gettext("Organisation")}


def _properties() -> list[dict]:
    return [
        {
            "id": recon.PROPERTY_COUNTRY,
            "name": gettext("Country"),
            "description": gettext("ISO 3166-1 alpha-2 code, e.g. US, GB, FR; filters the candidates"),
        },
        {
            "id": recon.PROPERTY_REGISTRY_NUMBER,
            "name": gettext("Registry number"),
            "description": gettext("The number in its register, in any common form; agreeing gives score 100"),
        },
        {
            "id": recon.PROPERTY_POSTCODE,
            "name": gettext("Postcode"),
            "description": gettext("Postcode or ZIP code; agreeing raises the score"),
        },
    ]


def _base(request) -> str:
    return request.build_absolute_uri(request.path).rstrip("/")


def _view_url(request, org_id: str) -> str:
    path = reverse("registry:detail", kwargs={"org_id": "ORG-ID-PLACEHOLDER"})
    return request.build_absolute_uri(path).replace("ORG-ID-PLACEHOLDER", org_id)


def _manifest(request) -> dict:
    base = _base(request)
    return {
        "versions": [VERSION],
        "name": gettext("Vouch organisation registry"),
        "identifierSpace": IDENTIFIER_SPACE,
        "schemaSpace": SCHEMA_SPACE,
        "defaultTypes": [_type()],
        "documentation": request.build_absolute_uri(reverse("api-v1:openapi-view")),
        "serviceVersion": "1",
        "batchSize": MAX_BATCH,
        "view": {"url": _view_url(request, "{{id}}")},
        "preview": {"url": f"{base}/preview?id={{{{id}}}}", "width": preview.WIDTH, "height": preview.HEIGHT},
        "suggest": {
            "entity": {"service_url": base, "service_path": "/suggest/entity"},
            "property": {"service_url": base, "service_path": "/suggest/property"},
            "type": {"service_url": base, "service_path": "/suggest/type"},
        },
    }


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")  # Python's parser accepts NaN and Infinity; JSON does not


def _batch_parse(raw: str) -> QueryBatchIn:
    if len(raw) > MAX_BATCH_CHARS:
        raise BatchTooLarge(
            f"`queries` is longer than {MAX_BATCH_CHARS} characters", details={"max_chars": MAX_BATCH_CHARS}
        )
    try:
        data = json.loads(raw, parse_constant=_not_json)
    except (ValueError, RecursionError) as exc:
        raise recon.InvalidReconciliationQuery(
            "`queries` is not valid JSON", details={"reason": str(exc)[:200]}
        ) from None
    if isinstance(data, dict) and len(data) > MAX_BATCH:
        # 400, not 413: the batch is too long, not the body (schema-driven clients read 413 as a transport limit).
        raise recon.InvalidReconciliationQuery(
            f"a batch holds at most {MAX_BATCH} queries",
            code="reconciliation_batch_too_large",
            details={"max_queries": MAX_BATCH, "queries": len(data)},
        )
    try:
        return QueryBatchIn.model_validate(data)
    except ValidationError as exc:
        errors = [{"loc": [str(part) for part in e["loc"]][:6], "msg": e["msg"][:200]} for e in exc.errors()[:20]]
        raise recon.InvalidReconciliationQuery(
            "`queries` is not a reconciliation query batch (see the spec's reconciliation-query-batch schema)",
            details={"errors": errors},
        ) from None


def _batch_run(request, raw: str) -> dict:
    batch = _batch_parse(raw).root
    built = {}
    for query_id, q in batch.items():
        try:
            built[query_id] = recon.reconciliation_query_build(
                text=q.query or "",
                limit=q.limit if q.limit is not None else recon.DEFAULT_LIMIT,
                properties=[(p.pid, p.values()) for p in q.properties or []],
            )
        except recon.InvalidReconciliationQuery as exc:
            exc.details = {"query_id": query_id[:40], **exc.details}
            raise
    client_budget_take(request, cost=len(built))
    return {
        query_id: {"result": [_candidate_out(c) for c in recon.reconciliation_candidates(query=query)]}
        for query_id, query in built.items()
    }


def _candidate_out(c: recon.Candidate) -> dict:
    return {
        "id": c.org_id,
        "name": c.name,
        "score": c.score,
        "match": c.match,
        "type": [_type()],
        "description": recon.entity_description(
            city=c.city, region=c.region, country=c.country, registry_number=c.registry_number, removed=c.removed
        ),
        "features": [{"id": key, "value": value} for key, value in c.features],
    }


def _form_field(request, method: str) -> str | None:
    """`queries` from the query string or the form; a body Django cannot parse is the client's error, not ours."""
    try:
        return getattr(request, method).get("queries")
    except RequestDataTooBig:
        raise BatchTooLarge("the request body is too large") from None
    except (MultiPartParserError, SuspiciousOperation) as exc:
        raise recon.InvalidReconciliationQuery(f"the request could not be read: {str(exc)[:120]}") from None


RESPONSES_GET = {200: ManifestOut | dict[str, QueryResultOut], **ERRORS}
# `queries` is read from the request rather than the signature: OpenAPI then describes it as what it is, a
# JSON-encoded batch (with its schema), and one error code covers a missing, malformed or unacceptable batch.
QUERIES_PARAMETER = {
    "name": "queries",
    "in": "query",
    "required": False,
    "description": BATCH_HELP,
    "content": {"application/json": {"schema": BATCH_OPENAPI_SCHEMA}},
}
QUERIES_FORM = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["queries"],
                "properties": {
                    "queries": {
                        "type": "string",
                        "description": BATCH_HELP,
                        "contentMediaType": "application/json",
                        "contentSchema": BATCH_OPENAPI_SCHEMA,
                    }
                },
            },
        }
    },
}


@router.get(
    "",
    response=RESPONSES_GET,
    summary="Reconciliation service: manifest, or a query batch (GET)",
    description="Without `queries`: the service manifest (Reconciliation API 0.2). With `queries`: the "
    "result batch, one object per query id holding `result`, a list of candidates, best first. "
    "Public and CORS-enabled; rate-limited per client address (429 with Retry-After).",
    openapi_extra={"parameters": [QUERIES_PARAMETER]},
)
def reconcile_get(request):
    queries = _form_field(request, "GET")
    if queries is None:
        client_budget_take(request)
        return _manifest(request)
    return _batch_run(request, queries)


@router.post(
    "",
    response={200: dict[str, QueryResultOut], **ERRORS},
    summary="Reconcile a query batch (form POST, the primary way)",
    description="An application/x-www-form-urlencoded body with the batch in the form field `queries`.",
    openapi_extra={"requestBody": QUERIES_FORM},
)
def reconcile_post(request):
    queries = _form_field(request, "POST")
    if queries is None:
        raise recon.InvalidReconciliationQuery("the form field `queries` is missing")
    return _batch_run(request, queries)


@router.get(
    "/suggest/entity",
    response={200: SuggestEntitiesOut, **ERRORS},
    summary="Suggest organisations by name prefix or identifier (autocomplete)",
)
def reconcile_suggest_entity(
    request,
    prefix: str = Query(..., description="What the user typed so far"),
    cursor: int = Query(0, ge=0, le=10_000, description="Suggestions to skip"),
):
    client_budget_take(request)
    hits = recon.entity_suggestions(prefix=prefix, cursor=cursor, page=SUGGEST_PAGE)
    return {
        "result": [
            {
                "id": h.org_id,
                "name": h.name,
                "notable": [_type()],
                "description": recon.entity_description(
                    city=h.city,
                    region=h.region,
                    country=h.country,
                    registry_number=h.registry_number,
                    removed=h.status != "active",
                ),
            }
            for h in hits
        ]
    }


def _suggest_static(items: list[dict], prefix: str, cursor: int) -> dict:
    typed = prefix.strip().lower()
    found = [i for i in items if not typed or typed in i["id"].lower() or typed in i["name"].lower()]
    return {"result": found[cursor : cursor + SUGGEST_PAGE]}


@router.get(
    "/suggest/property",
    response={200: SuggestItemsOut, **ERRORS},
    summary="Suggest the properties a query may use: country, registry_number, postcode",
)
def reconcile_suggest_property(
    request, prefix: str = Query("", description="What the user typed so far"), cursor: int = Query(0, ge=0, le=10_000)
):
    client_budget_take(request)
    return _suggest_static(_properties(), prefix, cursor)


@router.get("/suggest/type", response={200: SuggestItemsOut, **ERRORS}, summary="Suggest entity types (one)")
def reconcile_suggest_type(
    request, prefix: str = Query("", description="What the user typed so far"), cursor: int = Query(0, ge=0, le=10_000)
):
    client_budget_take(request)
    kind = {**_type(), "description": gettext("An organisation listed by a public register")}
    return _suggest_static([kind], prefix, cursor)


@router.get(
    "/preview",
    response={200: str, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="An HTML card for one organisation, to show in an iframe",
    openapi_extra={
        "responses": {200: {"description": "HTML card", "content": {"text/html": {"schema": {"type": "string"}}}}}
    },
)
def reconcile_preview(request, id: str = Query(..., max_length=100, description="An organisation id")):
    client_budget_take(request)
    organisation = organisation_get(org_id=id)
    return preview.preview_response(organisation=organisation, view_url=_view_url(request, organisation.org_id))


for _path in ("", "/suggest/entity", "/suggest/property", "/suggest/type", "/preview"):
    router.add_api_operation(_path, ["OPTIONS"], preflight, include_in_schema=False)
