"""The Reconciliation API 0.2 endpoints, every response checked against the spec's own JSON schemas."""

import json
from urllib.parse import quote, urlsplit

import pytest
from django.core.cache import cache
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

from api.reconcile.schemas import QueryBatchIn
from tests.conftest import SPECS

SPEC = SPECS / "reconciliation" / "0.2"
SCHEMA_BASE = "https://reconciliation-api.github.io/specs/0.2/schemas/"
URL = "/api/v1/reconcile"
VALDEZ = "US-EIN-010564885"
IES_RI = "US-EIN-061393504"  # ILLUMINATING ENGINEERING SOCIETY, Providence RI; a namesake is in Anchorage AK
IES_AK = "US-EIN-061358836"


def _registry() -> Registry:
    resources = []
    for path in sorted((SPEC / "schemas").glob("*.json")):
        contents = json.loads(path.read_text())
        resource = DRAFT7.create_resource(contents)
        # Files are named apart from some $ids (reconciliation-query-batch.json says reconciliation-query.json):
        # register both, so references by either name resolve.
        for uri in {contents["$id"].rstrip("#"), SCHEMA_BASE + path.name}:
            resources.append((uri, resource))
    return Registry().with_resources(resources)


REGISTRY = _registry()
# Example folders without a schema file of their own are checked against the part of a schema that defines them.
# Not security-scheme: its examples use OpenAPI 3 ("type": "http") while the manifest schema refers to Swagger 2.
EXAMPLE_SCHEMAS = {
    "manifest": "manifest.json",
    "reconciliation-query-batch": "reconciliation-query-batch.json",
    "reconciliation-result-batch": "reconciliation-result-batch.json",
    "reconciliation-candidate": "reconciliation-result-batch.json#/patternProperties/^.*$/properties/result/items",
    "suggest-entities-response": "suggest-entities-response.json",
    "suggest-properties-response": "suggest-properties-response.json",
    "suggest-types-response": "suggest-types-response.json",
    "preview-metadata": "manifest.json#/properties/preview",
    "suggest-metadata": "manifest.json#/properties/suggest/definitions/service_definition",
    "data-extension-metadata": "manifest.json#/properties/extend",
    "data-extension-query": "data-extension-query.json",
    "data-extension-response": "data-extension-response.json",
    "data-extension-property-proposal": "data-extension-property-proposal.json",
}


def validator(name: str) -> Draft7Validator:
    return Draft7Validator({"$ref": SCHEMA_BASE + quote(name, safe="/#.:-")}, registry=REGISTRY)


def examples(kind: str):
    for folder, schema in EXAMPLE_SCHEMAS.items():
        for path in sorted((SPEC / "examples" / folder / kind).glob("*.json")):
            yield pytest.param(schema, path, id=f"{folder}/{path.name}")


@pytest.mark.parametrize(("schema", "path"), list(examples("valid")))
def test_spec_valid_examples_validate(schema, path):
    validator(schema).validate(json.loads(path.read_text()))


@pytest.mark.parametrize(("schema", "path"), list(examples("invalid")))
def test_spec_invalid_examples_do_not_validate(schema, path):
    assert not validator(schema).is_valid(json.loads(path.read_text()))


def test_the_validator_rejects_what_the_schemas_forbid():
    assert not validator("manifest.json").is_valid(
        {
            "versions": ["0.2"],
            "name": "x",
            "identifierSpace": "i",
            "schemaSpace": "s",
            "defaultTypes": [{"id": "no-name"}],
        }
    )
    assert not validator("suggest-entities-response.json").is_valid({"result": [{"id": "x"}]})


def _batch_examples():
    folder = SPEC / "examples" / "reconciliation-query-batch"
    return [
        pytest.param(p, kind == "valid", id=f"{kind}/{p.name}")
        for kind in ("valid", "invalid")
        for p in sorted((folder / kind).glob("*.json"))
    ]


@pytest.mark.parametrize(("path", "valid"), _batch_examples())
def test_request_models_agree_with_the_query_batch_schema(path, valid):
    data = json.loads(path.read_text())
    assert validator("reconciliation-query-batch.json").is_valid(data) is valid
    try:
        QueryBatchIn.model_validate(data)
        accepted = True
    except ValueError:
        accepted = False
    assert accepted is valid


@pytest.mark.parametrize(
    "batch",
    [
        [{"query": "x"}],
        {"q": {"query": None}},
        {"q": {"query": "x", "limit": "3"}},
        {"q": {"query": "x", "limit": True}},
        {"q": {"query": 3}},
        {"q": {"query": "x", "type_strict": "maybe"}},
        {"q": {"properties": [{"pid": "country"}]}},
    ],
)
def test_request_models_refuse_what_the_schema_refuses(batch):
    assert not validator("reconciliation-query-batch.json").is_valid(batch)
    with pytest.raises(ValueError):
        QueryBatchIn.model_validate(batch)


# Endpoints -----------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_budget(db):
    cache.clear()


def reconcile(client, batch, method="post"):
    payload = {"queries": json.dumps(batch)}
    response = client.post(URL, payload) if method == "post" else client.get(URL, payload)
    assert response["Access-Control-Allow-Origin"] == "*"
    if response.status_code == 200:
        validator("reconciliation-result-batch.json").validate(response.json())
    return response


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]


@pytest.mark.django_db
def test_manifest(client, us_registry):
    response = client.get(URL)
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    manifest = response.json()
    validator("manifest.json").validate(manifest)
    assert manifest["versions"] == ["0.2"] and manifest["identifierSpace"] == "https://org-id.guide/"
    assert manifest["view"]["url"] == "http://testserver/en/organisations/{{id}}/"
    # Every template and service it announces answers, for a real organisation.
    page = client.get(urlsplit(manifest["view"]["url"].replace("{{id}}", VALDEZ)).path)
    assert page.status_code == 200 and b"VALDEZ JUNIOR RIFLE CLUB" in page.content
    preview_url = urlsplit(manifest["preview"]["url"].replace("{{id}}", quote(VALDEZ)))
    assert client.get(f"{preview_url.path}?{preview_url.query}").status_code == 200
    suggest = manifest["suggest"]["entity"]
    found = client.get(urlsplit(suggest["service_url"] + suggest["service_path"]).path, {"prefix": "valdez jun"})
    assert found.json()["result"][0]["id"] == VALDEZ
    french = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french["view"]["url"] == "http://testserver/fr/organisations/{{id}}/"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_exact_name_is_a_match(client, us_registry, method):
    body = reconcile(client, {"q0": {"query": "Valdez Junior Rifle Club", "limit": 3}}, method).json()
    top = body["q0"]["result"][0]
    assert top["id"] == VALDEZ and top["match"] is True and top["score"] == 99
    assert top["type"] == [{"id": "Organization", "name": "Organisation"}] and "VALDEZ, AK, US" in top["description"]
    assert len(body["q0"]["result"]) <= 3


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["01-0564885", "010564885", 10564885, "US-EIN-010564885"])
def test_registry_number_agreeing_scores_100(client, us_registry, number):
    batch = {
        "q": {"query": "Valdez shooting club", "properties": [{"pid": "registry_number", "v": number}]},
        "by_number_only": {"properties": [{"pid": "registry_number", "v": [number]}]},
    }
    body = reconcile(client, batch).json()
    for query_id in batch:
        top = body[query_id]["result"][0]
        assert (top["id"], top["score"], top["match"]) == (VALDEZ, 100, True)
        assert {"id": "registry_number_match", "value": True} in top["features"]
        assert [c["match"] for c in body[query_id]["result"]].count(True) == 1


@pytest.mark.django_db
def test_the_identifier_as_the_query_is_found(client, us_registry):
    top = reconcile(client, {"q": {"query": VALDEZ}}).json()["q"]["result"][0]
    assert (top["id"], top["score"], top["match"]) == (VALDEZ, 100, True)


@pytest.mark.django_db
def test_typo_still_found_but_not_a_certain_match(client, us_registry):
    result = reconcile(client, {"q": {"query": "valdez junir rifle clb"}}).json()["q"]["result"]
    assert result[0]["id"] == VALDEZ and result[0]["match"] is False and 50 < result[0]["score"] < 99


@pytest.mark.django_db
def test_country_filters(client, us_registry):
    batch = {
        q: {"query": "valdez junior rifle club", "properties": [{"pid": "country", "v": v}]}
        for q, v in (("us", "us"), ("gb", "GB"), ("either", ["GB", {"id": "US", "name": "United States"}]))
    }
    body = reconcile(client, batch).json()
    assert body["us"]["result"][0]["id"] == VALDEZ and body["either"]["result"][0]["id"] == VALDEZ
    assert body["gb"]["result"] == []
    bad = reconcile(client, {"q": {"query": "x", "properties": [{"pid": "country", "v": "USA"}]}})
    assert error_of(bad, 400)["code"] == "invalid_reconciliation_query"


@pytest.mark.django_db
def test_postcode_separates_namesakes(client, us_registry):
    alone = reconcile(client, {"q": {"query": "Illuminating Engineering Society"}}).json()["q"]["result"]
    assert {c["id"] for c in alone[:2]} == {IES_RI, IES_AK} and not any(c["match"] for c in alone)
    batch = {"q": {"query": "Illuminating Engineering Society", "properties": [{"pid": "postcode", "v": "02910"}]}}
    result = reconcile(client, batch).json()["q"]["result"]
    assert (result[0]["id"], result[0]["match"]) == (IES_RI, True)
    other = next(c for c in result if c["id"] == IES_AK)
    assert result[0]["score"] > other["score"] and other["match"] is False


@pytest.mark.django_db
def test_postcode_finds_one_of_many_namesakes(client, us_registry):
    from registry.models import Organisation

    rotaries = list(Organisation.objects.filter(name="ROTARY INTERNATIONAL").values_list("org_id", "postcode"))
    assert len(rotaries) > 50  # more than the search returns for one name
    zips = [p[:5] for _, p in rotaries]
    org_id, postcode = next((o, p) for o, p in reversed(rotaries) if zips.count(p[:5]) == 1)
    batch = {"q": {"query": "Rotary International", "limit": 1, "properties": [{"pid": "postcode", "v": postcode}]}}
    top = reconcile(client, batch).json()["q"]["result"][0]
    assert (top["id"], top["match"]) == (org_id, True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[1, 2]",
        '{"q": {"limit": 1}}',
        '{"q": {"query": "x", "props": []}}',
        '{"q": {"query": "x", "properties": [{"pid": "colour", "v": "red"}]}}',
        '{"q": {"query": "x", "limit": Infinity}}',
        '{"q": {"query": "x", "limit": NaN}}',
        "[" * 100_000,
    ],
)
def test_malformed_batches_are_clear_400s(client, us_registry, raw):
    for response in (client.post(URL, {"queries": raw}), client.get(URL, {"queries": raw})):
        error = error_of(response, 400)
        assert error["code"] == "invalid_reconciliation_query" and error["message"]


@pytest.mark.django_db
def test_batch_size_is_capped(client, us_registry):
    fifty = {f"q{i}": {"query": "valdez"} for i in range(50)}
    assert len(reconcile(client, fifty).json()) == 50
    error = error_of(reconcile(client, {**fifty, "q50": {"query": "valdez"}}), 400)
    assert error["code"] == "reconciliation_batch_too_large" and error["details"]["max_queries"] == 50
    assert error_of(client.post(URL, {"queries": " " * 200_001}), 413)["code"] == "reconciliation_batch_too_large"
    assert error_of(client.post(URL, {}), 400)["code"] == "invalid_reconciliation_query"
    broken = client.post(URL, "queries=", content_type="multipart/form-data")  # no boundary: unreadable
    assert error_of(broken, 400)["code"] == "invalid_reconciliation_query"
    too_many_fields = "&".join(f"f{i}=1" for i in range(1001))
    for path in ("", "/suggest/entity", "/preview"):
        assert error_of(client.get(f"{URL}{path}?{too_many_fields}"), 400)["code"] == "invalid_input"
    repeated = error_of(client.get(f"{URL}/suggest/type?cursor=1&cursor=x"), 400)
    assert repeated["code"] == "invalid_input" and repeated["details"]["parameters"] == ["cursor"]


@pytest.mark.django_db
def test_long_text_and_limit_are_bounded(client, us_registry):
    body = reconcile(client, {"q": {"query": "valdez " * 500, "limit": 10_000}}).json()
    assert len(body["q"]["result"]) <= 25
    assert reconcile(client, {"q": {"query": "valdez", "limit": 0}}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["", "/suggest/entity", "/suggest/property", "/suggest/type", "/preview"])
def test_cors_preflight(client, path):
    response = client.options(
        URL + path, HTTP_ORIGIN="https://openrefine.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert response.status_code == 204 and response["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response["Access-Control-Allow-Methods"]


@pytest.mark.django_db
def test_suggest_entity(client, us_registry):
    url = URL + "/suggest/entity"
    for prefix in ("valdez junior ri", VALDEZ, "01-0564885"):
        response = client.get(url, {"prefix": prefix})
        assert response["Access-Control-Allow-Origin"] == "*"
        validator("suggest-entities-response.json").validate(response.json())
        assert response.json()["result"][0]["id"] == VALDEZ
    first, second = (client.get(url, {"prefix": "rotary", "cursor": c}).json()["result"] for c in (0, 10))
    assert len(first) == 10 and not {r["id"] for r in first} & {r["id"] for r in second}
    assert client.get(url, {"prefix": "rotary", "cursor": 5000}).json() == {"result": []}
    assert error_of(client.get(url, {"prefix": "x", "cursor": -1}), 422)["code"] == "invalid_input"


@pytest.mark.django_db
def test_suggest_property_and_type(client):
    properties = client.get(URL + "/suggest/property", {"prefix": "post"}).json()
    validator("suggest-properties-response.json").validate(properties)
    assert [p["id"] for p in properties["result"]] == ["postcode"]
    everything = client.get(URL + "/suggest/property", {"prefix": ""}).json()["result"]
    assert {p["id"] for p in everything} == {"country", "registry_number", "postcode"}
    types = client.get(URL + "/suggest/type", {"prefix": "org"}).json()
    validator("suggest-types-response.json").validate(types)
    assert types["result"][0]["id"] == "Organization"


@pytest.mark.django_db
def test_preview_escapes_hostile_names(client):
    from tests.coupons.factories import make_organisation

    hostile = make_organisation("US-EIN-990000001")
    hostile.name = '<script>alert(1)</script><img src=x onerror="alert(2)"> & Co'
    hostile.other_names = [{"kind": "known_as", "name": "</dd><iframe src=//evil>"}]
    hostile.city = "<b>Anchorage</b>"
    hostile.save()
    response = client.get(URL + "/preview", {"id": hostile.org_id})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<script" not in html and "<img" not in html and "<iframe" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&amp; Co" in html
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response and response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.django_db
def test_preview_labels_are_translated_and_unknown_ids_are_404(client, us_registry):
    french = client.get(URL + "/preview", {"id": VALDEZ}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "VALDEZ JUNIOR RIFLE CLUB" in french and "Identifiant" in french and "Statut" in french
    assert 'href="http://testserver/fr/organisations/US-EIN-010564885/"' in french
    assert error_of(client.get(URL + "/preview", {"id": "US-EIN-999999999"}), 404)["code"] == "organisation_not_found"


@pytest.mark.django_db
def test_rate_limit_per_client(client, us_registry, settings):
    settings.RECONCILE_BUDGET_PER_MINUTE = 4
    assert reconcile(client, {"a": {"query": "valdez"}, "b": {"query": "rotary"}}).status_code == 200
    assert client.get(URL + "/suggest/property", {"prefix": ""}).status_code == 200
    assert client.get(URL).status_code == 200
    limited = client.get(URL)
    error = error_of(limited, 429)
    assert error["code"] == "rate_limited" and 1 <= int(limited["Retry-After"]) <= 60
    assert error_of(reconcile(client, {"a": {"query": "valdez"}}), 429)["code"] == "rate_limited"
    other = client.get(URL, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200


def test_openapi_describes_the_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("", "/suggest/entity", "/suggest/property", "/suggest/type", "/preview"):
        operations = spec["paths"][URL + path]
        assert "options" not in operations
        for operation in operations.values():
            assert operation["summary"] and "429" in operation["responses"]
    assert {"get", "post"} <= set(spec["paths"][URL])
    assert "text/html" in spec["paths"][URL + "/preview"]["get"]["responses"]["200"]["content"]
