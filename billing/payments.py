"""How invoices get paid: the `PaymentProvider` interface and the one provider Vouch ships, `BankTransfer`.

Where a card processor plugs in: implement `PaymentProvider.charge(invoice) -> PaymentResult`.
- `charge` asks the provider to collect `invoice.total_minor` in `invoice.currency` (integer minor units), using
  `invoice.number` as the reference the customer and the bank see. It must be idempotent per invoice (a card
  processor: pass the invoice number as its idempotency key), so a retried call never charges twice.
- It returns `PaymentResult(status, reference, instructions)`: `succeeded` (money collected: the caller then records
  it with `billing.invoices.invoice_mark_paid`, the one place an invoice becomes paid, audited), `pending` (the
  customer must act, e.g. make the transfer; `instructions` says how), or `failed` (`message` says why).
- It never changes the invoice itself and never refunds (the store has no refunds).

`BankTransfer`: invoices are paid by bank transfer. `charge` returns `pending` with the instructions (the vendor's
bank details from settings `BANK_TRANSFER_DETAILS`, the amount, and the invoice number as the mandatory transfer
reference); staff mark the invoice paid when the transfer shows on the account.
"""

from dataclasses import dataclass, field
from typing import Literal, Protocol

from django.conf import settings

from billing.models import Invoice
from core.money import format_minor

PaymentStatus = Literal["succeeded", "pending", "failed"]


@dataclass(frozen=True)
class PaymentResult:
    status: PaymentStatus
    reference: str  # what identifies the payment: the invoice number for a transfer, the processor's charge id
    instructions: dict = field(default_factory=dict)  # what the customer must do (pending)
    message: str = ""  # why it failed (failed)


class PaymentProvider(Protocol):
    """A way to collect an invoice's total. See the module docstring for the contract."""

    name: str

    def charge(self, invoice: Invoice) -> PaymentResult: ...


class BankTransfer:
    name = "bank_transfer"

    def __init__(self, bank_details: dict | None = None):
        self.bank_details = (
            bank_details if bank_details is not None else dict(getattr(settings, "BANK_TRANSFER_DETAILS", {}))
        )

    def instructions(self, invoice: Invoice) -> dict:
        return {
            "method": self.name,
            "amount_minor": invoice.total_minor,
            "currency": invoice.currency,
            "amount": format_minor(invoice.total_minor, invoice.currency),
            "reference": invoice.number,
            "bank": self.bank_details,
            "note": f"Quote the reference {invoice.number} with the transfer.",
        }

    def charge(self, invoice: Invoice) -> PaymentResult:
        if invoice.status == "paid":
            return PaymentResult(status="succeeded", reference=invoice.number)
        if invoice.status != "open":
            return PaymentResult(status="failed", reference=invoice.number, message=f"invoice is {invoice.status}")
        return PaymentResult(status="pending", reference=invoice.number, instructions=self.instructions(invoice))
