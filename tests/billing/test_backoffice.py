"""The billing back-office: invoices, subscriptions and accounts filtered, each CSV exactly what the filter shows;
a transfer recorded with its reference and date; a void with a reason and a credit note. Roles: tests/support."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from billing.checkout import subscription_buy
from billing.models import Invoice, TaxExemption
from tests.billing.test_checkout_support import catalog, make_account, make_coupon

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    catalog()
    _coupon, code = make_coupon(email="a@example.org")
    alice = make_account(email="a@example.org")
    bob = make_account(email="b@example.org", country="FR", region="", currency="EUR", verified=False)
    subscription_buy(
        account=alice,
        plan_code="workplace-pro",
        quantity=3,
        add_ons={},
        billing_cycle="annual",
        coupon_code=code,
        idempotency_key="a",
    )
    subscription_buy(
        account=bob,
        plan_code="workplace-business",
        quantity=1,
        add_ons={},
        billing_cycle="monthly",
        idempotency_key="b",
    )
    old = Invoice.objects.get(account=bob)
    Invoice.objects.filter(pk=old.pk).update(issued_at=timezone.now() - timedelta(days=100))
    return {"alice": alice, "bob": bob}


def _csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_invoice_filters_and_the_csv_shows_the_same_rows(store, as_role):
    client = as_role("Billing agent")
    html = client.get("/en/review/billing/", {"period": "30d"}).content.decode()
    assert "a@example.org" in html and "b@example.org" not in html
    rows = _csv(client.get("/en/review/billing/", {"period": "30d", "export": "csv"}))
    assert [row["account"] for row in rows] == ["a@example.org"]
    assert rows[0]["total"] == "233.84" and rows[0]["currency"] == "USD" and rows[0]["status"] == "open"
    everything = _csv(client.get("/en/review/billing/", {"export": "csv"}))
    assert sorted(row["account"] for row in everything) == ["a@example.org", "b@example.org"]
    assert [r["account"] for r in _csv(client.get("/en/review/billing/", {"account": "b@", "export": "csv"}))] == [
        "b@example.org"
    ]
    assert _csv(client.get("/en/review/billing/", {"status": "paid", "export": "csv"})) == []


def test_csv_cells_never_run_as_formulas(store, as_role):
    Invoice.objects.filter(account=store["alice"]).update(payment_reference="=HYPERLINK(1)")
    rows = _csv(as_role("Billing agent").get("/en/review/billing/", {"export": "csv"}))
    assert "'=HYPERLINK(1)" in [row["payment_reference"] for row in rows]


def test_subscriptions_say_the_discount_and_why_and_the_next_renewal(store, as_role):
    client = as_role("Billing agent")
    rows = _csv(client.get("/en/review/billing/subscriptions/", {"discounted": "yes", "export": "csv"}))
    assert len(rows) == 1 and rows[0]["account"] == "a@example.org" and rows[0]["discount_percent"] == "50"
    assert rows[0]["discount_why"].startswith("coupon …") and rows[0]["next_renewal"]
    html = client.get("/fr/review/billing/subscriptions/", {"discounted": "no"}).content.decode()
    assert "b@example.org" in html and "a@example.org" not in html


def test_accounts_filter_by_verification_country_and_tax_status(store, as_role):
    client = as_role("Billing agent")
    rows = _csv(client.get("/en/review/billing/accounts/", {"verified": "no", "export": "csv"}))
    assert [(r["email"], r["country"], r["tax_status"]) for r in rows] == [("b@example.org", "FR", "taxable")]
    TaxExemption.objects.create(
        account=store["alice"],
        country="US",
        region="NY",
        certificate_type="other",
        reason="r",
        signature="s",
        signed_at=timezone.now(),
        document_stored_name="x",
        document_original_name="x.pdf",
        document_content_type="application/pdf",
        document_size=1,
        document_sha256="0" * 64,
        status="exempt",
        requested_at=timezone.now(),
    )
    rows = _csv(client.get("/en/review/billing/accounts/", {"tax": "exempt", "export": "csv"}))
    assert [r["email"] for r in rows] == ["a@example.org"]


def test_mark_paid_from_the_invoice_page(store, as_role):
    invoice = Invoice.objects.get(account=store["alice"])
    client = as_role("Billing agent")
    page = client.get(f"/en/review/billing/invoices/{invoice.number}/").content.decode()
    assert "Record the bank transfer" in page and "Void the invoice" in page
    assert client.post(f"/en/review/billing/invoices/{invoice.number}/paid/", {"reference": ""}).status_code == 400
    response = client.post(
        f"/en/review/billing/invoices/{invoice.number}/paid/",
        {"reference": "SEPA-778", "paid_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    page = client.get(f"/en/review/billing/invoices/{invoice.number}/").content.decode()
    assert "SEPA-778" in page and "billing-agent" in page and "Record the bank transfer" not in page
    again = client.post(
        f"/en/review/billing/invoices/{invoice.number}/paid/",
        {"reference": "X", "paid_on": timezone.localdate().isoformat()},
    )
    assert again.status_code == 400 and "invoice_not_open" in again.content.decode()


def test_void_from_the_invoice_page_issues_a_credit_note(store, as_role):
    invoice = Invoice.objects.get(account=store["bob"])
    client = as_role("Billing agent")
    response = client.post(f"/en/review/billing/invoices/{invoice.number}/void/", {"reason": "Ordered by mistake"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    credit = invoice.credit_note
    assert invoice.status == "void" and credit.total_minor == -invoice.total_minor
    page = client.get(f"/fr/review/billing/invoices/{credit.number}/").content.decode()
    assert "Avoir" in page or credit.number in page
