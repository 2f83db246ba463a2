"""The store's customer pages: checkout (coupon, idempotent retry, refusals), subscription management, invoices,
and authorisation (one customer never sees another's data)."""

import re

import pytest
from django.conf import settings
from django.test import Client

from billing.models import CheckoutRequest, Invoice, Subscription
from tests.billing.test_checkout_support import catalog, make_account, make_coupon, staff_user
from tests.staff import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _catalog():
    catalog()


def _client(account) -> Client:
    client = Client()
    client.force_login(account.user)
    return client


def _key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


def _buy(client, **fields):
    html = client.get("/en/store/checkout/").content.decode()
    data = {
        "plan": "workplace-pro",
        "quantity": "3",
        "billing_cycle": "annual",
        "coupon": "",
        "idempotency_key": _key(html),
        "add_on_webinars": "1",
        **fields,
    }
    return client.post("/en/store/checkout/", data), data


def test_checkout_page_has_labels_and_a_fresh_key_per_render():
    client = _client(make_account())
    first = client.get("/en/store/checkout/").content.decode()
    second = client.get("/en/store/checkout/").content.decode()
    assert _key(first) != _key(second)
    for label in ("Plan", "Licences", "Billing cycle", "Coupon code", "Webinars (licences)"):
        assert f">{label}" in first
    assert "USD" in first


def test_checkout_with_coupon_redirects_to_the_discounted_subscription():
    account = make_account()
    _coupon, code = make_coupon()
    client = _client(account)
    response, _data = _buy(client, coupon=code)
    subscription = Subscription.objects.get(account=account)
    assert response.status_code == 302
    assert response["Location"] == f"/en/store/subscriptions/{subscription.pk}/"
    assert subscription.is_discounted and subscription.quantity == 3
    html = client.get(response["Location"]).content.decode()
    assert "Workplace Pro" in html and "Webinars \u00d7 1" in html and "50% nonprofit discount" in html


def test_a_retried_post_with_the_same_key_does_not_buy_twice():
    account = make_account()
    client = _client(account)
    first, data = _buy(client)
    second = client.post("/en/store/checkout/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Subscription.objects.filter(account=account).count() == 1
    assert Invoice.objects.filter(account=account).count() == 1
    assert CheckoutRequest.objects.filter(account=account).count() == 1


def test_a_used_coupon_is_refused_with_its_code_and_whom_to_contact():
    _coupon, code = make_coupon()
    assert _buy(_client(make_account()), coupon=code)[0].status_code == 302
    other = make_account(email="someone@example.org")
    response, _data = _buy(_client(other), coupon=code)
    html = response.content.decode()
    assert response.status_code == 400
    assert "coupon_already_redeemed" in html and 'id="id_coupon_error"' in html
    assert not Subscription.objects.filter(account=other).exists()


def test_an_unknown_coupon_and_monthly_billing_are_explained():
    client = _client(make_account())
    html = _buy(client, coupon="NOPE-NOPE")[0].content.decode()
    assert "coupon_not_found" in html
    _coupon, code = make_coupon()
    html = _buy(client, coupon=code, billing_cycle="monthly")[0].content.decode()
    # A mistake the customer fixes in the form: the page says how, and does not send them to support.
    assert "choose annual billing to use it" in html and "Zoomly support" not in html


def test_unverified_email_is_explained_with_a_resend_link():
    client = _client(make_account(verified=False))
    html = client.get("/en/store/checkout/").content.decode()
    assert "is not confirmed yet" in html and "/en/store/account/verify/resend/" in html
    _coupon, code = make_coupon()
    response, _data = _buy(client, coupon=code)
    assert response.status_code == 400 and "Confirm your account email (use the link" in response.content.decode()


def test_invalid_quantity_is_shown_next_to_the_field():
    response, _data = _buy(_client(make_account()), quantity="0")
    assert response.status_code == 400 and 'id="id_quantity_error"' in response.content.decode()


def _subscribed(coupon: bool = True):
    account = make_account()
    client = _client(account)
    code = make_coupon()[1] if coupon else ""
    _buy(client, coupon=code)
    return account, client, Subscription.objects.get(account=account)


def test_add_licences_issues_a_prorated_invoice():
    account, client, subscription = _subscribed()
    response = client.post(f"/en/store/subscriptions/{subscription.pk}/licences/", {"quantity": "2"})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.quantity == 5
    assert Invoice.objects.filter(account=account).count() == 2
    assert "Licences added" in client.get(response["Location"]).content.decode()


def test_pro_to_business_under_the_discount_is_refused_with_the_explanation():
    _account, client, subscription = _subscribed()
    response = client.post(
        f"/en/store/subscriptions/{subscription.pk}/plan/", {"to_plan": "workplace-business", "to_quantity": "3"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "plan_change_not_allowed" in html and "Business is not possible" in html
    assert 'id="id_to_plan_error"' in html
    subscription.refresh_from_db()
    assert subscription.plan.code == "workplace-pro"


def test_pro_to_business_without_discount_is_applied():
    _account, client, subscription = _subscribed(coupon=False)
    response = client.post(
        f"/en/store/subscriptions/{subscription.pk}/plan/", {"to_plan": "workplace-business", "to_quantity": "3"}
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.plan.code == "workplace-business"


def test_cancel_at_term_end():
    _account, client, subscription = _subscribed()
    response = client.post(f"/en/store/subscriptions/{subscription.pk}/cancel/")
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end and subscription.status == "active"
    assert "ends at the end of the current term" in client.get(response["Location"]).content.decode()


def test_invoices_list_and_printable_detail():
    account, client, _subscription = _subscribed()
    invoice = Invoice.objects.get(account=account)
    html = client.get("/en/store/invoices/").content.decode()
    assert invoice.number in html
    page = client.get(f"/en/store/invoices/{invoice.number}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="invoice"' in html and "Pay by bank transfer" in html
    assert "@media print" in (settings.BASE_DIR / "static" / "css" / "vouch.css").read_text()  # the one stylesheet
    assert "Unit price" in html and "Discount" in html and "Tax" in html
    # 3 x 149.90 + 790.00 = 1,239.70 USD gross, 50% off, NY tax 4%
    assert "$1,239.70" in html
    french = client.get(f"/fr/store/invoices/{invoice.number}/").content.decode()
    assert re.search(r"1[\s\xa0\u202f]239,70\xa0\$US", french)


def test_the_store_has_no_staff_payment_button_payments_are_recorded_in_the_billing_back_office():
    account, client, _subscription = _subscribed()
    invoice = Invoice.objects.get(account=account)
    assert client.post(f"/en/store/invoices/{invoice.number}/mark-paid/").status_code == 404
    staff_client = Client()
    staff_login(staff_client, staff_user())
    assert "Mark paid" not in staff_client.get(f"/en/store/invoices/{invoice.number}/").content.decode()


def test_another_customers_subscription_and_invoice_are_404():
    account, _client_a, subscription = _subscribed()
    invoice = Invoice.objects.get(account=account)
    intruder = _client(make_account(email="intruder@example.org"))
    for url in (f"/en/store/subscriptions/{subscription.pk}/", f"/en/store/invoices/{invoice.number}/"):
        assert intruder.get(url).status_code == 404
    for url in (
        f"/en/store/subscriptions/{subscription.pk}/licences/",
        f"/en/store/subscriptions/{subscription.pk}/cancel/",
    ):
        assert intruder.post(url, {"quantity": "1"}).status_code == 404
    subscription.refresh_from_db()
    assert subscription.quantity == 3 and not subscription.cancel_at_period_end
    assert invoice.number not in intruder.get("/en/store/invoices/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in():
    for url in (
        "/en/store/checkout/",
        "/en/store/subscriptions/1/",
        "/en/store/invoices/",
        "/en/store/invoices/INV-2026-000001/",
    ):
        response = Client().get(url)
        assert response.status_code == 302 and "/en/store/sign-in/" in response["Location"]


def test_csrf_is_enforced():
    account = make_account()
    client = Client(enforce_csrf_checks=True)
    client.force_login(account.user)
    response = client.post(
        "/en/store/checkout/",
        {"plan": "workplace-pro", "quantity": "1", "billing_cycle": "annual", "idempotency_key": "k1"},
    )
    assert response.status_code == 403
    assert not Subscription.objects.filter(account=account).exists()


def test_the_same_key_for_another_purchase_is_refused_and_the_form_gets_a_new_key():
    account = make_account()
    client = _client(account)
    _first, data = _buy(client)
    response = client.post("/en/store/checkout/", {**data, "quantity": "5"})
    html = response.content.decode()
    assert response.status_code == 400 and "idempotency_key_reused" in html
    assert _key(html) != data["idempotency_key"]
    assert Subscription.objects.filter(account=account).count() == 1
