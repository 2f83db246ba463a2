"""The dashboard: figures per program and period, charts as accessible SVG with tables, under 150 kB."""

from datetime import timedelta

import pytest
from django.utils import timezone

from support.dashboard import dashboard_data, period_of
from tests.coupons.factories import make_application, make_organisation, make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided():
    now = timezone.now()
    program = make_program(review_sla_business_days=3)
    other = make_program()
    rows = [
        ("approved", True, timedelta(minutes=1), "US"),
        ("approved", False, timedelta(days=2), "GB"),
        ("rejected", False, timedelta(days=6), "US"),
        ("in_review", False, None, "FR"),
    ]
    for index, (state, automatic, took, country) in enumerate(rows):
        submitted = now - timedelta(days=10)
        make_application(
            program,
            make_organisation(f"US-EIN-00000000{index}"),
            state=state,
            country=country,
            submitted_at=submitted,
            due_at=submitted + timedelta(days=4),
            decided_at=submitted + took if took else None,
            decided_automatically=automatic,
            decision_reasons=[{"code": "excluded_political", "message": "x"}] if state == "rejected" else [],
        )
    make_application(
        other,
        make_organisation("US-EIN-000000099"),
        state="approved",
        country="AU",
        submitted_at=now - timedelta(days=400),
        decided_at=now - timedelta(days=399),
    )
    return program


def test_figures_for_a_program_and_a_period(decided):
    data = dashboard_data(program=decided, period=period_of("30d"))
    assert data["submitted"] == 4 and data["by_state"] == {"approved": 2, "rejected": 1, "in_review": 1}
    assert (data["decided"], data["automatic"], data["reviewed"]) == (3, 1, 2)
    assert data["within_promise"] == 2  # the automatic one, and the one decided in 2 days (due in 4)
    assert data["median_hours"] == pytest.approx(48, abs=0.1) and data["p90_hours"] == pytest.approx(144, abs=0.1)
    assert data["refusals"] == [("excluded_political", 1)] and dict(data["countries"]) == {"US": 2, "GB": 1, "FR": 1}
    assert sum(count for _monday, count in data["weeks"]) == 4
    assert dashboard_data(program=None, period=period_of("12m"))["submitted"] == 4  # the other is 400 days old


def test_custom_period_and_fallback():
    today = timezone.localdate()
    assert period_of("custom", today - timedelta(days=3), today).start == today - timedelta(days=3)
    assert period_of("custom", today, today - timedelta(days=3)).start == today - timedelta(days=29)  # reversed


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_page_per_role_with_charts_and_tables_under_150_kb(decided, as_role, lang):
    response = as_role("Reviewer").get(f"/{lang}/support/dashboard/", {"program": decided.pk, "period": "30d"})
    html = response.content.decode()
    assert response.status_code == 200 and len(response.content) < 150_000
    assert html.count('<svg class="chart" role="img"') == 6 and html.count("<details>") == 6
    assert "excluded_political" in html and "<script" not in html
    assert as_role("Customer").get(f"/{lang}/support/dashboard/").status_code == 403
