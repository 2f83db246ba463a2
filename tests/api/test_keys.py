"""API keys: shown once and stored hashed, scoped, revocable, and limited per minute with 429 + Retry-After."""

import threading

import pytest
from django.db import connection
from django.test import Client

from partners.models import ApiKey, ApiKeyWindow
from partners.services import api_key_create, api_key_revoke, api_key_windows_prune, partner_create

SEARCH = "/api/v1/organisations"


def _error(response) -> dict:
    assert set(response.json()) == {"error"}
    return response.json()["error"]


@pytest.mark.django_db
def test_no_key_or_a_forged_key_is_refused_with_the_error_shape(make_key):
    assert _error(Client().get(SEARCH, {"q": "x"}))["code"] == "authentication_required"
    _key, raw = make_key()
    forged = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    for header in (f"Bearer {forged}", "Bearer vch_nothing", f"Basic {raw}", raw):
        response = Client(headers={"Authorization": header}).get(SEARCH, {"q": "x"})
        assert response.status_code == 401 and _error(response)["code"] == "authentication_required"
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get(SEARCH, {"q": "x"}).status_code == 200


@pytest.mark.django_db
def test_the_key_is_stored_only_as_a_hash(make_key):
    key, raw = make_key()
    stored = ApiKey.objects.filter(pk=key.pk).values().get()
    secret = raw.removeprefix(f"vch_{key.prefix}_")  # (the secret itself may contain "_")
    assert raw.startswith(f"vch_{key.prefix}_") and len(secret) == 43 and len(key.key_hash) == 64
    assert raw not in str(stored) and secret not in str(stored)


@pytest.mark.django_db
def test_a_key_without_the_scope_is_refused_with_403(api_client):
    client = api_client(["coupons:redeem"])
    response = client.get(SEARCH, {"q": "x"})
    assert response.status_code == 403
    error = _error(response)
    assert error["code"] == "scope_missing" and error["details"]["required_scope"] == "organisations:read"


@pytest.mark.django_db
def test_a_revoked_key_and_a_deactivated_partner_authenticate_nobody(make_key, key_admin, partner):
    key, raw = make_key()
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get(SEARCH, {"q": "x"}).status_code == 200
    api_key_revoke(api_key=key, actor=key_admin)
    assert client.get(SEARCH, {"q": "x"}).status_code == 401
    _other, raw = make_key()
    partner.is_active = False
    partner.save()
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get(SEARCH, {"q": "x"}).status_code == 401


@pytest.mark.django_db
def test_only_key_managers_create_and_revoke_keys(django_user_model, partner, make_key):
    from core.errors import PermissionDenied

    reviewer = django_user_model.objects.create_user("rita", "rita@verifier.example", "x", is_staff=True)
    with pytest.raises(PermissionDenied):
        api_key_create(partner=partner, name="mine", scopes=["organisations:read"], actor=reviewer)
    with pytest.raises(PermissionDenied):
        partner_create(name="Other", program=partner.program, actor=reviewer)
    key, _raw = make_key()
    with pytest.raises(PermissionDenied):
        api_key_revoke(api_key=key, actor=reviewer)
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None


@pytest.mark.django_db
def test_unknown_scopes_are_refused(partner, key_admin):
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        api_key_create(partner=partner, name="x", scopes=["organisations:read", "everything"], actor=key_admin)
    assert error.value.code == "scope_invalid" and error.value.details["unknown"] == ["everything"]


@pytest.mark.django_db
def test_past_its_limit_a_key_gets_429_with_retry_after(api_client):
    client = api_client(["organisations:read"], requests_per_minute=3)
    assert [client.get(SEARCH, {"q": "x"}).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(SEARCH, {"q": "x"})
    assert response.status_code == 429 and _error(response)["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert _error(response)["details"]["limit_per_minute"] == 3


@pytest.mark.django_db
def test_each_key_has_its_own_budget(api_client):
    first, second = api_client(requests_per_minute=1), api_client(requests_per_minute=1)
    assert first.get(SEARCH, {"q": "x"}).status_code == 200
    assert first.get(SEARCH, {"q": "x"}).status_code == 429
    assert second.get(SEARCH, {"q": "x"}).status_code == 200


@pytest.mark.django_db
def test_old_windows_are_pruned(make_key):
    from datetime import timedelta

    from django.utils import timezone

    key, _raw = make_key()
    ApiKeyWindow.objects.create(api_key=key, window_start=timezone.now() - timedelta(hours=2), count=5)
    assert api_key_windows_prune() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_are_counted_exactly(make_key):
    """20 threads each count 5 requests at once on a limit of 60: exactly 60 pass, and the window says 100."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    from django.utils import timezone

    from core.errors import RateLimited
    from partners.services import api_key_count_request

    key, _raw = make_key(requests_per_minute=60)
    passed, barrier = [], threading.Barrier(20)
    now = timezone.now().replace(second=30)  # one minute window for every thread, whatever the clock does

    def worker():
        barrier.wait()
        try:
            for _ in range(5):
                try:
                    api_key_count_request(api_key=key, now=now)
                    passed.append(1)
                except RateLimited:
                    pass
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(passed) == 60
    assert ApiKeyWindow.objects.get(api_key=key).count == 100


@pytest.mark.django_db
def test_a_request_with_too_many_fields_is_a_client_error_not_a_crash(api_client):
    client = api_client(["organisations:read"])
    query = "&".join(f"f{i}=x" for i in range(1200))
    response = client.get(f"{SEARCH}?q=x&{query}")
    assert response.status_code == 400 and _error(response)["code"] == "invalid_request"
