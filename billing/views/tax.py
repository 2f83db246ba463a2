"""The customer's sales-tax exemption page: their own requests and the request form (login required)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from billing.forms_tax import TaxExemptionRequestForm
from billing.models import CustomerAccount, TaxExemptionStatus
from billing.tax_exemptions import tax_exemption_request, tax_exemptions_of
from billing.views.accounts import SIGN_IN_URL
from core.errors import ApplicationError


@require_http_methods(["GET", "POST"])
@login_required(login_url=SIGN_IN_URL)
def tax_exemptions_page(request):
    account = CustomerAccount.objects.filter(user=request.user).first()
    if account is None:
        return render(request, "billing/tax/exemptions.html", {"account": None}, status=404)
    form = TaxExemptionRequestForm(
        request.POST or None,
        request.FILES or None,
        initial={"country": account.billing_country, "region": account.billing_region},
    )
    if request.method == "POST" and form.is_valid():
        try:
            exemption = tax_exemption_request(account=account, **form.service_arguments())
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            if exemption.status == TaxExemptionStatus.REJECTED:
                messages.error(request, exemption.decision_message)
            else:
                messages.success(request, _("Your request was received; we will review it."))
            return redirect("billing:tax_exemptions")
    return render(
        request,
        "billing/tax/exemptions.html",
        {"account": account, "form": form, "exemptions": tax_exemptions_of(account=account)},
        status=400 if form.errors else 200,
    )
