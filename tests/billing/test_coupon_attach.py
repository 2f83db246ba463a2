"""Attaching a nonprofit coupon to a subscription bought without one: the next renewal is discounted, the current
term is untouched (no refunds); idempotent retry; refusals with their codes; the subscription page's form."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from billing.checkout import subscription_buy
from billing.subscriptions import subscription_add_licences, subscription_coupon_attach, subscriptions_renew_due
from core.errors import ApplicationError, Conflict
from core.models import AuditEntry
from tests.billing.test_checkout_support import NOW, catalog, make_account, make_coupon

pytestmark = pytest.mark.django_db

BASKET = {
    "plan_code": "workplace-pro",
    "quantity": 3,
    "add_ons": {"webinars": 1, "room-connector": 1},
    "billing_cycle": "annual",
}
LATER = datetime(2026, 9, 1, 12, tzinfo=UTC)  # mid-term
RENEWAL = datetime(2027, 3, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _catalog(db):
    catalog()


def _buy(account=None, coupon_code=None):
    return subscription_buy(
        account=account or make_account(), coupon_code=coupon_code, idempotency_key="k", now=NOW, **BASKET
    )


def _rows(subscription):
    return list(
        subscription.invoices.order_by("issued_at").values_list(
            "number", "status", "subtotal_minor", "discount_minor", "tax_minor", "total_minor"
        )
    )


def test_attach_discounts_the_next_renewal_and_leaves_the_current_term_alone():
    sub = _buy()
    first = _rows(sub)
    _coupon, code = make_coupon()
    sub = subscription_coupon_attach(subscription=sub, coupon_code=code, now=LATER)
    assert sub.coupon_id is not None and not sub.is_discounted  # discount starts at the renewal
    assert _rows(sub) == first  # nothing changed, credited or refunded
    added = subscription_add_licences(subscription=sub, quantity=1, now=LATER)  # current term: full price
    assert added.discount_minor == 0
    assert AuditEntry.objects.filter(action="subscription.coupon_attached", object_id=str(sub.pk)).count() == 1
    assert subscriptions_renew_due(now=RENEWAL)["renewed"] == 1
    sub.refresh_from_db()
    assert sub.is_discounted
    renewal = sub.invoices.order_by("-issued_at").first()
    assert renewal.discount_minor > 0
    assert _rows(sub)[0] == first[0]


def test_attach_gives_the_same_renewal_as_buying_with_the_coupon():
    plain = _buy()
    subscription_coupon_attach(subscription=plain, coupon_code=make_coupon()[1], now=LATER)
    bought = _buy(account=make_account(email="b@example.org"), coupon_code=make_coupon(email="b@example.org")[1])
    subscriptions_renew_due(now=RENEWAL)
    assert _rows(plain)[-1][2:] == _rows(bought)[-1][2:] == (172970, 61985, 4439, 115424)


def test_a_retry_is_idempotent_and_a_second_coupon_is_refused():
    sub = _buy()
    _coupon, code = make_coupon()
    subscription_coupon_attach(subscription=sub, coupon_code=code, now=LATER)
    again = subscription_coupon_attach(subscription=sub, coupon_code=code, now=LATER)
    assert again.coupon_id == sub.coupon_id
    assert AuditEntry.objects.filter(action="subscription.coupon_attached", object_id=str(sub.pk)).count() == 1
    other, other_code = make_coupon()
    with pytest.raises(Conflict) as refused:
        subscription_coupon_attach(subscription=sub, coupon_code=other_code, now=LATER)
    assert refused.value.code == "coupon_already_applied"
    other.refresh_from_db()
    assert other.state == "active"  # not consumed by the refusal


def test_a_bought_with_coupon_subscription_is_already_discounted():
    sub = _buy(coupon_code=make_coupon()[1])
    with pytest.raises(Conflict) as refused:
        subscription_coupon_attach(subscription=sub, coupon_code=make_coupon()[1], now=LATER)
    assert refused.value.code == "coupon_already_applied"


@pytest.mark.parametrize("case", ["email", "redeemed"])
def test_refusals_propagate_with_their_code(case):
    account = make_account()
    if case == "email":
        _coupon, code = make_coupon(email="someone-else@example.org")
        expected = "coupon_email_mismatch"
    else:  # the same customer's other subscription used it at checkout
        _coupon, code = make_coupon()
        subscription_buy(account=account, coupon_code=code, idempotency_key="other", now=NOW, **BASKET)
        expected = "coupon_already_redeemed"
    sub = _buy(account=account)
    with pytest.raises(ApplicationError) as refused:
        subscription_coupon_attach(subscription=sub, coupon_code=code, now=LATER)
    assert refused.value.code == expected
    sub.refresh_from_db()
    assert sub.coupon_id is None


# ---------------------------------------------------------------------------------------------------------------
# The page


def _client(account) -> Client:
    client = Client()
    client.force_login(account.user)
    return client


def test_page_shows_the_form_and_attaches():
    account = make_account()
    sub = _buy(account=account)
    client = _client(account)
    html = client.get(f"/en/store/subscriptions/{sub.pk}/").content.decode()
    assert "Apply a nonprofit coupon to your next renewal" in html
    assert f'action="/en/store/subscriptions/{sub.pk}/coupon/"' in html
    response = client.post(f"/en/store/subscriptions/{sub.pk}/coupon/", {"coupon": make_coupon()[1]})
    assert response.status_code == 302 and response["Location"] == f"/en/store/subscriptions/{sub.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "applies from the next renewal" in html
    assert "Apply a nonprofit coupon to your next renewal" not in html


def test_page_shows_the_refusal_next_to_the_field():
    account = make_account()
    sub = _buy(account=account)
    _coupon, code = make_coupon(email="someone-else@example.org")
    response = _client(account).post(f"/en/store/subscriptions/{sub.pk}/coupon/", {"coupon": code})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_coupon_error"' in html and "coupon_email_mismatch" in html
    html = _client(account).post(f"/en/store/subscriptions/{sub.pk}/coupon/", {"coupon": "NOPE-NOPE"}).content.decode()
    assert "coupon_not_found" in html


def test_another_customers_subscription_is_404_and_sign_in_is_required():
    sub = _buy()
    _coupon, code = make_coupon()
    response = _client(make_account(email="other@example.org")).post(
        f"/en/store/subscriptions/{sub.pk}/coupon/", {"coupon": code}
    )
    assert response.status_code == 404
    anonymous = Client().post(f"/en/store/subscriptions/{sub.pk}/coupon/", {"coupon": code})
    assert anonymous.status_code == 302 and "/coupon/" not in anonymous["Location"].split("?")[0]
    sub.refresh_from_db()
    assert sub.coupon_id is None
