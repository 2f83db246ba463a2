"""The email a customer gets when an invoice is issued: its number, total, period and the links to the invoice page
and its PDF (behind the store's sign-in: the outbox carries no attachments, and an invoice is not sent as a file
to whoever reads the mailbox). Queued in the invoice's own transaction (the outbox's rule), in the account's
language, once per invoice (dedupe key)."""

from django.urls import reverse
from django.utils import translation

from billing.accounts import store_email_queue
from billing.models import Invoice
from core.money import format_minor_localized


def invoice_email_queue(*, invoice: Invoice) -> None:
    from django.conf import settings

    account = invoice.account
    language = account.language or settings.LANGUAGE_CODE
    with translation.override(language):
        path = reverse("billing:store_invoice", kwargs={"number": invoice.number})
        pdf_path = reverse("billing:store_invoice_pdf", kwargs={"number": invoice.number})
        total = format_minor_localized(invoice.total_minor, invoice.currency)
    store_email_queue(
        to=account.email,
        template="invoice_issued",
        language=language,
        context={
            "number": invoice.number,
            "total": total,
            "issued_at": invoice.issued_at,
            "period_start": invoice.period_start,
            "period_end": invoice.period_end,
            "invoice_url": f"{settings.PUBLIC_BASE_URL}{path}",
            "pdf_url": f"{settings.PUBLIC_BASE_URL}{pdf_path}",
        },
        dedupe_key=f"invoice_issued:{invoice.number}",
    )
