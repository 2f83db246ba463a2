"""Invoices as documents: seller and buyer identity, one date format per language, a phone-width layout, the PDF
from the same template, the email on issue; and the billing agent's payment record and void with a credit note."""

from datetime import date

import pytest
from django.test import Client, override_settings

from billing.invoice_documents import invoice_buyer
from billing.invoices import invoice_mark_paid, invoice_void
from billing.models import Invoice
from core.errors import Conflict, InvalidInput, PermissionDenied
from core.models import AuditEntry
from notifications.models import OutboxEmail
from tests.billing.test_checkout_support import catalog, make_account, staff_user
from tests.billing.test_store_pages import _subscribed

pytestmark = pytest.mark.django_db

SELLER = {
    "VENDOR_NAME": "Workplace",
    "VENDOR_LEGAL_NAME": "Workplace Inc.",
    "VENDOR_ADDRESS": ["1 Market Street", "San Francisco, CA 94105"],
    "VENDOR_TAX_ID": "US 12-3456789",
}


@pytest.fixture(autouse=True)
def _catalog():
    catalog()


@override_settings(**SELLER)
def test_invoice_page_names_seller_and_buyer_with_one_date_format():
    account, client, _subscription = _subscribed()
    account.organisation_name, account.billing_address, account.tax_id = "Riverside Choir", "2 Elm St\nAlbany", "EIN 1"
    account.save()
    invoice = Invoice.objects.get(account=account)
    html = client.get(f"/en/store/invoices/{invoice.number}/").content.decode()
    for text in (
        "Workplace Inc.",
        "1 Market Street",
        "US 12-3456789",
        "Riverside Choir",
        "2 Elm St",
        "Albany",
        "EIN 1",
        "Taxable in US-NY",
        "Seller",
        "Buyer",
    ):
        assert text in html, text
    issued = invoice.issued_at
    assert f"{issued:%b}. {issued.day}, {issued.year}" in html or f"{issued:%B} {issued.day}, {issued.year}" in html
    assert "/" not in html.split("Invoice lines")[1].split("</table>")[0].replace("</", "")  # no short dates
    assert 'data-label="Amount"' in html  # the lines stack on a phone (static/css/vouch.css)


def test_buyer_falls_back_to_the_coupons_organisation():
    account, _client, _subscription = _subscribed()
    buyer = invoice_buyer(Invoice.objects.get(account=account))
    assert buyer["name"].startswith("Org") or buyer["name"]  # the registry organisation's name
    assert buyer["org_id"].startswith("US-EIN-")


@override_settings(**SELLER)
def test_pdf_is_the_same_document():
    account, client, _subscription = _subscribed()
    invoice = Invoice.objects.get(account=account)
    response = client.get(f"/fr/store/invoices/{invoice.number}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and len(pdf) > 2000
    # The text as WeasyPrint wrote it (pydyf: uncompressed=True keeps the content streams readable).
    from billing import invoice_documents

    html = invoice_documents.render_to_string(
        "billing/invoice_pdf.html", {**invoice_documents.invoice_document(invoice), "stylesheet": "", "pdf": True}
    )
    page = client.get(f"/fr/store/invoices/{invoice.number}/").content.decode()
    assert page.split('<article class="invoice">')[1].split("</article>")[0].strip()[:400] in html


def test_another_customers_pdf_is_404():
    account, _client, _subscription = _subscribed()
    invoice = Invoice.objects.get(account=account)
    other = Client()
    other.force_login(make_account(email="other@example.org").user)
    assert other.get(f"/en/store/invoices/{invoice.number}/pdf/").status_code == 404


def test_each_invoice_is_emailed_once_in_the_accounts_language():
    account, _client, _subscription = _subscribed()
    invoice = Invoice.objects.get(account=account)
    [email] = OutboxEmail.objects.filter(template="invoice_issued")
    assert email.to == account.email and invoice.number in email.subject
    assert f"/store/invoices/{invoice.number}/pdf/" in email.body_text and "Workplace store" in email.body_text


def test_billing_agent_records_a_transfer_with_reference_and_date():
    account, _client, _subscription = _subscribed()
    invoice = Invoice.objects.get(account=account)
    agent = staff_user()
    with pytest.raises(InvalidInput):
        invoice_mark_paid(invoice=invoice, actor=agent, reference="BANK-1", paid_on=date(2999, 1, 1))
    paid = invoice_mark_paid(invoice=invoice, actor=agent, reference="BANK-REF-42", paid_on=date(2026, 1, 15))
    assert paid.status == "paid" and paid.payment_reference == "BANK-REF-42"
    assert paid.paid_at.date() == date(2026, 1, 15)
    assert AuditEntry.objects.get(action="invoice.paid").after["payment_reference"] == "BANK-REF-42"


def test_void_needs_a_reason_and_issues_a_credit_note():
    account, _client, _subscription = _subscribed()
    invoice = Invoice.objects.get(account=account)
    agent = staff_user()
    with pytest.raises(PermissionDenied):
        invoice_void(invoice=invoice, actor=account.user, reason="x")
    with pytest.raises(InvalidInput):
        invoice_void(invoice=invoice, actor=agent, reason=" ")
    credit = invoice_void(invoice=invoice, actor=agent, reason="Duplicate order")
    invoice.refresh_from_db()
    assert invoice.status == "void" and invoice.void_reason == "Duplicate order"
    assert credit.credit_note_for == invoice and credit.total_minor == -invoice.total_minor
    assert sum(line.amount_minor for line in credit.lines.all()) == credit.total_minor
    assert credit.number > invoice.number  # the same gapless sequence
    with pytest.raises(Conflict):
        invoice_void(invoice=invoice, actor=agent, reason="again")
    with pytest.raises(Conflict):
        invoice_void(invoice=credit, actor=agent, reason="a credit note")
    assert AuditEntry.objects.get(action="invoice.voided").after["credit_note"] == credit.number
