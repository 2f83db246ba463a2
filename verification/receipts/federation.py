"""Federation: a program may trust receipts from named issuers (TrustedIssuer: base URL, the checks it may
settle). An applicant presenting a valid receipt from one of them, for the same organisation, has the checks it
covers settled (rules.apply_trusted_receipt: only checks that would otherwise go to a reviewer; never a failure),
with the receipt as evidence. A receipt that is tampered, expired, revoked, from an untrusted issuer or for another
organisation is refused with its code, and kept as evidence of the attempt."""

from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record
from core.errors import Conflict, InvalidInput
from verification.models import Application, ApplicationState
from verification.receipts.models import PresentedReceipt
from verification.receipts.verify import receipt_verify, trusted_issuers
from verification.rules import ReceiptFacts

MESSAGES = {
    "receipt_malformed": gettext_lazy("This is not a receipt."),
    "receipt_algorithm_refused": gettext_lazy("This receipt is not signed the way receipts are."),
    "receipt_issuer_untrusted": gettext_lazy("This program does not accept receipts from this issuer."),
    "receipt_key_unknown": gettext_lazy("The issuer does not publish the key this receipt was signed with."),
    "receipt_signature_invalid": gettext_lazy(
        "The receipt's signature does not verify: it was changed after it was issued."
    ),
    "receipt_not_a_decision_receipt": gettext_lazy("This is not a decision receipt."),
    "receipt_status_unavailable": gettext_lazy("The issuer's revocation list could not be checked; try again later."),
    "receipt_expired": gettext_lazy("This receipt has expired."),
    "receipt_not_yet_valid": gettext_lazy("This receipt is not valid yet."),
    "receipt_revoked": gettext_lazy("The issuer revoked this receipt."),
    "receipt_other_organisation": gettext_lazy("This receipt is for another organisation."),
}


def receipt_present(*, application: Application, token: str, now: datetime | None = None):
    """Verify a receipt the applicant presents and record it; raises InvalidInput with the refusal's code."""

    now = now or timezone.now()
    if application.state != ApplicationState.DRAFT:
        raise Conflict(_("This application was already submitted."), code="application_not_draft")
    result = receipt_verify(token=token, now=now, program=application.program)
    subject = result.credential.get("credentialSubject") or {}
    code = result.code
    org_id = str(subject.get("orgId") or "")
    organisation = application.organisation
    if result.valid and (organisation is None or org_id != organisation.org_id):
        code = "receipt_other_organisation"
    accepted = result.valid and code == "receipt_valid"
    covers = []
    if accepted:
        trusted = trusted_issuers(result.issuer, application.program).first()
        passed = {str(check.get("rule")) for check in subject.get("checks") or [] if isinstance(check, dict)}
        covers = sorted(passed.intersection(trusted.covers or [])) if trusted is not None else []
    until = parse_datetime(str(result.credential.get("validUntil") or ""))
    presented = PresentedReceipt.objects.create(
        application=application,
        issuer=result.issuer[:300],
        receipt_id=str(result.credential.get("id") or "")[:200],
        org_id=org_id[:48],
        covers=covers,
        valid_until=until,
        representative_domain=str(subject.get("representativeEmailDomain") or "")[:253] if accepted else "",
        accepted=accepted,
        outcome=result.status if code != "receipt_other_organisation" else "invalid",
        code=code,
        detail=result.reason[:1000],
        jws=(token or "").strip()[:65536],
        presented_at=now,
    )
    audit_record(
        action="receipt.presented",
        object_type="application",
        object_id=application.pk,
        actor_label="applicant",
        after={
            "issuer": presented.issuer,
            "receipt_id": presented.receipt_id,
            "accepted": accepted,
            "code": code,
            "covers": covers,
        },
    )
    if not accepted:
        raise InvalidInput(MESSAGES.get(code, result.reason), code=code, details={"status": presented.outcome})
    return presented


def presented_receipt_facts(*, application: Application):
    """The facts of the valid receipt the applicant presented for this application, or None."""

    presented = (
        PresentedReceipt.objects.filter(application=application, accepted=True).order_by("-presented_at").first()
    )
    if presented is None:
        return None
    return ReceiptFacts(
        issuer=presented.issuer,
        receipt_id=presented.receipt_id,
        org_id=presented.org_id,
        covers=tuple(presented.covers or ()),
        valid_until=presented.valid_until,
        representative_domain=presented.representative_domain,
    )
