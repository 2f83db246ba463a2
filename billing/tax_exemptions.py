"""Sales-tax exemption: a process separate from the nonprofit discount (PROGRAM.md, issue 4 §6).

A customer requests exemption for one jurisdiction (country + region; an empty region is the whole country) with a
reason, a certificate upload and a typed signature. Staff review it: pending -> exempt or rejected.

- A nonprofit determination letter (e.g. an IRS 501(c)(3) letter) proves charitable status, not exemption from
  sales tax: such a request is rejected at once (`nonprofit_document_not_tax_evidence`), with the explanation.
- Approval (`tax_exemption_approve`) makes later invoices tax-free (`account_tax_exempt`, consulted by
  billing.invoices.invoice_issue) and credits the tax of the invoices issued since the request: for each such
  invoice with tax, a credit note, i.e. a new Invoice numbered from the same gapless sequence whose lines are the
  original's tax lines negated (subtotal 0, discount 0, tax = total = -original tax), linked to the original by
  TaxExemptionCredit (one credit per invoice, ever).

The certificate is stored exactly like verification documents (verification.documents): the type comes from the
content's first bytes (PDF/PNG/JPEG), the size is capped by settings.DOCUMENT_MAX_BYTES while reading, and the file
lands under settings.DOCUMENTS_DIR with a random name.
"""

import re
from datetime import datetime, timedelta
from typing import IO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.invoices import invoice_number_next
from billing.models import (
    CustomerAccount,
    Invoice,
    InvoiceLine,
    InvoiceLineKind,
    InvoiceStatus,
    TaxCertificateType,
    TaxExemption,
    TaxExemptionCredit,
    TaxExemptionStatus,
)
from core.audit import audit_record
from core.errors import Conflict, InvalidInput, PermissionDenied
from core.uploads import upload_discard, upload_open, upload_store

NONPROFIT_DOCUMENT_NOT_TAX_EVIDENCE = "nonprofit_document_not_tax_evidence"
TAX_EXEMPTION_CREDIT = "tax_exemption_credit"
REASON_MAX_CHARS = 2000
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_REGION = re.compile(r"^[A-Z0-9]{1,3}$")
# Countries whose sales tax is set per region: an exemption there names the region (a US state).
REGION_REQUIRED = frozenset({"US"})


def nonprofit_document_explanation() -> str:
    return _(
        "A nonprofit determination letter (for example an IRS 501(c)(3) letter) proves charitable status, not "
        "exemption from sales tax. Submit the exemption certificate of the jurisdiction instead: a state "
        "exemption certificate, a resale certificate or a direct-pay permit."
    )


# --- selectors ----------------------------------------------------------------------------------------------------


def tax_exemptions_of(*, account: CustomerAccount):
    """The account's own requests, newest first."""
    return TaxExemption.objects.filter(account=account).order_by("-requested_at", "-pk")


def tax_exemptions_pending():
    return (
        TaxExemption.objects.filter(status=TaxExemptionStatus.PENDING)
        .select_related("account")
        .order_by("requested_at", "pk")
    )


def tax_exemption_document_open(*, exemption: TaxExemption) -> IO[bytes]:
    return upload_open(exemption.document_stored_name)


# --- services -----------------------------------------------------------------------------------------------------


def _clean_request(*, country: str, region: str, certificate_type: str, reason: str, signature: str):
    country, region = (country or "").strip().upper(), (region or "").strip().upper()
    if not _COUNTRY.match(country):
        raise InvalidInput(_("Choose a country."), code="country_invalid")
    if region and not _REGION.match(region):
        raise InvalidInput(_("Enter the region code, for example NY."), code="region_invalid")
    if country in REGION_REQUIRED and not region:
        raise InvalidInput(
            _("Sales tax is set per state here: enter the state code, for example NY."), code="region_required"
        )
    if certificate_type not in TaxCertificateType.values:
        raise InvalidInput(_("Choose the type of certificate."), code="certificate_type_invalid")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why you are exempt."), code="reason_missing")
    if len(reason) > REASON_MAX_CHARS:
        raise InvalidInput(_("The reason is too long."), code="reason_too_long")
    signature = " ".join((signature or "").split())
    if len(signature) < 2 or len(signature) > 200:
        raise InvalidInput(_("Type your full name as your signature."), code="signature_missing")
    return country, region, reason, signature


def _store_certificate(uploaded_file) -> dict:
    """Check and store the upload (core.uploads); returns the document fields."""
    stored = upload_store(uploaded_file, default_name="certificate")
    return {
        "document_stored_name": stored.stored_name,
        "document_size": stored.size,
        "document_sha256": stored.sha256,
        "document_content_type": stored.content_type,
        "document_original_name": stored.original_name,
    }


def tax_exemption_request(
    *,
    account: CustomerAccount,
    country: str,
    region: str,
    certificate_type: str,
    reason: str,
    signature: str,
    uploaded_file,
    now: datetime | None = None,
) -> TaxExemption:
    """Record a request. A nonprofit determination letter is rejected at once (status rejected, decision_code
    `nonprofit_document_not_tax_evidence`, the explanation in decision_message); anything else waits for review.
    Errors (InvalidInput): country_invalid, region_invalid, region_required, certificate_type_invalid,
    reason_missing, reason_too_long, signature_missing, document_empty, document_too_large,
    document_type_not_allowed; Conflict tax_exemption_already_requested (one pending or approved per
    jurisdiction)."""
    now = now or timezone.now()
    if not account.is_verified:
        raise PermissionDenied(
            _(
                "Confirm your email address before sending a certificate: open the link we "
                "emailed you, or ask for a new one on your account page."
            ),
            code="email_not_verified",
        )
    country, region, reason, signature = _clean_request(
        country=country, region=region, certificate_type=certificate_type, reason=reason, signature=signature
    )
    claimed = getattr(uploaded_file, "size", None)
    _check_quota(account, claimed if isinstance(claimed, int) else 0)
    rejected = certificate_type == TaxCertificateType.NONPROFIT_DETERMINATION_LETTER
    if not rejected and _open_exists(account, country, region):
        raise _already_requested(country, region)
    document = _store_certificate(uploaded_file)
    decision = {}
    if rejected:
        decision = {
            "status": TaxExemptionStatus.REJECTED,
            "decided_at": now,
            "decision_code": NONPROFIT_DOCUMENT_NOT_TAX_EVIDENCE,
            "decision_message": nonprofit_document_explanation(),
        }
    try:
        with transaction.atomic():
            CustomerAccount.objects.select_for_update().filter(pk=account.pk).exists()  # one upload at a time
            _check_quota(account, document["document_size"])
            exemption = TaxExemption.objects.create(
                account=account,
                country=country,
                region=region,
                certificate_type=certificate_type,
                reason=reason,
                signature=signature,
                signed_at=now,
                requested_at=now,
                **document,
                **decision,
            )
            audit_record(
                action="tax_exemption.requested",
                object_type="tax_exemption",
                object_id=exemption.pk,
                actor=account.user,
                after={
                    "account": account.pk,
                    "jurisdiction": exemption.jurisdiction,
                    "certificate_type": certificate_type,
                    "status": exemption.status,
                    "decision_code": exemption.decision_code,
                    "document": {
                        "type": document["document_content_type"],
                        "size": document["document_size"],
                        "sha256": document["document_sha256"],
                    },
                },
            )
    except IntegrityError as error:  # a concurrent request for the same jurisdiction won
        upload_discard(document["document_stored_name"])
        raise _already_requested(country, region) from error
    except BaseException:
        upload_discard(document["document_stored_name"])
        raise
    return exemption


def _check_quota(account: CustomerAccount, adding_bytes: int) -> None:
    """An account keeps at most TAX_CERTIFICATES_PER_ACCOUNT_MAX certificates, of
    TAX_CERTIFICATES_PER_ACCOUNT_MAX_BYTES in all (pruned rejected ones no longer count)."""
    kept = (
        TaxExemption.objects.filter(account=account)
        .exclude(document_stored_name="")
        .aggregate(count=Count("pk"), size=Sum("document_size"))
    )
    if kept["count"] >= settings.TAX_CERTIFICATES_PER_ACCOUNT_MAX or (
        (kept["size"] or 0) + adding_bytes > settings.TAX_CERTIFICATES_PER_ACCOUNT_MAX_BYTES
    ):
        raise InvalidInput(
            _("This account has sent as many certificates as it may. Please contact us if you need to send another."),
            code="documents_quota_exceeded",
            details={
                "max_documents": settings.TAX_CERTIFICATES_PER_ACCOUNT_MAX,
                "max_total_bytes": settings.TAX_CERTIFICATES_PER_ACCOUNT_MAX_BYTES,
            },
        )


def tax_certificates_rejected_prune(*, now: datetime | None = None, retention_days: int | None = None) -> int:
    """Delete the certificate files of requests rejected more than retention_days ago
    (settings.REJECTED_UPLOAD_RETENTION_DAYS); the request stays, without its file. Idempotent; returns how many
    files went. Scheduled daily through `tax_certificates_rejected_prune_task` or `prune_rejected_tax_certificates`."""
    now = now or timezone.now()
    days = settings.REJECTED_UPLOAD_RETENTION_DAYS if retention_days is None else retention_days
    old = TaxExemption.objects.filter(
        status=TaxExemptionStatus.REJECTED, decided_at__lt=now - timedelta(days=days)
    ).exclude(document_stored_name="")
    removed = 0
    for exemption in old.iterator():
        stored = exemption.document_stored_name
        with transaction.atomic():
            if TaxExemption.objects.filter(pk=exemption.pk, document_stored_name=stored).update(
                document_stored_name=""
            ):
                audit_record(
                    action="tax_exemption.document_pruned",
                    object_type="tax_exemption",
                    object_id=exemption.pk,
                    actor_label="retention",
                    before={"size": exemption.document_size, "sha256": exemption.document_sha256},
                )
                removed += 1
        upload_discard(stored)
    return removed


def _open_exists(account, country, region) -> bool:
    return TaxExemption.objects.filter(
        account=account,
        country=country,
        region=region,
        status__in=[TaxExemptionStatus.PENDING, TaxExemptionStatus.EXEMPT],
    ).exists()


def _already_requested(country, region) -> Conflict:
    return Conflict(
        _("You already have a pending or approved exemption for this jurisdiction."),
        code="tax_exemption_already_requested",
        details={"country": country, "region": region},
    )


def _staff_only(actor) -> None:
    if not (getattr(actor, "is_staff", False) and getattr(actor, "is_active", False)):
        raise PermissionDenied(_("Only staff can review tax exemptions."), code="staff_only")


def _decide(*, exemption: TaxExemption, actor, now: datetime, status: str, message: str = "") -> TaxExemption:
    changed = TaxExemption.objects.filter(pk=exemption.pk, status=TaxExemptionStatus.PENDING).update(
        status=status, decided_by=actor, decided_at=now, decision_code=status, decision_message=message
    )
    exemption.refresh_from_db()
    if not changed:
        raise Conflict(
            _("This request was already decided."),
            code="tax_exemption_not_pending",
            details={"status": exemption.status},
        )
    return exemption


def invoices_to_credit(*, exemption: TaxExemption, until: datetime):
    """The account's invoices with tax issued from the request up to `until`, not void, not credits themselves and
    not credited yet, when the exemption covers the account's billing jurisdiction (invoices do not record the
    address; the account's current one is taken as theirs)."""
    account = exemption.account
    covers = (account.billing_country or "").upper() == exemption.country and (
        exemption.region in {"", (account.billing_region or "").upper()}
    )
    if not covers:
        return Invoice.objects.none()
    return (
        Invoice.objects.filter(
            account=account, issued_at__gte=exemption.requested_at, issued_at__lte=until, tax_minor__gt=0
        )
        .exclude(status=InvoiceStatus.VOID)
        .filter(tax_exemption_credit__isnull=True, credits_tax_of__isnull=True)
        .order_by("issued_at", "number")
    )


def _credit_invoice(*, exemption: TaxExemption, original: Invoice, now: datetime, actor) -> Invoice:
    tax_lines = list(original.lines.filter(kind=InvoiceLineKind.TAX).order_by("position"))
    credit = Invoice.objects.create(
        account=original.account,
        subscription=original.subscription,
        number=invoice_number_next(year=now.year),
        currency=original.currency,
        issued_at=now,
        period_start=original.period_start,
        period_end=original.period_end,
        subtotal_minor=0,
        discount_minor=0,
        tax_minor=-original.tax_minor,
        total_minor=-original.tax_minor,
        tax_exempt=True,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=credit,
            position=position,
            kind=InvoiceLineKind.TAX,
            product=line.product,
            description=(
                _("Tax credit for invoice %(number)s (exemption %(jurisdiction)s): %(line)s")
                % {"number": original.number, "jurisdiction": exemption.jurisdiction, "line": line.description}
            )[:300],
            amount_minor=-line.amount_minor,
            period_start=line.period_start,
            period_end=line.period_end,
            explanation=TAX_EXEMPTION_CREDIT,
        )
        for position, line in enumerate(tax_lines, start=1)
    )
    if sum(line.amount_minor for line in tax_lines) != original.tax_minor:  # an invoice adds up from its lines
        raise RuntimeError(f"invoice {original.number}: tax lines do not add up to its tax")
    TaxExemptionCredit.objects.create(exemption=exemption, invoice=original, credit_invoice=credit)
    audit_record(
        action="invoice.tax_credited",
        object_type="invoice",
        object_id=credit.pk,
        actor=actor,
        after={
            "number": credit.number,
            "credits": original.number,
            "tax_exemption": exemption.pk,
            "tax_minor": credit.tax_minor,
            "total_minor": credit.total_minor,
        },
    )
    return credit


def tax_exemption_approve(*, exemption: TaxExemption, actor, now: datetime | None = None) -> list[Invoice]:
    """Staff approve a pending request (pending -> exempt, once: a conditional UPDATE), then credit the tax of the
    invoices issued since the request. Returns the credit notes. Raises PermissionDenied staff_only, Conflict
    tax_exemption_not_pending."""
    _staff_only(actor)
    now = now or timezone.now()
    with transaction.atomic():
        exemption = _decide(exemption=exemption, actor=actor, now=now, status=TaxExemptionStatus.EXEMPT)
        credits = [
            _credit_invoice(exemption=exemption, original=invoice, now=now, actor=actor)
            for invoice in invoices_to_credit(exemption=exemption, until=now).select_for_update(of=("self",))
        ]
        audit_record(
            action="tax_exemption.approved",
            object_type="tax_exemption",
            object_id=exemption.pk,
            actor=actor,
            before={"status": TaxExemptionStatus.PENDING},
            after={
                "status": exemption.status,
                "jurisdiction": exemption.jurisdiction,
                "credits": [credit.number for credit in credits],
            },
        )
    return credits


def tax_exemption_reject(*, exemption: TaxExemption, actor, message: str, now: datetime | None = None) -> TaxExemption:
    """Staff reject a pending request with a message for the customer. Raises PermissionDenied staff_only,
    InvalidInput message_missing, Conflict tax_exemption_not_pending."""
    _staff_only(actor)
    message = (message or "").strip()
    if not message:
        raise InvalidInput(_("Tell the customer why the request is rejected."), code="message_missing")
    now = now or timezone.now()
    with transaction.atomic():
        exemption = _decide(
            exemption=exemption, actor=actor, now=now, status=TaxExemptionStatus.REJECTED, message=message
        )
        audit_record(
            action="tax_exemption.rejected",
            object_type="tax_exemption",
            object_id=exemption.pk,
            actor=actor,
            before={"status": TaxExemptionStatus.PENDING},
            after={"status": exemption.status, "message": message},
        )
    return exemption
