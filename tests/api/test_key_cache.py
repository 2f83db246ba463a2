"""A web process remembers the API keys it authenticated for API_KEY_CACHE_SECONDS (partners.services), and counts
a request with one statement (one round trip on PostgreSQL)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from partners.models import ApiKey, ApiKeyWindow
from partners.services import api_key_authenticate, api_key_count_request, api_keys_forget

SEARCH = "/api/v1/organisations"


@pytest.fixture(autouse=True)
def _forget():
    api_keys_forget()
    yield
    api_keys_forget()


@pytest.mark.django_db
def test_a_remembered_key_is_not_read_again(make_key, django_assert_num_queries, settings):
    settings.API_KEY_CACHE_SECONDS = 5
    key, raw = make_key()
    assert api_key_authenticate(raw=raw).pk == key.pk  # read (and its last use written)
    with django_assert_num_queries(0):
        assert api_key_authenticate(raw=raw).pk == key.pk
    with django_assert_num_queries(0):  # a wrong secret with the same prefix is still refused
        assert api_key_authenticate(raw=raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")) is None


@pytest.mark.django_db
def test_another_process_revoking_a_key_is_seen_within_the_cache_time(make_key, settings):
    """An UPDATE that this process's signals do not see stands for a revocation made by another web process."""
    settings.API_KEY_CACHE_SECONDS = 5
    key, raw = make_key()
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get(SEARCH, {"q": "x"}).status_code == 200
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
    assert client.get(SEARCH, {"q": "x"}).status_code == 200  # remembered for up to 5 s
    import partners.services

    later = partners.services.time.monotonic() + 6
    with mock.patch.object(partners.services.time, "monotonic", return_value=later):
        assert client.get(SEARCH, {"q": "x"}).status_code == 401


@pytest.mark.django_db
def test_without_the_cache_a_revocation_elsewhere_is_seen_at_once(make_key, settings):
    settings.API_KEY_CACHE_SECONDS = 0
    key, raw = make_key()
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get(SEARCH, {"q": "x"}).status_code == 200
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
    assert client.get(SEARCH, {"q": "x"}).status_code == 401


@pytest.mark.django_db
def test_a_partner_deactivated_or_a_key_edited_here_is_seen_at_once(make_key, partner, settings):
    settings.API_KEY_CACHE_SECONDS = 300
    key, raw = make_key()
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get(SEARCH, {"q": "x"}).status_code == 200
    key.scopes = ["coupons:redeem"]
    key.save()
    assert client.get(SEARCH, {"q": "x"}).status_code == 403  # the key was read again: its new scopes apply
    partner.is_active = False
    partner.save()
    assert client.get(SEARCH, {"q": "x"}).status_code == 401


@pytest.mark.django_db
def test_last_use_is_written_once_a_minute_with_a_remembered_key(make_key, settings):
    settings.API_KEY_CACHE_SECONDS = 300
    key, raw = make_key()
    now = timezone.now()
    api_key_authenticate(raw=raw, now=now)
    with mock.patch.object(ApiKey.objects, "filter", wraps=ApiKey.objects.filter) as filtered:
        api_key_authenticate(raw=raw, now=now + timedelta(seconds=30))
        assert not filtered.called  # no read, no write within the minute
        api_key_authenticate(raw=raw, now=now + timedelta(seconds=90))
        assert filtered.call_count == 1  # the last use, written again
    assert ApiKey.objects.get(pk=key.pk).last_used_at == now + timedelta(seconds=90)


@pytest.mark.django_db
def test_the_count_creates_the_minute_then_adds_to_it_in_one_statement(make_key, django_assert_num_queries):
    key, _raw = make_key()
    now = timezone.now().replace(second=10)
    with django_assert_num_queries(1):
        assert api_key_count_request(api_key=key, now=now) == 1
    with django_assert_num_queries(1):
        assert api_key_count_request(api_key=key, now=now + timedelta(seconds=20)) == 2
    assert api_key_count_request(api_key=key, now=now + timedelta(minutes=1)) == 1  # the next minute
    assert sorted(ApiKeyWindow.objects.filter(api_key=key).values_list("count", flat=True)) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_the_count_outside_a_transaction_commits_and_leaves_none_open(make_key):
    """PostgreSQL sends BEGIN, SET LOCAL, the upsert and COMMIT at once: the count is committed, no transaction
    is left open, and the connection's own commit mode is unchanged (SQLite: the upsert alone)."""
    key, _raw = make_key()
    now = timezone.now().replace(second=10)
    assert api_key_count_request(api_key=key, now=now) == 1
    assert api_key_count_request(api_key=key, now=now) == 2
    assert connection.get_autocommit() and not connection.in_atomic_block
    if connection.vendor == "postgresql":
        assert connection.connection.info.transaction_status == 0  # idle: nothing left open
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"  # SET LOCAL ended with its transaction
    with transaction.atomic():  # inside a transaction: the plain statement, committed with the caller's work
        assert api_key_count_request(api_key=key, now=now) == 3
    assert ApiKeyWindow.objects.get(api_key=key).count == 3


@pytest.mark.django_db
def test_a_program_saved_here_is_read_again_with_the_key(make_key, partner, settings):
    from partners.services import _recent_keys

    settings.API_KEY_CACHE_SECONDS = 300
    _key, raw = make_key()
    assert api_key_authenticate(raw=raw).partner.program.discount_percent != 10
    program = partner.program
    program.discount_percent = 10
    program.save()
    assert not _recent_keys
    assert api_key_authenticate(raw=raw).partner.program.discount_percent == 10
