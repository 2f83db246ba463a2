"""Each staff page checked per role: who may read it, who may act (support.roles)."""

import pytest
from django.core.management import call_command
from django.test import Client

from billing.models import Invoice
from support.roles import ROLES
from tests.billing.test_checkout_support import catalog, make_account, make_coupon
from tests.conftest import ROLE_NAMES
from verification.models import Application

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    from billing.checkout import subscription_buy

    catalog()
    coupon, code = make_coupon()
    account = make_account()
    subscription_buy(
        account=account,
        plan_code="workplace-pro",
        quantity=2,
        add_ons={},
        billing_cycle="annual",
        coupon_code=code,
        idempotency_key="k1",
    )
    return {
        "application": Application.objects.get(coupon=coupon),
        "invoice": Invoice.objects.get(account=account),
        "account": account,
    }


def _pages(world):
    reference, number = world["application"].reference, world["invoice"].number
    return {
        "support search": f"/en/support/?q={reference}",
        "support case": f"/en/support/applications/{reference}/",
        "billing invoices": "/en/review/billing/",
        "billing invoice": f"/en/review/billing/invoices/{number}/",
        "billing subscriptions": "/en/review/billing/subscriptions/",
        "billing accounts": "/en/review/billing/accounts/",
        "billing account": f"/en/review/billing/accounts/{world['account'].pk}/",
        "invoices CSV": "/en/review/billing/?export=csv",
    }


# Who may read each page: True = 200, False = 403.
READ = {
    "Reviewer": {"support search", "support case"},
    "Support agent": {
        "support search",
        "support case",
        "billing invoices",
        "billing invoice",
        "billing subscriptions",
        "billing accounts",
        "billing account",
    },
    "Billing agent": {
        "support search",
        "support case",
        "billing invoices",
        "billing invoice",
        "billing subscriptions",
        "billing accounts",
        "billing account",
        "invoices CSV",
    },
    "Administrator": {
        "support search",
        "support case",
        "billing invoices",
        "billing invoice",
        "billing subscriptions",
        "billing accounts",
        "billing account",
        "invoices CSV",
    },
    "Customer": set(),
}


@pytest.mark.parametrize("role", [*ROLE_NAMES, "Customer"])
def test_each_page_per_role(world, as_role, role):
    client = as_role(role)
    for name, url in _pages(world).items():
        expected = 200 if name in READ[role] else 403
        assert client.get(url).status_code == expected, (role, name)


def test_anonymous_goes_to_the_back_office_login(world):
    for url in _pages(world).values():
        response = Client().get(url)
        assert response.status_code == 302 and "/review/login/" in response["Location"], url


@pytest.mark.parametrize(
    "role,allowed", [("Reviewer", False), ("Support agent", True), ("Billing agent", False), ("Administrator", True)]
)
def test_coupon_actions_per_role(world, as_role, role, allowed):
    reference = world["application"].reference
    response = as_role(role).post(f"/en/support/applications/{reference}/revoke/", {"revoke-reason": "fraud"})
    world["application"].coupon.refresh_from_db()
    assert (world["application"].coupon.state == "revoked") is allowed
    if allowed:
        assert response.status_code == 302
    else:
        assert response.status_code == 400 and "Your role does not allow this action" in response.content.decode()


@pytest.mark.parametrize(
    "role,allowed", [("Reviewer", False), ("Support agent", False), ("Billing agent", True), ("Administrator", True)]
)
def test_recording_a_payment_per_role(world, as_role, role, allowed):
    number = world["invoice"].number
    response = as_role(role).post(
        f"/en/review/billing/invoices/{number}/paid/", {"reference": "BANK-1", "paid_on": "2026-01-02"}
    )
    world["invoice"].refresh_from_db()
    assert (world["invoice"].status == "paid") is allowed
    assert response.status_code == (302 if allowed else 403)


def test_ensure_roles_is_idempotent_and_adds_a_member(role_users):
    from django.contrib.auth.models import Group

    call_command("ensure_roles")
    assert {g.name: g.permissions.count() for g in Group.objects.all()} == {n: len(p) for n, p in ROLES.items()}
    make = Client()  # a plain user becomes a staff billing agent
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(username="newcomer")
    call_command("ensure_roles", "--add", "newcomer", "Billing agent")
    newcomer = get_user_model().objects.get(username="newcomer")
    assert newcomer.is_staff and newcomer.has_perm("billing.mark_invoice_paid")
    from tests.staff import staff_login

    staff_login(make, newcomer)
    assert make.get("/en/review/billing/").status_code == 200
