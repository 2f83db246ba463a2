"""Journey 8: a billing agent reconciles a bank transfer and exports the lists, in a real browser.

Two customers bought; one pays by bank transfer. The billing agent signs in, filters the open invoices, records the
transfer with the bank's reference and date, voids the other customer's duplicate invoice with a reason (a credit
note is issued), reads the subscriptions with their discount and renewal, and downloads the invoices shown as CSV.
"""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import LANGS
from tests.browser.helpers import t
from tests.browser.journeys_b import customer, reviewer_signs_in, staff_member


@pytest.mark.parametrize("lang", LANGS)
def test_billing_agent_records_a_transfer_voids_and_exports(page, lang, demo_catalog):
    from billing.checkout import subscription_buy
    from billing.models import Invoice
    from support.roles import roles_ensure

    shot = f"8-billing-{lang}"
    payer = customer("treasurer@river-trust.example")
    other = customer("office@duplicate-order.example", country="FR", region="", currency="EUR")
    subscription_buy(
        account=payer, plan_code="workplace-pro", quantity=2, add_ons={}, billing_cycle="annual", idempotency_key="j8a"
    )
    subscription_buy(
        account=other,
        plan_code="workplace-business",
        quantity=1,
        add_ons={},
        billing_cycle="annual",
        idempotency_key="j8b",
    )
    invoice = Invoice.objects.get(account=payer)
    duplicate = Invoice.objects.get(account=other)

    roles_ensure()
    agent = staff_member("bea")
    agent.groups.add(Group.objects.get(name="Billing agent"))
    reviewer_signs_in(page, lang, "bea", next_path=f"/{lang}/review/billing/")
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Invoices"))
    page.get_by_label(t(lang, "Status")).select_option("open")
    page.get_by_label(t(lang, "Account email")).fill("river-trust")
    page.submit(page.get_by_role("button", name=t(lang, "Filter")), label="invoices filtered")
    expect(main.locator("table.results tbody tr")).to_have_count(1)
    page.shot(f"{shot}-01-invoices")

    # The transfer arrived: its bank reference and date.
    page.submit(main.get_by_role("link", name=invoice.number), label="invoice")
    expect(main).to_contain_text(t(lang, "Seller"))
    page.get_by_label(t(lang, "Bank reference of the transfer")).fill("SEPA-2026-778")
    page.get_by_label(t(lang, "Date the transfer arrived")).fill(timezone.localdate().isoformat())
    page.submit(page.get_by_role("button", name=t(lang, "Mark paid")), label="invoice paid")
    expect(main).to_contain_text("SEPA-2026-778")
    page.shot(f"{shot}-02-paid")
    invoice.refresh_from_db()
    assert invoice.status == "paid" and invoice.payment_reference == "SEPA-2026-778"

    # The other customer's duplicate order is voided with a credit note.
    page.goto(f"/{lang}/review/billing/invoices/{duplicate.number}/", label="duplicate invoice")
    page.get_by_label(t(lang, "Reason for voiding (printed on the credit note's record)")).fill("Duplicate order")
    page.submit(page.get_by_role("button", name=t(lang, "Void and issue a credit note")), label="invoice void")
    duplicate.refresh_from_db()
    assert duplicate.status == "void" and duplicate.credit_note.total_minor == -duplicate.total_minor
    expect(main).to_contain_text(duplicate.credit_note.number)

    # Subscriptions: discount and why, next renewal; then the invoices as CSV, exactly as filtered.
    page.submit(page.get_by_role("link", name=t(lang, "Subscriptions"), exact=True), label="subscriptions")
    expect(main.locator("table.results tbody tr")).to_have_count(2)
    page.shot(f"{shot}-03-subscriptions")
    page.goto(f"/{lang}/review/billing/?status=paid", label="paid invoices")
    with page.expect_download() as download:
        page.get_by_role("link", name=t(lang, "Export these rows as CSV")).click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert [(row["number"], row["payment_reference"]) for row in rows] == [(invoice.number, "SEPA-2026-778")]
