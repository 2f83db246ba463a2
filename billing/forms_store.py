"""Forms of the store's checkout and subscription pages. They parse input; the services (billing.checkout,
billing.subscriptions) decide, and their errors are put next to the field they concern."""

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import BillingCycle, Product, ProductKind
from core.errors import ApplicationError
from core.number_input import LocalizedIntegerField

COUPON_ERROR_CODES = {
    "coupon_not_found",
    "coupon_already_redeemed",
    "coupon_expired",
    "coupon_revoked",
    "coupon_email_mismatch",
    "product_not_eligible",
    "billing_cycle_not_eligible",
    "too_many_attempts",
    "email_not_verified",
}


def idempotency_key_new() -> str:
    return secrets.token_urlsafe(24)  # 32 characters, within the checkout's 64


def service_error_text(error: ApplicationError) -> str:
    """The service's message with its stable code (and the verification reference when there is one), so the
    customer can quote them to whoever the message says to contact. Each appears once: a message that already
    names the code or the reference (the coupon refusals say "quote the error code … and your reference …") gets
    only what it lacks."""
    message = str(error.message)
    reference = (error.details or {}).get("reference") or ""
    has_code, has_reference = error.code in message, not reference or reference in message
    if has_code and has_reference:
        return message
    if has_code:
        return str(_("%(message)s (reference: %(reference)s)") % {"message": message, "reference": reference})
    if not has_reference:
        return str(
            _("%(message)s (error code: %(code)s, reference: %(reference)s)")
            % {"message": message, "code": error.code, "reference": reference}
        )
    return str(_("%(message)s (error code: %(code)s)") % {"message": message, "code": error.code})


class ServiceErrorMixin:
    ERROR_FIELDS: dict[str, str] = {}

    def add_service_error(self, error: ApplicationError) -> None:
        self.add_error(self.ERROR_FIELDS.get(error.code), service_error_text(error))


def _plan_choices():
    return [
        (p.code, p.name) for p in Product.objects.filter(kind=ProductKind.BASE_PLAN, is_active=True).order_by("name")
    ]


class CheckoutForm(ServiceErrorMixin, forms.Form):
    plan = forms.ChoiceField(label=_("Plan"))
    quantity = LocalizedIntegerField(label=_("Licences"), min_value=1, max_value=100000, initial=1)
    billing_cycle = forms.ChoiceField(
        label=_("Billing cycle"),
        choices=BillingCycle.choices,
        initial=BillingCycle.ANNUAL,
        help_text=_("The nonprofit discount applies to annual billing only."),
    )
    coupon = forms.CharField(
        label=_("Coupon code"),
        required=False,
        max_length=64,
        help_text=_("The nonprofit coupon you received by email, if any."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    ERROR_FIELDS = {
        **{code: "coupon" for code in COUPON_ERROR_CODES},
        "plan_not_found": "plan",
        "invalid_quantity": "quantity",
        "invalid_billing_cycle": "billing_cycle",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = _plan_choices()
        self.add_on_fields = []
        for product in Product.objects.filter(is_active=True).exclude(kind=ProductKind.BASE_PLAN).order_by("name"):
            name = f"add_on_{product.code}"
            self.fields[name] = LocalizedIntegerField(
                label=_("%(product)s (licences)") % {"product": product.name},
                required=False,
                min_value=0,
                max_value=100000,
                initial=0,
            )
            self.add_on_fields.append((name, product.code))

    def add_ons(self) -> dict[str, int]:
        return {code: self.cleaned_data[name] for name, code in self.add_on_fields if self.cleaned_data.get(name)}

    def add_on_bound_fields(self):
        return [self[name] for name, _code in self.add_on_fields]


class AddLicencesForm(ServiceErrorMixin, forms.Form):
    quantity = LocalizedIntegerField(label=_("Licences to add"), min_value=1, max_value=100000, initial=1)

    ERROR_FIELDS = {"invalid_quantity": "quantity", "plan_change_not_allowed": "quantity"}


class ChangePlanForm(ServiceErrorMixin, forms.Form):
    to_plan = forms.ChoiceField(label=_("New plan"))
    to_quantity = LocalizedIntegerField(label=_("Licences on the new plan"), min_value=1, max_value=100000)

    ERROR_FIELDS = {"plan_change_not_allowed": "to_plan", "plan_change_nothing_to_change": "to_plan"}

    def __init__(self, *args, plans=None, **kwargs):
        """`plans`: the plan codes the policy offers (billing.plan_changes.plan_change_targets); all by default."""
        super().__init__(*args, **kwargs)
        choices = _plan_choices()
        self.fields["to_plan"].choices = [c for c in choices if plans is None or c[0] in plans]


class AttachCouponForm(ServiceErrorMixin, forms.Form):
    coupon = forms.CharField(
        label=_("Coupon code"),
        max_length=64,
        help_text=_(
            "The nonprofit coupon you received by email. The discount starts at your "
            "next renewal; the current term is not changed or refunded."
        ),
    )

    ERROR_FIELDS = {
        **{code: "coupon" for code in COUPON_ERROR_CODES},
        "coupon_already_applied": "coupon",
        "coupon_not_redeemed": "coupon",
    }
