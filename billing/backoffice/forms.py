from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import BillingCycle, InvoiceStatus, SubscriptionStatus

PERIODS = [("", _("Any time")), ("30d", _("Last 30 days")), ("12m", _("Last 12 months")), ("custom", _("Custom"))]


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *InvoiceStatus.choices])
    period = forms.ChoiceField(label=_("Issued"), required=False, choices=PERIODS)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    account = forms.CharField(label=_("Account email"), required=False, max_length=254)


class SubscriptionFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *SubscriptionStatus.choices])
    billing_cycle = forms.ChoiceField(
        label=_("Billing cycle"), required=False, choices=[("", _("Any")), *BillingCycle.choices]
    )
    discounted = forms.ChoiceField(
        label=_("Nonprofit discount"), required=False, choices=[("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]
    )
    account = forms.CharField(label=_("Account email"), required=False, max_length=254)


class AccountFilterForm(forms.Form):
    country = forms.CharField(label=_("Billing country"), required=False, max_length=2)
    verified = forms.ChoiceField(
        label=_("Email verified"), required=False, choices=[("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]
    )
    tax = forms.ChoiceField(
        label=_("Tax status"),
        required=False,
        choices=[("", _("Any")), ("exempt", _("Exempt")), ("taxable", _("Taxable"))],
    )
    q = forms.CharField(label=_("Email or organisation"), required=False, max_length=254)


class MarkPaidForm(forms.Form):
    reference = forms.CharField(label=_("Bank reference of the transfer"), max_length=100)
    paid_on = forms.DateField(label=_("Date the transfer arrived"), widget=forms.DateInput(attrs={"type": "date"}))


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason for voiding (printed on the credit note's record)"), max_length=500)
