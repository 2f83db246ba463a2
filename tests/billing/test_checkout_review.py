"""The checkout's "Review order" step: a priced summary (lines, discount, tax, total) before anything is bought,
without JavaScript and as the fragment the page's script fetches; the coupon checked with the purchase's codes."""

import re

import pytest
from django.test import Client

from billing.checkout_quote import checkout_quote
from billing.models import Subscription
from coupons.models import CouponState
from tests.billing.test_checkout_support import catalog, make_account, make_coupon

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _catalog():
    catalog()


def _client(account) -> Client:
    client = Client()
    client.force_login(account.user)
    return client


def _form(client, lang="en", **fields):
    html = client.get(f"/{lang}/store/checkout/").content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    return {
        "plan": "workplace-pro",
        "quantity": "3",
        "billing_cycle": "annual",
        "coupon": "",
        "idempotency_key": key,
        "add_on_webinars": "1",
        **fields,
    }


def test_quote_prices_lines_discount_and_tax_like_the_purchase():
    account = make_account()  # New York: 4% sales tax
    coupon, code = make_coupon()
    summary = checkout_quote(
        account=account,
        plan_code="workplace-pro",
        quantity=3,
        add_ons={"webinars": 1},
        billing_cycle="annual",
        coupon_code=code,
    )
    # Workplace Pro 3 x 149.90 = 449.70; Webinars 1 x 790.00; 50% off both; 4% tax on the net.
    assert [line.gross_minor for line in summary.lines] == [44970, 79000]
    assert summary.quote.discount_minor == 22485 + 39500
    assert summary.quote.tax_minor == 899 + 1580
    assert summary.quote.total_minor == 44970 + 79000 - 61985 + 2479
    assert summary.coupon_applies and summary.tax_label == "NY sales tax"
    coupon.refresh_from_db()
    assert coupon.state == CouponState.ACTIVE  # reviewing never uses the coupon


def test_review_step_without_javascript_shows_the_priced_summary_and_buys_nothing():
    account = make_account()
    _coupon, code = make_coupon()
    client = _client(account)
    data = _form(client, coupon=code, action="review")
    response = client.post("/en/store/checkout/", data)
    html = response.content.decode()
    assert response.status_code == 200 and not Subscription.objects.exists()
    assert "Your order" in html and "Nonprofit discount (50%)" in html and "Total per year" in html
    assert "$1,239.70" in html  # the subtotal, as English writes money
    assert "NY sales tax" in html and "$24.79" in html
    assert 'id="buy"' in html and 'id="buy" hidden' not in html
    data["action"] = "buy"
    assert client.post("/en/store/checkout/", data).status_code == 302
    assert Subscription.objects.get(account=account).is_discounted


def test_the_first_page_offers_review_not_buy():
    html = _client(make_account()).get("/en/store/checkout/").content.decode()
    assert "Review order" in html and 'id="buy" hidden' in html


def test_summary_in_french_writes_money_the_french_way():
    account = make_account(country="FR", region="", currency="EUR")
    client = _client(account)
    html = client.post("/fr/store/checkout/", _form(client, "fr", action="review")).content.decode()
    assert "Votre commande" in html and "TVA" in html
    assert re.search(r"1[\s\u202f\u00a0]149,70\xa0€", html), html  # 3 x 139.90 + 730.00


def test_monthly_billing_with_a_coupon_says_how_to_fix_it_and_still_prices():
    account = make_account()
    _coupon, code = make_coupon()
    client = _client(account)
    html = client.post(
        "/en/store/checkout/", _form(client, coupon=code, billing_cycle="monthly", action="review")
    ).content.decode()
    assert "choose annual billing to use it" in html and "support" not in html.split("Your order")[0][-600:]
    assert "Total per month" in html and "Nonprofit discount (" not in html


def test_the_script_gets_the_summary_alone_with_the_coupon_refusal_inside():
    account = make_account()
    client = _client(account)
    data = _form(client, coupon="NOPE-NOPE", summary_only="1")
    response = client.post("/en/store/checkout/", data)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "The coupon is not applied" in html and "coupon_not_found" in html
    assert 'data-can-buy="0"' in html
    assert not Subscription.objects.exists()


def test_aud_account_buys_in_australian_dollars():
    account = make_account(country="AU", region="", currency="AUD")
    summary = checkout_quote(account=account, plan_code="workplace-pro", quantity=1, add_ons={}, billing_cycle="annual")
    assert summary.currency == "AUD" and summary.lines[0].unit_minor == 22990
    assert summary.quote.tax_minor == 0  # the demo has no Australian tax rate
