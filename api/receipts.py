"""Decision receipts through the API: download an application's receipt; verify any receipt (this Vouch's, or a
trusted issuer's). Rules: verification/receipts/."""

from ninja import Field, Router, Schema

from api.auth import request_partner, scoped
from api.schemas import AUTH_ERRORS, ErrorOut
from core.errors import NotFound
from verification.partner_selectors import partner_application_get
from verification.receipts.models import Receipt
from verification.receipts.verify import receipt_verify

router = Router(tags=["receipts"])


class ReceiptOut(Schema):
    receipt_id: str
    receipt: str = Field(..., description="The compact JWS (a W3C Verifiable Credential 2.0, alg Ed25519)")
    issued_at: str
    expires_at: str
    revoked: bool


class VerifyIn(Schema):
    receipt: str = Field(..., max_length=65536, description="A compact JWS receipt")


class VerifyOut(Schema):
    status: str = Field(..., description="valid | invalid | expired | revoked")
    code: str = Field(..., description="receipt_valid, receipt_signature_invalid, receipt_expired, …")
    reason: str
    issuer: str | None = None
    receipt_id: str | None = None
    org_id: str | None = None
    valid_until: str | None = None


@router.get(
    "/applications/{reference}/receipt",
    auth=scoped("applications:read"),
    response={200: ReceiptOut, **AUTH_ERRORS},
    summary="An approved application's decision receipt",
)
def receipts_get(request, reference: str):
    application = partner_application_get(partner=request_partner(request), reference=reference)
    receipt = Receipt.objects.filter(application=application).first()
    if receipt is None:
        raise NotFound("This application has no receipt (receipts are issued on approval).", code="receipt_not_found")
    return {
        "receipt_id": receipt.receipt_id,
        "receipt": receipt.jws,
        "issued_at": receipt.issued_at.isoformat(),
        "expires_at": receipt.expires_at.isoformat(),
        "revoked": receipt.revoked_at is not None,
    }


@router.post(
    "/receipts/verify",
    auth=None,
    response={200: VerifyOut, 400: ErrorOut, 422: ErrorOut},
    summary="Verify a decision receipt: valid, invalid, expired or revoked, and why",
)
def receipts_verify(request, payload: VerifyIn):
    """Open to anyone holding a receipt (no key): receipts are meant to be checked by whoever is shown one. Only
    this Vouch's receipts and those of issuers a program here trusts can be valid."""
    return receipt_verify(token=payload.receipt).as_dict()
