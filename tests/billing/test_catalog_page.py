"""The plans-and-prices page: products by kind, prices in the chosen currency formatted for the language, and
which products the nonprofit discount covers."""

import pytest
from django.test import Client

from billing.demo import catalog_demo_ensure
from billing.models import Product

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    catalog_demo_ensure()


def _row(html: str, name: str) -> str:
    start = html.index(f'<th scope="row">{name}</th>')
    return html[start : html.index("</tr>", start)]


def test_prices_in_dollars_by_default_with_the_discount_marked(catalog):
    from programs.demo import program_demo_ensure

    program_demo_ensure()
    html = Client().get("/en/store/plans/").content.decode()
    assert html.index("Base plan") < html.index("Add-on") < html.index("Other product")
    pro = _row(html, "Workplace Pro")
    assert "$14.99 per month" in pro and "$149.90 per year" in pro
    assert "Covered" in pro and "$74.95 per year" in pro  # 50% off the annual price
    assert "Not covered" in _row(html, "Room Connector")
    assert "/en/programs/workplace-nonprofit/" in html


def test_chosen_currency_and_french_formatting(catalog):
    html = Client().get("/fr/store/plans/?currency=EUR").content.decode()
    webinars = _row(html, "Webinars")
    assert "73,00\xa0€" in webinars
    assert "730,00" in webinars and "USD" not in webinars
    # Without the program, nothing is said to be covered.
    assert "Covered" not in html and "Couvert" not in html.split("<tbody>")[1]


def test_unknown_currency_falls_back_and_inactive_products_are_hidden(catalog):
    Product.objects.filter(code="room-connector").update(is_active=False)
    html = Client().get("/en/store/plans/?currency=<script>").content.decode()
    assert "<script>" not in html  # the query string is shown escaped (the language switcher's next URL)
    assert "£" not in _row(html, "Workplace Pro") and "$14.99" in _row(html, "Workplace Pro")
    assert "Room Connector" not in html


def test_a_signed_in_customer_sees_the_account_currency(catalog):
    from billing.accounts import account_sign_up

    account_sign_up(
        email="gb@example.org",
        password="correct horse battery 42",
        billing_country="GB",
        billing_region="",
        currency="GBP",
        language="en",
    )
    client = Client()
    client.post("/en/store/sign-in/", {"username": "gb@example.org", "password": "correct horse battery 42"})
    assert "£11.99 per month" in _row(client.get("/en/store/plans/").content.decode(), "Workplace Pro")


def test_the_catalog_is_cached_per_currency_and_language_and_forgotten_when_a_price_changes(catalog):
    from billing.models import Price
    from billing.plans import plans_forget

    html = Client().get("/en/store/plans/").content.decode()
    assert "$14.99 per month" in _row(html, "Workplace Pro")
    # A change that bypasses the models' save (a queryset update) is not seen until the cache is forgotten…
    Price.objects.filter(product__code="workplace-pro", currency="USD", billing_cycle="monthly").update(
        unit_amount_minor=1599
    )
    assert "$14.99 per month" in _row(Client().get("/en/store/plans/").content.decode(), "Workplace Pro")
    # …while another language or currency is built on its own, with what the database holds now.
    assert "15,99" in _row(Client().get("/fr/store/plans/").content.decode(), "Workplace Pro")
    plans_forget()
    assert "$15.99 per month" in _row(Client().get("/en/store/plans/").content.decode(), "Workplace Pro")
    # Saving a price (the admin, catalog_ensure) forgets every cached catalog at once.
    price = Price.objects.get(product__code="workplace-pro", currency="USD", billing_cycle="monthly")
    price.unit_amount_minor = 1699
    price.save()
    assert "$16.99 per month" in _row(Client().get("/en/store/plans/").content.decode(), "Workplace Pro")
    assert "16,99" in _row(Client().get("/fr/store/plans/").content.decode(), "Workplace Pro")


def test_a_product_or_program_saved_is_seen_at_once(catalog):
    from programs.demo import program_demo_ensure

    assert "Covered" not in Client().get("/en/store/plans/").content.decode().split("<tbody>")[1]
    program = program_demo_ensure()  # created: saved
    assert "Covered" in _row(Client().get("/en/store/plans/").content.decode(), "Workplace Pro")
    program.eligible_products = []
    program.save()
    assert "Covered" not in _row(Client().get("/en/store/plans/").content.decode(), "Workplace Pro")
    product = Product.objects.get(code="room-connector")
    product.is_active = False
    product.save()
    assert "Room Connector" not in Client().get("/en/store/plans/").content.decode()


def test_a_cached_page_reads_the_cache_only(catalog, django_assert_num_queries):
    Client().get("/en/store/plans/")
    with django_assert_num_queries(1):  # the cache (the database cache here; Redis when configured)
        assert Client().get("/en/store/plans/").status_code == 200


def test_a_save_is_not_stopped_by_a_cache_that_cannot_be_reached(catalog, caplog):
    """The database cache's table may not exist yet (seed_demo before createcachetable): the save goes through, in
    its transaction, and the failure is logged."""
    from unittest import mock

    from django.db import DatabaseError, transaction

    from programs.demo import program_demo_ensure

    with (
        mock.patch("billing.plans.cache.delete_many", side_effect=DatabaseError("no such table: vouch_cache")),
        transaction.atomic(),
    ):
        program = program_demo_ensure()
        program.discount_percent = 20
        program.save()
        assert Product.objects.filter(is_active=True).exists()  # the transaction is still usable
    assert "could not forget the cached plans catalog" in caplog.text
