"""Reads: the status link, the review queue, the dashboard; and the demo program."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.errors import NotFound
from programs.demo import DEMO_SLUG, program_demo_ensure
from programs.models import Program
from programs.selectors import program_text_current
from verification.models import Application, ApplicationState
from verification.selectors import application_get_by_token, dashboard_figures, review_queue
from verification.services import application_start

S = ApplicationState


@pytest.fixture
def add(program):
    def make(state, *, due_in_hours=None, country="FR", **fields):
        application = application_start(program=program, language="en")
        if due_in_hours is not None:
            fields["due_at"] = timezone.now() + timedelta(hours=due_in_hours)
        Application.objects.filter(pk=application.pk).update(
            state=state, country=country, manual_name="Association", **fields
        )
        return Application.objects.get(pk=application.pk)

    return make


@pytest.mark.django_db
def test_get_by_token(program):
    application = application_start(program=program, language="en")
    assert application_get_by_token(token=application.token) == application
    for token in ["", "nope", application.reference]:
        with pytest.raises(NotFound):
            application_get_by_token(token=token)


@pytest.mark.django_db
def test_review_queue_soonest_due_first_with_filters(add):
    late = add(S.IN_REVIEW, due_in_hours=-5)
    soon = add(S.APPEALED, due_in_hours=3, country="GB")
    later = add(S.NEEDS_INFORMATION, due_in_hours=30)
    add(S.DRAFT)
    add(S.APPROVED, due_in_hours=-50)
    assert list(review_queue()) == [late, soon, later]
    assert list(review_queue(state=S.APPEALED)) == [soon]
    assert list(review_queue(country="gb")) == [soon]
    assert list(review_queue(overdue=True)) == [late]
    assert list(review_queue(overdue=False)) == [soon, later]


@pytest.mark.django_db
def test_dashboard_figures(add, program):
    now = timezone.now()
    submitted = now - timedelta(hours=30)
    add(S.APPROVED, submitted_at=submitted, decided_at=submitted, decided_automatically=True)
    add(
        S.REJECTED,
        submitted_at=submitted,
        decided_at=submitted + timedelta(hours=20),
        due_at=submitted + timedelta(hours=48),
    )  # a reviewer, within the SLA
    add(
        S.APPROVED,
        submitted_at=submitted,
        decided_at=submitted + timedelta(hours=28),
        due_at=submitted + timedelta(hours=24),
    )  # late
    add(S.IN_REVIEW, due_in_hours=-1)
    add(S.DRAFT)
    figures = dashboard_figures(program=program, now=now)
    assert figures["by_state"][S.APPROVED] == 2 and figures["by_state"][S.DRAFT] == 1
    assert figures["by_state"][S.EXPIRED] == 0 and figures["total"] == 5
    assert figures["decided"] == 3
    assert figures["automatic_share"] == pytest.approx(1 / 3)
    assert figures["median_hours_to_decision"] == pytest.approx(20)
    assert figures["within_sla_share"] == pytest.approx(2 / 3)
    assert figures["overdue"] == 1
    empty = dashboard_figures(program=Program.objects.create(slug="empty", name="E", vendor_name="V"))
    assert empty["decided"] == 0 and empty["automatic_share"] is None and empty["median_hours_to_decision"] is None


@pytest.mark.django_db
def test_demo_program_is_created_once_and_reset_to_its_values():
    call_command("seed_demo_program", stdout=open("/dev/null", "w"))  # noqa: SIM115
    program = Program.objects.get(slug=DEMO_SLUG)
    assert program.vendor_name == "Workplace" and program.budget_cap_minor == 1_000_000_000
    assert program.supported_countries == [] and program.review_sla_business_days == 3
    assert program.exchange_rates == {"GBP": "1.27", "EUR": "1.08", "AUD": "0.66"}
    assert program.exclusions == ["school", "higher_education", "government", "political"]
    assert program.terms_version == program.privacy_version == "2026-11"
    assert "coupon" in program_text_current(program, "terms", "en").text
    Program.objects.filter(pk=program.pk).update(discount_percent=10)
    assert program_demo_ensure().discount_percent == 50
    assert program_demo_ensure().pk == program.pk and Program.objects.count() == 1
