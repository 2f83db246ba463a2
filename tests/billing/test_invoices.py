"""Invoices: sequential numbers without gaps, totals that add up, payment by bank transfer marked by staff."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from billing.checkout import subscription_buy
from billing.invoices import invoice_mark_paid, invoice_number_next
from billing.models import Invoice, InvoiceSequence
from billing.payments import BankTransfer, PaymentProvider, PaymentResult
from core.errors import Conflict, PermissionDenied
from core.models import AuditEntry
from tests.billing.test_checkout_support import NOW, catalog, make_account, staff_user

pytestmark = pytest.mark.django_db

BASKET = {"plan_code": "workplace-pro", "quantity": 2, "add_ons": {}, "billing_cycle": "annual"}


@pytest.fixture(autouse=True)
def _catalog(db):
    catalog()


def _buy(account, key, now=NOW):
    return subscription_buy(account=account, idempotency_key=key, now=now, **BASKET).invoices.get()


def test_numbers_are_sequential_per_year():
    account = make_account()
    numbers = [_buy(account, f"k{i}").number for i in range(3)]
    numbers.append(_buy(account, "next-year", now=datetime(2027, 1, 2, tzinfo=UTC)).number)
    assert numbers == ["INV-2026-000001", "INV-2026-000002", "INV-2026-000003", "INV-2027-000001"]


def test_a_rolled_back_invoice_gives_its_number_back():
    account = make_account()
    _buy(account, "a")
    with pytest.raises(RuntimeError), transaction.atomic():
        _buy(account, "b")
        raise RuntimeError("payment page crashed")
    assert _buy(account, "c").number == "INV-2026-000002"
    assert InvoiceSequence.objects.get(year=2026).last_number == 2


@pytest.mark.django_db(transaction=True)
def test_numbers_are_taken_only_inside_a_transaction():
    with pytest.raises(RuntimeError):
        invoice_number_next(year=2026)


def test_an_invoice_must_add_up():
    invoice = _buy(make_account(), "a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(total_minor=invoice.total_minor + 1)


def test_staff_mark_an_invoice_paid_once():
    invoice = _buy(make_account(), "a")
    staff = staff_user()
    paid = invoice_mark_paid(invoice=invoice, actor=staff, now=NOW)
    assert (paid.status, paid.paid_by, paid.paid_at) == ("paid", staff, NOW)
    entry = AuditEntry.objects.get(action="invoice.paid")
    assert entry.actor == staff and entry.before == {"status": "open"} and entry.after["status"] == "paid"
    with pytest.raises(Conflict) as error:
        invoice_mark_paid(invoice=invoice, actor=staff, now=NOW)
    assert error.value.code == "invoice_not_open"
    assert AuditEntry.objects.filter(action="invoice.paid").count() == 1


def test_only_staff_mark_invoices_paid():
    account = make_account()
    invoice = _buy(account, "a")
    with pytest.raises(PermissionDenied):
        invoice_mark_paid(invoice=invoice, actor=account.user)
    invoice.refresh_from_db()
    assert invoice.status == "open"


def test_a_void_invoice_cannot_be_paid():
    invoice = _buy(make_account(), "a")
    Invoice.objects.filter(pk=invoice.pk).update(status="void")
    with pytest.raises(Conflict):
        invoice_mark_paid(invoice=invoice, actor=staff_user())


def test_bank_transfer_gives_instructions_with_the_invoice_number_as_reference():
    invoice = _buy(make_account(), "a")
    provider: PaymentProvider = BankTransfer(bank_details={"iban": "FR76 0000 0000 0000", "bic": "TESTFRPP"})
    result = provider.charge(invoice)
    assert isinstance(result, PaymentResult)
    assert result.status == "pending" and result.reference == invoice.number
    assert result.instructions["reference"] == invoice.number
    assert result.instructions["amount_minor"] == invoice.total_minor == 31179  # 299.80 + 4 % NY (11.992 -> 11.99)
    assert result.instructions["amount"] == "311.79 USD"
    assert result.instructions["bank"]["iban"].startswith("FR76")
    invoice.refresh_from_db()
    assert invoice.status == "open"  # asking for a transfer changes nothing
    invoice_mark_paid(invoice=invoice, actor=staff_user())
    invoice.refresh_from_db()
    assert provider.charge(invoice).status == "succeeded"


@pytest.mark.django_db(transaction=True)
def test_concurrent_invoices_get_gapless_distinct_numbers():
    catalog()
    threads = 20 if connection.vendor == "postgresql" else 6
    accounts = [make_account(email=f"c{i}@example.org") for i in range(threads)]
    barrier, errors, lock = threading.Barrier(threads), [], threading.Lock()

    def attempt(index):
        try:
            barrier.wait(timeout=30)
            _buy(accounts[index], "k")
        except Exception as error:
            with lock:
                errors.append(repr(error))
        finally:
            connection.close()

    workers = [threading.Thread(target=attempt, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert errors == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-2026-{n:06d}" for n in range(1, threads + 1)]
