"""Builders shared by the checkout, invoice, subscription and renewal tests (no tests here)."""

import secrets
from datetime import UTC, datetime
from decimal import Decimal

from billing.demo import catalog_demo_ensure
from billing.models import CustomerAccount
from tests.coupons.factories import make_application, make_organisation, make_program
from verification.services.coupons import application_coupon_issue

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
EMAIL = "director@example.org"
PROGRAM_PRODUCTS = ["workplace-pro", "workplace-business", "large-meetings", "webinars", "cloud-storage"]


def catalog():
    catalog_demo_ensure()


def make_account(
    *, email: str = EMAIL, country: str = "US", region: str = "NY", currency: str = "USD", verified: bool = True
) -> CustomerAccount:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username=f"u-{secrets.token_hex(4)}", email=email)
    return CustomerAccount.objects.create(
        user=user,
        email=email,
        email_verified_at=NOW if verified else None,
        billing_country=country,
        billing_region=region,
        currency=currency,
    )


def make_coupon(*, email: str = EMAIL, registry: bool = True, now: datetime = NOW, percent: str = "50"):
    """An issued coupon (and its code) of a program covering the five default products."""
    program = make_program(
        vendor_name="Zoomly",
        support_contact="support@zoomly.example",
        discount_percent=Decimal(percent),
        eligible_products=PROGRAM_PRODUCTS,
        coupon_redeem_days=3650,
    )
    organisation = make_organisation(f"US-EIN-{secrets.randbelow(10**9):09d}") if registry else None
    application = make_application(program, organisation, email=email)
    return application_coupon_issue(application=application, now=now)


def staff_user(username: str = "staff"):
    """A staff member with the billing agent's invoice permissions (record a payment, void)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user(username=username, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="billing", codename__in=["mark_invoice_paid", "void_invoice"]
        )
    )
    return get_user_model().objects.get(pk=user.pk)  # a fresh object: permissions are cached per instance
