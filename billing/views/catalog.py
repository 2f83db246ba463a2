"""The plans-and-prices page: every product on sale by kind, its monthly and annual price per licence in the
visitor's chosen currency, and which products the nonprofit discount covers (the demo program's configuration)."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from billing.models import BillingCycle, Currency, CustomerAccount, Price, Product, ProductKind
from billing.pricing import discount_amount
from core.money import format_minor_localized
from programs.demo import DEMO_SLUG
from programs.models import Program


class CurrencyForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)


def _nonprofit_program():
    """The program whose discount the page shows: the demo program when it exists (verification.demo)."""
    return Program.objects.filter(slug=DEMO_SLUG).first()


def _visitor_currency(request) -> str:
    form = CurrencyForm(request.GET)
    if form.is_valid():
        return form.cleaned_data["currency"]
    if request.user.is_authenticated:
        account = CustomerAccount.objects.filter(user=request.user).first()
        if account is not None:
            return account.currency
    return Currency.USD


@require_GET
def plans_page(request):
    currency = _visitor_currency(request)
    program = _nonprofit_program()
    eligible = set(program.eligible_products or []) if program else set()
    percent = program.discount_percent if program else None
    prices = {
        (p.product_id, p.billing_cycle): p.unit_amount_minor
        for p in Price.objects.filter(currency=currency, product__is_active=True)
    }
    groups = []
    for kind, label in ProductKind.choices:
        rows = []
        for product in Product.objects.filter(kind=kind, is_active=True).order_by("name"):
            monthly = prices.get((product.pk, BillingCycle.MONTHLY))
            annual = prices.get((product.pk, BillingCycle.ANNUAL))
            covered = product.code in eligible
            rows.append(
                {
                    "product": product,
                    "covered": covered,
                    "monthly": format_minor_localized(monthly, currency) if monthly is not None else None,
                    "annual": format_minor_localized(annual, currency) if annual is not None else None,
                    "annual_discounted": (
                        format_minor_localized(annual - discount_amount(annual, percent), currency)
                        if covered and annual is not None
                        else None
                    ),
                }
            )
        if rows:
            groups.append({"kind": kind, "label": label, "rows": rows})
    context = {
        "groups": groups,
        "currency": currency,
        "program": program,
        "percent": percent,
        "currency_form": CurrencyForm(initial={"currency": currency}),
    }
    return render(request, "billing/plans.html", context)
