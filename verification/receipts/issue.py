"""Issuing a decision receipt on approval: a W3C Verifiable Credential (data model 2.0) secured as a compact JWS
(`typ: vc+jwt`, `cty: vc`, alg Ed25519), per "Securing Verifiable Credentials using JOSE and COSE".

What it says (and nothing more): the issuer (this Vouch's public base URL), the organisation (org-id, name,
country), the program, the decision and its date, every check passed with its rule, code, evidence source and
source date, the rules version, the validity period, and where its revocation status is published. No personal
data: not the representative's name nor email address. The one applicant-related fact is the email *domain*,
when it is the organisation's own (register or domain proof) - a fact about the organisation, which lets another
issuer settle its representative check for a person who proves an address at that domain (docs/verification.md).
"""

import json
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from joserfc import jws

from core.audit import audit_record
from coupons.models import CouponState
from verification.email_domains import registered_domain
from verification.models import Application, CheckResult
from verification.receipts import keys, status_list
from verification.receipts.models import Receipt
from verification.rules import RULES_VERSION

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
RECEIPT_TYPE = "VouchDecisionReceipt"
DOMAIN_CODES = {"email_domain_matches", "domain_control_proven"}


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def credential_build(
    *, application: Application, receipt_id: str, status_index: int, issued_at: datetime, expires_at: datetime
) -> dict:
    base = settings.PUBLIC_BASE_URL
    organisation = application.organisation
    checks = list(CheckResult.objects.filter(application=application, outcome="pass").order_by("pk"))
    subject = {
        "type": "Organisation",
        "orgId": organisation.org_id if organisation else f"manual:{application.reference}",
        "name": application.organisation_name,
        "country": organisation.country if organisation else application.country,
        "program": {
            "id": base + reverse("verification:program", kwargs={"slug": application.program.slug}),
            "slug": application.program.slug,
            "name": application.program.name,
        },
        "decision": "approved",
        "decidedAt": _iso(application.decided_at or issued_at),
        "decidedAutomatically": application.decided_automatically,
        "rulesVersion": RULES_VERSION,
        "checks": [
            {
                "rule": c.rule,
                "code": c.code,
                "source": (c.evidence or {}).get("source"),
                "sourceDate": (c.evidence or {}).get("source_date"),
                "kind": (c.evidence or {}).get("kind"),
            }
            for c in checks
        ],
    }
    if any(c.rule == "email_domain" and c.code in DOMAIN_CODES for c in checks):
        subject["representativeEmailDomain"] = registered_domain(application.email)
    list_url = status_list.status_list_url(base)
    return {
        "@context": [VC_CONTEXT],
        "id": receipt_id,
        "type": ["VerifiableCredential", RECEIPT_TYPE],
        "issuer": {"id": base, "name": "Vouch"},
        "validFrom": _iso(issued_at),
        "validUntil": _iso(expires_at),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": f"{list_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": list_url,
        },
    }


def sign(payload: dict, *, now: datetime | None = None) -> tuple[str, str]:
    key = keys.signing_key_active(now=now)
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    token = jws.serialize_compact(
        {"alg": keys.ALG, "kid": key.kid, "typ": "vc+jwt", "cty": "vc"},
        body,
        keys.private_key(key),
        algorithms=[keys.ALG],
    )
    return token, key.kid


def receipt_issue(*, application: Application, now: datetime | None = None) -> Receipt:
    """The approved application's receipt (issued once: a second call returns the first)."""
    existing = Receipt.objects.filter(application=application).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    expires_at = now + timedelta(days=int(getattr(settings, "RECEIPT_VALID_DAYS", 365)))
    receipt_id = f"urn:uuid:{uuid.uuid4()}"
    for _attempt in range(20):  # a random index already taken: draw again
        index = status_list.random_index()
        payload = credential_build(
            application=application, receipt_id=receipt_id, status_index=index, issued_at=now, expires_at=expires_at
        )
        token, kid = sign(payload, now=now)
        try:
            with transaction.atomic():
                receipt = Receipt.objects.create(
                    application=application,
                    receipt_id=receipt_id,
                    status_index=index,
                    kid=kid,
                    jws=token,
                    issued_at=now,
                    expires_at=expires_at,
                )
        except IntegrityError:
            if Receipt.objects.filter(application=application).exists():
                return Receipt.objects.get(application=application)
            continue
        audit_record(
            action="receipt.issued",
            object_type="receipt",
            object_id=receipt.pk,
            actor_label="system",
            after={
                "receipt_id": receipt_id,
                "kid": kid,
                "application": application.pk,
                "expires_at": expires_at.isoformat(),
            },
        )
        return receipt
    raise RuntimeError("no free status-list index after 20 draws")


def _revoke(receipts, reason_of) -> int:
    revoked = 0
    now = timezone.now()
    for receipt in receipts:
        reason = reason_of(receipt)[:300]
        if Receipt.objects.filter(pk=receipt.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_reason=reason):
            audit_record(
                action="receipt.revoked",
                object_type="receipt",
                object_id=receipt.pk,
                actor_label="system",
                before={"revoked": False},
                after={
                    "revoked": True,
                    "reason": reason,
                    "receipt_id": receipt.receipt_id,
                    "application": receipt.application_id,
                },
            )
            revoked += 1
    return revoked


def receipts_revoke(*, coupon_ids, reason: str) -> int:
    """Revoke the receipts of the applications holding these coupons (verification.receipts.reactions)."""
    receipts = Receipt.objects.filter(application__coupon_id__in=list(coupon_ids), revoked_at__isnull=True)
    return _revoke(receipts, lambda receipt: reason)


def receipts_revoke_sync() -> int:
    """Revoke every receipt whose coupon is revoked or flagged and whose receipt is not yet revoked: the safety net
    behind the event reactions (flags by `reverify_coupons`, or any path that published no event). Run before the
    status list is served and before a receipt of this Vouch is verified. Revocation is final: a later unflag does
    not un-revoke (a new approval issues a new receipt)."""
    stale = Receipt.objects.filter(revoked_at__isnull=True).filter(
        Q(application__coupon__state=CouponState.REVOKED) | Q(application__coupon__flagged_at__isnull=False)
    )

    def reason(receipt) -> str:
        coupon = receipt.application.coupon
        return (
            f"coupon revoked: {coupon.revoked_reason}"
            if coupon.state == CouponState.REVOKED
            else f"monitoring flag: {coupon.flag_reason}"
        )

    return _revoke(stale.select_related("application__coupon"), reason)


def status_list_credential(*, now: datetime | None = None) -> str:
    """The signed status list (a BitstringStatusListCredential as a JWS), with every revoked receipt's bit set."""
    now = now or timezone.now()
    receipts_revoke_sync()
    base = settings.PUBLIC_BASE_URL
    url = status_list.status_list_url(base)
    revoked = Receipt.objects.filter(revoked_at__isnull=False).values_list("status_index", flat=True)
    payload = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": base, "name": "Vouch"},
        "validFrom": _iso(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": status_list.encode(revoked),
        },
    }
    return sign(payload, now=now)[0]
