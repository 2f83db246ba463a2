"""Two reviewers deciding the same application at the same moment: exactly one decision stands.

Real concurrent transactions (one connection per thread), so these tests commit: `transaction=True`. SQLite
serialises the writers (BEGIN IMMEDIATE), PostgreSQL blocks the second UPDATE on the row lock and then re-checks
its WHERE clause; either way the loser's conditional update matches no row.
"""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from core.errors import Conflict
from core.models import AuditEntry
from coupons.models import Coupon
from notifications.models import OutboxEmail
from programs.demo import program_demo_ensure
from verification.models import Application, ApplicationState
from verification.services import application_approve, application_reject, application_start


def _race(*actions) -> list:
    """Run each action in its own thread and connection, released together; returns results or errors."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            results[index] = action()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["approve", "reject"])
def test_two_reviewers_deciding_at_once_only_one_wins(second):
    users = get_user_model().objects
    rita = users.create_user("rita", "rita@verifier.example", "x", is_staff=True)
    sam = users.create_user("sam", "sam@verifier.example", "x", is_staff=True)
    program = program_demo_ensure()
    for _ in range(3):
        draft = application_start(program=program, language="en")
        Application.objects.filter(pk=draft.pk).update(
            state=ApplicationState.IN_REVIEW,
            manual_name="Association Exemple",
            country="FR",
            email="presidence@asso-exemple.fr",
            email_verified_at=timezone.now(),
            submitted_at=timezone.now(),
        )
        # Each reviewer has the page open: their own copy, read before either acts.
        copies = [Application.objects.select_related("program").get(pk=draft.pk) for _ in range(2)]

        def other(copy=copies[1]):
            if second == "approve":
                return application_approve(application=copy, actor=sam)
            return application_reject(application=copy, actor=sam, reason_codes=["other"], message="No.")

        results = _race(lambda copy=copies[0]: application_approve(application=copy, actor=rita), other)

        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1, results
        assert isinstance(errors[0], Conflict) and errors[0].code == "application_state_changed"
        decided = Application.objects.get(pk=draft.pk)
        assert decided.state in {ApplicationState.APPROVED, ApplicationState.REJECTED}
        assert Coupon.objects.filter(reference=decided.reference).count() == (
            decided.state == ApplicationState.APPROVED
        )
        decisions = AuditEntry.objects.filter(
            object_id=str(draft.pk), action__in=["application.approved", "application.rejected"]
        )
        assert decisions.count() == 1
        assert OutboxEmail.objects.filter(dedupe_key__startswith=f"application:{draft.pk}:").count() == 1
