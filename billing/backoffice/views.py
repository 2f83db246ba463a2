"""Staff review of sales-tax exemption requests (billing.tax_exemptions): the pending list, one request with its
certificate, approve (which credits the tax of invoices issued since the request) and reject with a message.
Staff only (core.staff.staff_required); service errors come back as messages. URLs: billing/backoffice/urls.py,
under /<lang>/review/ with the reviewer pages (vouch/urls.py composes the back-office)."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from billing.forms_tax import TaxExemptionRejectForm
from billing.models import TaxExemption
from billing.tax_exemptions import (
    tax_exemption_approve,
    tax_exemption_document_open,
    tax_exemption_reject,
    tax_exemptions_pending,
)
from core.errors import ApplicationError
from core.money import format_minor_localized
from core.staff import staff_required


def _exemption(pk: int) -> TaxExemption:
    return get_object_or_404(TaxExemption.objects.select_related("account", "decided_by"), pk=pk)


@require_GET
@staff_required
def tax_exemption_queue(request):
    recent = (
        TaxExemption.objects.exclude(status="pending")
        .select_related("account", "decided_by")
        .order_by("-decided_at", "-pk")[:20]
    )
    return render(request, "backoffice/tax_exemptions.html", {"pending": tax_exemptions_pending(), "recent": recent})


def _detail(request, exemption: TaxExemption, reject_form=None):
    credits = [
        (credit, format_minor_localized(credit.credit_invoice.tax_minor, credit.credit_invoice.currency))
        for credit in exemption.credits.select_related("invoice", "credit_invoice")
    ]
    return render(
        request,
        "backoffice/tax_exemption.html",
        {"exemption": exemption, "reject_form": reject_form or TaxExemptionRejectForm(), "credits": credits},
        status=400 if reject_form is not None else 200,
    )


@require_GET
@staff_required
def tax_exemption_detail(request, pk: int):
    return _detail(request, _exemption(pk))


@require_POST
@staff_required
def tax_exemption_approve_view(request, pk: int):
    exemption = _exemption(pk)
    try:
        credits = tax_exemption_approve(exemption=exemption, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Exemption approved; %(count)d credit note(s) issued.") % {"count": len(credits)})
    return redirect("backoffice:tax_exemption", pk=exemption.pk)


@require_POST
@staff_required
def tax_exemption_reject_view(request, pk: int):
    exemption = _exemption(pk)
    form = TaxExemptionRejectForm(request.POST)
    if not form.is_valid():
        return _detail(request, exemption, reject_form=form)
    try:
        tax_exemption_reject(exemption=exemption, actor=request.user, message=form.cleaned_data["message"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Exemption request rejected."))
    return redirect("backoffice:tax_exemption", pk=exemption.pk)


@require_GET
@staff_required
def tax_exemption_document(request, pk: int):
    """Stream the certificate like verification documents: the type recorded from the content, nosniff and a CSP
    sandbox so a hostile file cannot run as a page."""
    exemption = _exemption(pk)
    response = FileResponse(
        tax_exemption_document_open(exemption=exemption),
        content_type=exemption.document_content_type,
        as_attachment="download" in request.GET,
        filename=exemption.document_original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
