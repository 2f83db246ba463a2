"""Schemathesis against the OpenAPI document, on a seeded database: no server error, and every response (status,
headers, body) as the document describes it. Each operation gets generated valid and invalid requests."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from vouch.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# Unknown query parameters are ignored, as most HTTP APIs do (a future optional parameter must not break old
# clients), so requests that add some are not "schema-violating" here.
schema.config.generation.update(allow_extra_parameters=False)

# Not "positive data acceptance": a request can match the schema and still be refused for what it says (an unknown
# coupon code, an email that does not exist) with a documented 4xx.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.ignored_auth,
]


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """The WSGI handler closes the database connection after each request, which would end the test's
    transaction; Django's own test client disconnects the same handlers."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded_key(us_registry, make_key, wsgi_keeps_the_test_connection):
    """One key with every scope, a budget no generated run reaches, over the real BMF samples."""
    _key, raw = make_key(requests_per_minute=100_000)
    return raw


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_matches_its_openapi_document(case, seeded_key):
    case.call_and_validate(headers={"Authorization": f"Bearer {seeded_key}"}, checks=CHECKS)
