"""Issuing invoices from a quote, with sequential numbers without gaps, and recording their payment.

Numbering: one `InvoiceSequence` row per year, locked with SELECT … FOR UPDATE inside the transaction that creates
the invoice. The next number is taken and the invoice written in that one transaction, so concurrent issuers wait
for each other and a rolled-back invoice gives its number back (no gaps). Numbers read "INV-2026-000001".

Lines: per quoted line a charge (or proration) line with the gross, a discount line (negative) when the discount
applied, and a tax line when tax applied. Amounts come from billing.pricing.quote (the one rounding rule), so the
invoice adds up from its lines: total = subtotal - discount + tax.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.catalog import tax_rate_find
from billing.invoice_emails import invoice_email_queue
from billing.models import (
    CustomerAccount,
    Invoice,
    InvoiceLine,
    InvoiceLineKind,
    InvoiceSequence,
    InvoiceStatus,
    Product,
    Subscription,
)
from billing.pricing import DISCOUNTED, QuoteLine, quote
from billing.selectors import account_tax_exempt
from core.audit import audit_record
from core.errors import Conflict, InvalidInput, PermissionDenied

NUMBER_FORMAT = "INV-{year}-{number:06d}"


@dataclass(frozen=True)
class InvoiceItem:
    """What to bill: a quote line plus what the invoice says about it. `explanation` overrides the quote's
    discount reason on the charge line (e.g. `discount_ended_coupon_revoked` at a renewal)."""

    line: QuoteLine
    product: Product
    description: str
    period_start: date
    period_end: date
    explanation: str = ""


def invoice_number_next(*, year: int) -> str:
    """Take the next number of the year. Must run inside the transaction that creates the invoice."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("invoice numbers are taken inside the invoice's transaction")
    sequence, _created = InvoiceSequence.objects.select_for_update().get_or_create(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return NUMBER_FORMAT.format(year=year, number=sequence.last_number)


def invoice_issue(
    *,
    account: CustomerAccount,
    subscription: Subscription | None,
    items: list[InvoiceItem],
    discount_percent: Decimal | None,
    eligible_product_codes,
    period_start: date,
    period_end: date,
    now: datetime | None = None,
    tax_exempt: bool = False,
    actor=None,
    reason: str = "",
) -> Invoice:
    """Price the items (billing.pricing.quote), number the invoice and write it with its lines; audited."""
    now = now or timezone.now()
    rate = tax_rate_find(country=account.billing_country or "", region=account.billing_region or "")
    # Sales-tax exemption (billing.tax_exemptions): an approved exemption for the billing jurisdiction makes the
    # invoice tax-free.
    tax_exempt = tax_exempt or account_tax_exempt(
        account=account, country=account.billing_country or "", region=account.billing_region or "", on=now
    )
    tax_percent = rate.percent if rate else None
    priced = quote([item.line for item in items], discount_percent, eligible_product_codes, tax_percent, tax_exempt)
    with transaction.atomic():
        invoice = Invoice.objects.create(
            account=account,
            subscription=subscription,
            number=invoice_number_next(year=now.year),
            currency=priced.currency,
            issued_at=now,
            period_start=period_start,
            period_end=period_end,
            subtotal_minor=priced.gross_minor,
            discount_minor=priced.discount_minor,
            tax_minor=priced.tax_minor,
            total_minor=priced.total_minor,
            tax_exempt=tax_exempt,
        )
        lines = []
        for item, quoted in zip(items, priced.lines, strict=True):
            common = {
                "invoice": invoice,
                "product": item.product,
                "period_start": item.period_start,
                "period_end": item.period_end,
            }
            kind = InvoiceLineKind.PRORATION if item.line.proration else InvoiceLineKind.CHARGE
            lines.append(
                InvoiceLine(
                    kind=kind,
                    description=item.description,
                    quantity=item.line.quantity,
                    unit_amount_minor=item.line.unit_minor,
                    amount_minor=quoted.gross_minor,
                    explanation=item.explanation or quoted.discount_reason,
                    **common,
                )
            )
            if quoted.discount_reason == DISCOUNTED and quoted.discount_minor:
                lines.append(
                    InvoiceLine(
                        kind=InvoiceLineKind.DISCOUNT,
                        description=str(quoted.discount_message),
                        amount_minor=-quoted.discount_minor,
                        explanation=DISCOUNTED,
                        **common,
                    )
                )
            if quoted.tax_minor:
                label = rate.label if rate else str(_("Tax"))
                lines.append(
                    InvoiceLine(
                        kind=InvoiceLineKind.TAX,
                        description=f"{label} {rate.percent.normalize():f}% ({item.description})",
                        amount_minor=quoted.tax_minor,
                        explanation=quoted.tax_reason,
                        **common,
                    )
                )
        for position, line in enumerate(lines, start=1):
            line.position = position
        InvoiceLine.objects.bulk_create(lines)
        audit_record(
            action="invoice.issued",
            object_type="invoice",
            object_id=invoice.pk,
            actor=actor,
            after={
                "number": invoice.number,
                "account": account.pk,
                "subscription": subscription.pk if subscription else None,
                "currency": invoice.currency,
                "subtotal_minor": invoice.subtotal_minor,
                "discount_minor": invoice.discount_minor,
                "tax_minor": invoice.tax_minor,
                "total_minor": invoice.total_minor,
                "reason": reason,
            },
        )

        invoice_email_queue(invoice=invoice)
    return invoice


def _may(actor, permission: str, message) -> None:
    if not (getattr(actor, "is_active", False) and actor.has_perm(permission)):
        raise PermissionDenied(message, code="permission_required", details={"permission": permission})


def invoice_mark_paid(
    *, invoice: Invoice, actor, now: datetime | None = None, reference: str = "", paid_on: date | None = None
) -> Invoice:
    """Record that the invoice was paid (e.g. the bank transfer arrived, with the bank's `reference`, on `paid_on`).
    Open → paid, once: a conditional UPDATE, so two agents clicking together record one payment. Needs the
    permission billing.mark_invoice_paid (the billing agent's role). Raises Conflict `invoice_not_open` otherwise."""
    _may(actor, "billing.mark_invoice_paid", _("Only billing agents can record a payment."))
    now = now or timezone.now()
    paid_at = now
    if paid_on is not None:
        if paid_on > timezone.localdate(now):
            raise InvalidInput(_("The payment date cannot be in the future."), code="payment_date_in_future")
        paid_at = timezone.make_aware(datetime.combine(paid_on, time(12)))
    reference = (reference or "").strip()[:100]
    with transaction.atomic():
        changed = Invoice.objects.filter(pk=invoice.pk, status=InvoiceStatus.OPEN).update(
            status=InvoiceStatus.PAID, paid_at=paid_at, paid_by=actor, payment_reference=reference
        )
        invoice.refresh_from_db()
        if not changed:
            raise Conflict(
                _("This invoice is not open."),
                code="invoice_not_open",
                details={"number": invoice.number, "status": invoice.status},
            )
        audit_record(
            action="invoice.paid",
            object_type="invoice",
            object_id=invoice.pk,
            actor=actor,
            before={"status": InvoiceStatus.OPEN},
            after={
                "status": invoice.status,
                "number": invoice.number,
                "paid_at": paid_at.isoformat(),
                "payment_reference": reference,
                "total_minor": invoice.total_minor,
            },
        )
    return invoice


def invoice_void(*, invoice: Invoice, actor, reason: str, now: datetime | None = None) -> Invoice:
    """Void an open invoice with a reason: open → void, once (a conditional UPDATE), and issue its credit note, a
    new invoice from the same gapless sequence whose lines are the original's negated. Returns the credit note.
    Needs billing.void_invoice. Raises InvalidInput `reason_required`, Conflict `invoice_not_open` (a paid invoice
    is not voided: the store makes no refunds), Conflict `invoice_is_credit_note`."""
    _may(actor, "billing.void_invoice", _("Only billing agents can void an invoice."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the invoice is voided."), code="reason_required")
    if invoice.credit_note_for_id is not None or invoice.total_minor < 0:
        raise Conflict(_("A credit note is not voided."), code="invoice_is_credit_note")
    now = now or timezone.now()
    with transaction.atomic():
        changed = Invoice.objects.filter(pk=invoice.pk, status=InvoiceStatus.OPEN).update(
            status=InvoiceStatus.VOID, void_reason=reason, voided_at=now, voided_by=actor
        )
        invoice.refresh_from_db()
        if not changed:
            raise Conflict(
                _("This invoice is not open."),
                code="invoice_not_open",
                details={"number": invoice.number, "status": invoice.status},
            )
        credit = Invoice.objects.create(
            account=invoice.account,
            subscription=invoice.subscription,
            number=invoice_number_next(year=now.year),
            currency=invoice.currency,
            issued_at=now,
            period_start=invoice.period_start,
            period_end=invoice.period_end,
            subtotal_minor=-invoice.subtotal_minor,
            discount_minor=-invoice.discount_minor,
            tax_minor=-invoice.tax_minor,
            total_minor=-invoice.total_minor,
            status=InvoiceStatus.VOID,
            tax_exempt=invoice.tax_exempt,
            credit_note_for=invoice,
            void_reason=reason,
            voided_at=now,
            voided_by=actor,
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=credit,
                position=line.position,
                kind=line.kind,
                product=line.product,
                description=line.description,
                quantity=line.quantity,
                unit_amount_minor=line.unit_amount_minor,
                amount_minor=-line.amount_minor,
                period_start=line.period_start,
                period_end=line.period_end,
                explanation="credit_note",
            )
            for line in invoice.lines.order_by("position")
        )
        audit_record(
            action="invoice.voided",
            object_type="invoice",
            object_id=invoice.pk,
            actor=actor,
            before={"status": InvoiceStatus.OPEN},
            after={
                "status": InvoiceStatus.VOID,
                "number": invoice.number,
                "reason": reason,
                "credit_note": credit.number,
                "total_minor": invoice.total_minor,
            },
        )
    return credit
