"""The scheduled billing tasks: what they return, and the notices beside a concurrent copy of themselves."""

import threading
from datetime import date

import pytest
from django.db import connection

from billing.legacy import legacy_discount_notices_send
from billing.tasks import renew_subscriptions, send_legacy_discount_notices
from notifications.models import OutboxEmail
from tests.billing.test_legacy import CSV, NOW, _import, _terms


@pytest.mark.django_db
def test_the_tasks_return_their_counts():
    assert renew_subscriptions.call() == {"due": 0, "renewed": 0, "ended": 0, "invoices": 0, "failed": []}
    _import(CSV)
    assert send_legacy_discount_notices.call()["no_term"] == 2  # the two valid rows: no subscription, no term


@pytest.mark.django_db(transaction=True)
def test_concurrent_notice_jobs_send_one_notice_per_term():
    _import(CSV)
    terms = _terms(alice=date(2027, 3, 20), bob=date(2027, 3, 25))
    copies = 3 if connection.vendor == "sqlite" else 6
    barrier, errors = threading.Barrier(copies), []

    def job():
        try:
            barrier.wait(timeout=10)
            legacy_discount_notices_send(now=NOW, period_end_for=terms)
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=job) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(OutboxEmail.objects.values_list("to", flat=True)) == ["alice@example.org", "bob@example.org"]
