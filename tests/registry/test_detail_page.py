"""The public organisation page: income as money in the reader's language, categories by name, never codes."""

import pytest

from registry.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(us_registry):
    org = Organisation.objects.get(org_id="US-EIN-010564885")
    Organisation.objects.filter(pk=org.pk).update(
        income_minor=3474200, income_currency="USD", categories=["public_charity", "school"]
    )
    return org


def test_income_is_money_not_minor_units(client, organisation):
    english = client.get("/en/organisations/US-EIN-010564885/").content.decode()
    assert "$34,742.00" in english and "minor units" not in english and "3474200" not in english
    french = client.get("/fr/organisations/US-EIN-010564885/").content.decode()
    assert "34\u202f742,00\xa0$US" in french


def test_categories_are_named_in_each_language(client, organisation):
    english = client.get("/en/organisations/US-EIN-010564885/").content.decode()
    assert "Public charity, School" in english and "public_charity" not in english
    french = client.get("/fr/organisations/US-EIN-010564885/").content.decode()
    assert "public_charity" not in french and "École" in french
