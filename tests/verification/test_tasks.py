"""The scheduled verification tasks, each beside a concurrent copy of itself (real threads and connections)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.models import AuditEntry
from core.scheduling import lease_held
from notifications.models import OutboxEmail
from registry.models import Organisation
from tests.coupons.test_monitoring import DANCERS, _status_events, eo_ak, subscribed_partner  # noqa: F401
from tests.verification.test_reverify_coupons import _approved, dancers_coupon  # noqa: F401
from tests.verification.test_services_expiry import started  # noqa: F401
from verification.models import Application, ApplicationState
from verification.tasks import expire_applications, reverify_coupons


def race(action, copies: int = 3) -> list:
    barrier = threading.Barrier(copies)
    results: list = [None] * copies

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = action()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_expiry_jobs_remind_and_expire_each_application_once(started):  # noqa: F811
    now = timezone.now()
    verified = {"email": "jo@example.org", "email_verified_at": now - timedelta(days=24)}
    reminded, expired = started(24, **verified), started(31, **verified)
    results = race(expire_applications.call)
    assert not [r for r in results if isinstance(r, Exception)]
    assert sum(r["expired"] for r in results) == 1 and sum(r["reminded"] for r in results) == 1
    assert sorted(OutboxEmail.objects.values_list("template", flat=True)) == ["application_expired", "expiry_reminder"]
    assert Application.objects.get(pk=expired.pk).state == ApplicationState.EXPIRED
    assert Application.objects.get(pk=reminded.pk).reminder_sent_at is not None
    assert AuditEntry.objects.filter(action="application.expired").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_reverifications_announce_a_status_change_once(dancers_coupon):  # noqa: F811
    Organisation.objects.filter(org_id=DANCERS).update(status="removed", removal_reason="struck off")
    results = race(reverify_coupons.call)
    assert not [r for r in results if isinstance(r, Exception)]
    assert sum(r.get("status_changes", 0) for r in results) == 1
    assert len(_status_events(DANCERS)) == 1
    assert AuditEntry.objects.filter(action="coupon.flagged", object_id=str(dancers_coupon.pk)).count() == 1


@pytest.mark.django_db
def test_a_reverification_waits_for_none_while_another_runs(dancers_coupon):  # noqa: F811
    with lease_held("reverify_coupons", ttl=timedelta(minutes=5)) as alone:
        assert alone
        assert reverify_coupons.call() == {"skipped": "another run is in progress"}
    assert reverify_coupons.call()["checked"] == 1
