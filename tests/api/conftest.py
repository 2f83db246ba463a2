"""Partners and API keys for API tests: `api_client(scopes)` is a test client sending a fresh key."""

import pytest
from django.test import Client

from partners.services import ALL_SCOPES, api_key_create, partner_create
from programs.demo import program_demo_ensure


@pytest.fixture
def key_admin(django_user_model):
    return django_user_model.objects.create_superuser("kim", "kim@verifier.example", "x")


@pytest.fixture
def partner(db, key_admin):
    return partner_create(name="Acme Store", program=program_demo_ensure(), actor=key_admin, sees_all_applications=True)


@pytest.fixture
def make_key(partner, key_admin):
    """make_key(scopes=…, partner=…, requests_per_minute=…) -> (ApiKey, plaintext key)."""

    def make(scopes=None, *, partner=partner, requests_per_minute=1000):
        return api_key_create(
            partner=partner,
            name="test",
            scopes=list(scopes or ALL_SCOPES),
            actor=key_admin,
            requests_per_minute=requests_per_minute,
        )

    return make


@pytest.fixture
def api_client(make_key):
    """api_client(scopes=None, **make_key options) -> a Client whose every request carries the key."""

    def build(scopes=None, **options):
        _key, raw = make_key(scopes, **options)
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return build
