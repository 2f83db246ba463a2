"""Federation: receipts from the issuers a program trusts settle the checks they cover."""

from verification.models import Application


def presented_receipt_facts(*, application: Application):
    """The facts of a valid receipt the applicant presented for this application, or None."""
    from verification.receipts.models import PresentedReceipt
    from verification.rules import ReceiptFacts

    presented = (PresentedReceipt.objects.filter(application=application, accepted=True)
                 .order_by("-presented_at").first())
    if presented is None:
        return None
    return ReceiptFacts(issuer=presented.issuer, receipt_id=presented.receipt_id, org_id=presented.org_id,
                        covers=tuple(presented.covers or ()), valid_until=presented.valid_until,
                        representative_domain=presented.representative_domain)
