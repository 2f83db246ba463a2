"""The budget step reads amounts as the applicant's language writes them."""

import pytest

from tests.verification.test_journey_helpers import apply_url, current_application, demo_program, post_ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(us_registry):
    return demo_program()


@pytest.mark.parametrize(
    ("budget", "minor"),
    [
        ("250 000", 250_000_00),
        ("250 000,00", 250_000_00),
        ("250\u202f000,50", 250_000_50),
        ("250\u00a0000", 250_000_00),
        ("1 234,5", 1_234_50),
    ],
)
def test_french_budgets(client, program, budget, minor):
    post_ok(client, f"/fr/programs/{program.slug}/", {"budget": budget}, apply_url(program, "country", "fr"))
    assert current_application(client, program).declared_budget_minor == minor


@pytest.mark.parametrize(
    ("budget", "minor"), [("250,000.00", 250_000_00), ("250,000", 250_000_00), ("250000.5", 250_000_50)]
)
def test_english_budgets(client, program, budget, minor):
    post_ok(client, f"/en/programs/{program.slug}/", {"budget": budget}, apply_url(program, "country"))
    assert current_application(client, program).declared_budget_minor == minor


def test_ambiguous_budget_is_refused_with_both_readings(client, program):
    response = client.post(f"/fr/programs/{program.slug}/", {"budget": "250.000"})
    html = response.content.decode()
    assert response.status_code == 400 and "pourrait signifier 250000 ou 250." in html
    response = client.post(f"/en/programs/{program.slug}/", {"budget": "1.500"})
    html = response.content.decode()
    assert response.status_code == 400 and "could mean 1500 or 1.5" in html
    page = client.get(f"/fr/programs/{program.slug}/").content.decode()
    assert 'inputmode="decimal"' in page and 'type="number"' not in page
