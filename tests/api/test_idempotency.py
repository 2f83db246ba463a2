"""Idempotency-Key: one execution per key, the first response replayed, another body under the same key refused,
records kept at least 24 hours."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import Conflict, InvalidInput, RateLimited
from partners.idempotency import idempotency_records_prune, idempotent_call
from partners.models import IdempotencyRecord


class Work:
    """Counts its runs; returns a new id each time so a replay is visible."""

    def __init__(self, fail_with=None):
        self.runs, self.fail_with = 0, fail_with

    def __call__(self):
        self.runs += 1
        if self.fail_with:
            raise self.fail_with
        return 201, {"id": self.runs}


def call(partner, work, *, key="k-1", body=b'{"a": 1}', now=None, path="/api/v1/things"):
    return idempotent_call(partner=partner, key=key, method="POST", path=path, body=body, work=work, now=now)


@pytest.mark.django_db
def test_the_same_request_runs_once_and_replays_the_first_response(partner):
    work = Work()
    assert call(partner, work) == (201, {"id": 1}, False)
    assert call(partner, work) == (201, {"id": 1}, True)
    assert call(partner, work, body=b'{ "a" : 1 }') == (201, {"id": 1}, True)  # same JSON, other spacing
    assert work.runs == 1


@pytest.mark.django_db
def test_without_a_key_every_request_runs(partner):
    work = Work()
    call(partner, work, key=None)
    call(partner, work, key=None)
    assert work.runs == 2


@pytest.mark.django_db
def test_the_same_key_with_another_body_or_path_is_refused(partner):
    work = Work()
    call(partner, work)
    for other in ({"body": b'{"a": 2}'}, {"path": "/api/v1/other"}):
        with pytest.raises(Conflict) as error:
            call(partner, work, **other)
        assert error.value.code == "idempotency_key_reused"
    assert work.runs == 1


@pytest.mark.django_db
def test_keys_belong_to_one_partner(partner, key_admin):
    from partners.services import partner_create

    other = partner_create(name="Other", program=partner.program, actor=key_admin)
    work = Work()
    call(partner, work)
    assert call(other, work) == (201, {"id": 2}, False)


@pytest.mark.django_db
def test_a_client_error_is_remembered_and_a_server_error_is_not(partner):
    refused = Work(fail_with=InvalidInput("no", code="bad_thing"))
    with pytest.raises(InvalidInput):
        call(partner, refused, key="k-err")
    status, body, replayed = call(partner, refused, key="k-err")
    assert (status, body["error"]["code"], replayed) == (400, "bad_thing", True) and refused.runs == 1

    limited = Work(fail_with=RateLimited("later", details={"retry_after": 5}))
    with pytest.raises(RateLimited):
        call(partner, limited, key="k-limited")
    limited.fail_with = None
    assert call(partner, limited, key="k-limited") == (201, {"id": 2}, False)

    crashed = Work(fail_with=RuntimeError("database went away"))
    with pytest.raises(RuntimeError):
        call(partner, crashed, key="k-crash")
    assert not IdempotencyRecord.objects.filter(key="k-crash").exists()
    crashed.fail_with = None
    assert call(partner, crashed, key="k-crash") == (201, {"id": 2}, False)


@pytest.mark.django_db
def test_a_request_still_running_blocks_its_key_until_abandoned(partner):
    now = timezone.now()
    IdempotencyRecord.objects.create(partner=partner, key="k-run", request_hash="x", path="/", created_at=now)
    with pytest.raises(Conflict) as error:
        call(partner, Work(), key="k-run", now=now + timedelta(minutes=1))
    assert error.value.code in {"idempotency_key_in_progress", "idempotency_key_reused"}
    assert call(partner, Work(), key="k-run", now=now + timedelta(minutes=6))[2] is False


@pytest.mark.django_db
def test_records_are_kept_a_day_at_least_then_pruned(partner, settings):
    assert settings.IDEMPOTENCY_KEEP_HOURS >= 24
    now = timezone.now()
    work = Work()
    call(partner, work, now=now)
    assert call(partner, work, now=now + timedelta(hours=24))[2] is True
    assert idempotency_records_prune(now=now + timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS - 1)) == 0
    assert idempotency_records_prune(now=now + timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS + 1)) == 1


@pytest.mark.django_db
def test_a_malformed_key_is_a_clear_error(partner):
    for key in ("", "   ", "x" * 256):
        with pytest.raises(InvalidInput) as error:
            call(partner, Work(), key=key)
        assert error.value.code == "idempotency_key_invalid"


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_run_the_work_once(partner):
    import threading
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent writers")
    outcomes, runs, barrier = [], [], threading.Barrier(10)

    def slow_work():
        runs.append(1)
        time.sleep(0.2)
        return 201, {"id": "once"}

    def worker():
        barrier.wait()
        try:
            outcomes.append(call(partner, slow_work, key="k-race")[:2])
        except Conflict as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(runs) == 1 and len(outcomes) == 10
    assert all(o == (201, {"id": "once"}) or o == "idempotency_key_in_progress" for o in outcomes)
    assert IdempotencyRecord.objects.get(key="k-race").response_status == 201


@pytest.mark.django_db
def test_the_prune_command_deletes_only_old_records(partner, settings):
    from io import StringIO

    from django.core.management import call_command

    now = timezone.now()
    IdempotencyRecord.objects.create(
        partner=partner,
        key="old",
        request_hash="x",
        path="/",
        response_status=201,
        created_at=now - timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS + 1),
    )
    IdempotencyRecord.objects.create(
        partner=partner,
        key="new",
        request_hash="x",
        path="/",
        response_status=201,
        created_at=now - timedelta(hours=23),
    )
    out = StringIO()
    call_command("prune_api_records", stdout=out)
    assert "idempotency records deleted: 1" in out.getvalue()
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
