"""An invoice as a document: seller, buyer, lines, totals, payment. One context for the invoice page, its PDF and
the email sent when it is issued, so the three always say the same.

Seller: the vendor's identity from settings (billing.brand). Buyer: the account's invoice details (organisation
name, address, tax identifier), else the organisation of the subscription's nonprofit coupon (its registry name and
address), else the account's email; always its billing country and region and its tax status. Dates are written in
one format per language (DATE_FORMAT); money by core.money.

PDF: WeasyPrint (PyPI) renders the page's own document template (billing/store/_invoice_document.html) inside
billing/invoice_pdf.html, with the stylesheet inlined and only files under the static folders readable, so
rendering never fetches anything over the network. WeasyPrint needs the system's Pango (Debian: libpango-1.0-0,
libpangoft2-1.0-0), installed by scripts/test and .ci/run when missing.
"""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.brand import vendor_brand
from billing.models import Invoice, InvoiceLineKind, InvoiceStatus
from billing.payments import BankTransfer
from core.money import format_minor_localized

LINE_KIND_LABELS = dict(InvoiceLineKind.choices)

# Why a renewal was at full price: shown under the invoice's charge lines and on the subscription page.
DISCOUNT_ENDED_NOTES = {
    "discount_ended_coupon_revoked": gettext_lazy("No discount this term: the nonprofit coupon was revoked."),
    "discount_ended_organisation_inactive": gettext_lazy(
        "No discount this term: the organisation is no longer active in its registry."
    ),
    "discount_ended_coupon_flagged": gettext_lazy(
        "No discount this term: the organisation no longer meets the program's eligibility rules."
    ),
}


def invoice_buyer(invoice: Invoice) -> dict:
    account = invoice.account
    organisation = None
    subscription = invoice.subscription
    if subscription is not None and subscription.coupon_id is not None:
        organisation = subscription.coupon.organisation
    name = account.organisation_name or (organisation.name if organisation else "")
    if account.billing_address:
        address = [line.strip() for line in account.billing_address.splitlines() if line.strip()]
    elif organisation is not None:
        address = [
            part
            for part in (
                organisation.street,
                " ".join(p for p in (organisation.city, organisation.region, organisation.postcode) if p),
            )
            if part
        ]
    else:
        address = []
    place = f"{account.billing_country}-{account.billing_region}" if account.billing_region else account.billing_country
    if invoice.tax_exempt:
        tax_status = _("Tax exempt: approved exemption for %(place)s") % {"place": place}
    else:
        tax_status = _("Taxable in %(place)s") % {"place": place}
    return {
        "name": name,
        "email": account.email,
        "address": address,
        "country": account.billing_country,
        "region": account.billing_region,
        "tax_id": account.tax_id,
        "tax_status": tax_status,
        "org_id": organisation.org_id if organisation else "",
    }


def invoice_document(invoice: Invoice) -> dict:
    """Everything the invoice templates show, money already formatted in the active language."""
    lines = [
        {
            "line": line,
            "kind": LINE_KIND_LABELS.get(line.kind, line.kind),
            "unit": (
                format_minor_localized(line.unit_amount_minor, invoice.currency) if line.unit_amount_minor else ""
            ),
            "amount": format_minor_localized(line.amount_minor, invoice.currency),
            "note": DISCOUNT_ENDED_NOTES.get(line.explanation, ""),
        }
        for line in invoice.lines.select_related("product").order_by("position")
    ]
    totals = {
        name: format_minor_localized(getattr(invoice, f"{name}_minor"), invoice.currency)
        for name in ("subtotal", "discount", "tax", "total")
    }
    credited = getattr(invoice, "credits_tax_of", None)
    return {
        "invoice": invoice,
        "lines": lines,
        "totals": totals,
        "seller": vendor_brand(),
        "buyer": invoice_buyer(invoice),
        "credit_of": credited.invoice if credited else None,
        "transfer": BankTransfer().instructions(invoice) if invoice.status == InvoiceStatus.OPEN else None,
    }


def _stylesheet() -> str:
    return Path(finders.find("css/invoice-pdf.css")).read_text(encoding="utf-8")


def _static_root() -> Path:
    return Path(finders.find("css/vouch.css")).resolve().parent.parent


def _static_only_fetcher():
    """WeasyPrint's fetcher limited to files under the static folder (the logo): nothing over the network."""
    from weasyprint.urls import URLFetcher

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file://") and Path(url.removeprefix("file://")).resolve().is_relative_to(_static_root()):
                return super().fetch(url, headers)
            raise ValueError(f"invoice PDFs load no outside resources: {url}")

    return StaticOnly(allowed_protocols=("file",))


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as PDF, from the page's document template, in the active language."""
    from weasyprint import HTML

    context = invoice_document(invoice)
    seller = context["seller"]
    logo = seller["logo_url"]
    if logo.startswith("/static/") and (found := finders.find(logo.removeprefix("/static/"))):
        seller["logo_url"] = Path(found).resolve().as_uri()
    elif logo:
        seller["logo_url"] = ""  # a remote logo is not fetched
    html = render_to_string("billing/invoice_pdf.html", {**context, "stylesheet": _stylesheet(), "pdf": True})
    return HTML(string=html, base_url=_static_root().as_uri() + "/", url_fetcher=_static_only_fetcher()).write_pdf()
