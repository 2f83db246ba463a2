"""The plans-and-prices page: every product on sale by kind, its monthly and annual price per licence in the
visitor's chosen currency, and which products the nonprofit discount covers (billing.plans, cached)."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from billing.models import Currency, CustomerAccount
from billing.plans import plans_catalog


class CurrencyForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)


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
    catalog = plans_catalog(currency=currency)
    context = {
        **catalog,
        "currency": currency,
        "currency_form": CurrencyForm(initial={"currency": currency}),
    }
    return render(request, "billing/plans.html", context)
