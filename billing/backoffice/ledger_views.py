"""The billing back-office (mounted under /<lang>/billing/): invoices, subscriptions and customer accounts, each
list filtered by a form and exported as CSV exactly as filtered (?export=csv); an invoice's page records a bank
transfer (reference and date) or voids it with a reason and a credit note. Every page checks a permission
(support.roles: billing agent, administrator; support agents read)."""

import csv
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from billing.backoffice import forms
from billing.backoffice.selectors import (
    ACCOUNT_COLUMNS,
    INVOICE_COLUMNS,
    SUBSCRIPTION_COLUMNS,
    account_csv_rows,
    accounts_filtered,
    invoice_csv_rows,
    invoices_filtered,
    subscription_csv_rows,
    subscription_discount,
    subscriptions_filtered,
)
from billing.invoice_documents import invoice_document
from billing.invoices import invoice_mark_paid, invoice_void
from billing.models import CustomerAccount, Invoice
from billing.selectors import account_tax_exempt
from core.errors import ApplicationError
from core.money import format_minor_localized
from core.staff import permission_page

PAGE_SIZE = 50


class _Echo:
    def write(self, value):
        return value


def _safe(value):
    """A spreadsheet must not run a cell as a formula: text starting with = + - @ gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(request, name: str, columns: list[str], rows):
    if not request.user.has_perm("billing.export_billing"):
        raise PermissionDenied
    response = StreamingHttpResponse(
        _stream(csv.writer(_Echo()), columns, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}-{date.today().isoformat()}.csv"'
    return response


def _stream(writer, columns, rows):
    yield "\ufeff"  # spreadsheets read the file as UTF-8
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([_safe(value) for value in row])


def _list(request, form_class, filtered, template: str, csv_name: str, columns, csv_rows, decorate=None):
    form = form_class(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = filtered(data)
    if request.GET.get("export") == "csv":
        return _csv(request, csv_name, columns, csv_rows(rows.iterator(chunk_size=500)))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    items = [decorate(row) for row in page] if decorate else list(page)
    return render(request, template, {"form": form, "page": page, "items": items, "query": query.urlencode()})


@require_GET
@permission_page("billing.view_invoice")
def invoices(request):
    def decorate(invoice):
        return {"invoice": invoice, "total": format_minor_localized(invoice.total_minor, invoice.currency)}

    return _list(
        request,
        forms.InvoiceFilterForm,
        invoices_filtered,
        "billing/backoffice/invoices.html",
        "invoices",
        INVOICE_COLUMNS,
        invoice_csv_rows,
        decorate,
    )


def _invoice_page(request, invoice: Invoice, *, paid_form=None, void_form=None, status=200):
    context = {
        **invoice_document(invoice),
        "paid_form": paid_form or forms.MarkPaidForm(initial={"paid_on": date.today(), "reference": ""}),
        "void_form": void_form or forms.VoidForm(),
    }
    return render(request, "billing/backoffice/invoice.html", context, status=status)


def _invoice(number: str) -> Invoice:
    return get_object_or_404(
        Invoice.objects.select_related("account", "subscription__coupon__organisation"), number=number
    )


@require_GET
@permission_page("billing.view_invoice")
def invoice(request, number: str):
    return _invoice_page(request, _invoice(number))


@require_POST
@permission_page("billing.mark_invoice_paid")
def invoice_paid(request, number: str):
    invoice = _invoice(number)
    form = forms.MarkPaidForm(request.POST)
    if form.is_valid():
        try:
            invoice_mark_paid(
                invoice=invoice,
                actor=request.user,
                reference=form.cleaned_data["reference"],
                paid_on=form.cleaned_data["paid_on"],
            )
        except ApplicationError as error:
            form.add_error(None, f"{error.message} ({error.code})")
        else:
            messages.success(request, _("Invoice %(number)s is marked paid.") % {"number": invoice.number})
            return redirect("backoffice:billing_invoice", number=invoice.number)
    return _invoice_page(request, invoice, paid_form=form, status=400)


@require_POST
@permission_page("billing.void_invoice")
def invoice_void_view(request, number: str):
    invoice = _invoice(number)
    form = forms.VoidForm(request.POST)
    if form.is_valid():
        try:
            credit = invoice_void(invoice=invoice, actor=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            form.add_error(None, f"{error.message} ({error.code})")
        else:
            messages.success(
                request,
                _("Invoice %(number)s is void; credit note %(credit)s was issued.")
                % {"number": invoice.number, "credit": credit.number},
            )
            return redirect("backoffice:billing_invoice", number=invoice.number)
    return _invoice_page(request, invoice, void_form=form, status=400)


@require_GET
@permission_page("billing.view_subscription")
def subscriptions(request):
    def decorate(subscription):
        percent, why = subscription_discount(subscription)
        return {"subscription": subscription, "percent": percent, "why": why}

    return _list(
        request,
        forms.SubscriptionFilterForm,
        subscriptions_filtered,
        "billing/backoffice/subscriptions.html",
        "subscriptions",
        SUBSCRIPTION_COLUMNS,
        subscription_csv_rows,
        decorate,
    )


@require_GET
@permission_page("billing.view_customeraccount")
def accounts(request):
    return _list(
        request,
        forms.AccountFilterForm,
        accounts_filtered,
        "billing/backoffice/accounts.html",
        "accounts",
        ACCOUNT_COLUMNS,
        account_csv_rows,
    )


@require_GET
@permission_page("billing.view_customeraccount")
def account(request, pk: int):
    customer = get_object_or_404(CustomerAccount, pk=pk)
    rows = [
        {"invoice": i, "total": format_minor_localized(i.total_minor, i.currency)}
        for i in customer.invoices.order_by("-issued_at")[:100]
    ]
    subs = [
        {"subscription": s, **dict(zip(("percent", "why"), subscription_discount(s), strict=True))}
        for s in customer.subscriptions.select_related("plan", "coupon")
    ]
    exempt = account_tax_exempt(
        account=customer, country=customer.billing_country, region=customer.billing_region or "", on=timezone.now()
    )
    return render(
        request,
        "billing/backoffice/account.html",
        {"customer": customer, "invoices": rows, "subscriptions": subs, "tax_exempt": exempt},
    )
