"""Verifying a receipt: this Vouch's own, or one from an issuer a program trusts. The answer is one of valid /
invalid / expired / revoked, with a stable code and the reason:

- invalid: `receipt_malformed` (not a compact JWS of a JSON credential), `receipt_algorithm_refused` (not
  Ed25519), `receipt_issuer_untrusted` (neither this Vouch nor a trusted issuer), `receipt_key_unknown` (no key
  with its kid in the issuer's key set), `receipt_signature_invalid` (tampered), `receipt_not_a_decision_receipt`,
  `receipt_status_unavailable` (the issuer's status list could not be fetched or verified);
- expired: `receipt_expired` (past validUntil) or `receipt_not_yet_valid`;
- revoked: `receipt_revoked` (its bit is set in the issuer's status list).

An issuer's key set is fetched from `<base_url>/.well-known/jwks.json` (cached on the TrustedIssuer row for
JWKS_TTL, fetched again when a kid is unknown: rotation), its status list from the URL in the credential, which
must be under the issuer's base URL. Fetches go through core.safe_fetch (https only, addresses checked).
"""

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from core import dns
from core.safe_fetch import fetch
from verification.receipts import keys, status_list
from verification.receipts.issue import RECEIPT_TYPE, receipts_revoke_sync
from verification.receipts.models import Receipt, TrustedIssuer

JWKS_TTL = timedelta(minutes=10)
FETCH_MAX_BYTES = 64 * 1024


@dataclass
class Verification:
    status: str  # valid | invalid | expired | revoked
    code: str
    reason: str
    issuer: str = ""
    credential: dict = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.status == "valid"

    def as_dict(self) -> dict:
        subject = self.credential.get("credentialSubject") or {}
        return {
            "status": self.status,
            "code": self.code,
            "reason": self.reason,
            "issuer": self.issuer or None,
            "receipt_id": self.credential.get("id"),
            "org_id": subject.get("orgId"),
            "valid_until": self.credential.get("validUntil"),
        }


def _b64json(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _issuer_id(credential: dict) -> str:
    issuer = credential.get("issuer")
    return str(issuer.get("id", "") if isinstance(issuer, dict) else issuer or "").rstrip("/")


def _allow_local() -> bool:
    return bool(getattr(settings, "FEDERATION_ALLOW_HTTP_LOCALHOST", False))


def _get(url: str) -> bytes | None:
    result = fetch(
        url,
        resolver=dns.host_addresses,
        allowed_schemes=("https", "http") if _allow_local() else ("https",),
        allow_loopback=_allow_local(),
        max_bytes=FETCH_MAX_BYTES,
        deadline_seconds=8.0,
        accept="application/json, application/vc+jwt",
    )
    return result.body if result.ok else None


def _issuer_keys(issuer: TrustedIssuer, kid: str, now: datetime) -> KeySet | None:
    cached = issuer.jwks or {}
    known = {key.get("kid") for key in cached.get("keys", [])}
    stale = issuer.jwks_fetched_at is None or now - issuer.jwks_fetched_at > JWKS_TTL
    if kid not in known or stale:
        body = _get(issuer.base_url.rstrip("/") + "/.well-known/jwks.json")
        if body is not None:
            try:
                fetched = json.loads(body)
                KeySet.import_key_set(fetched)
            except (ValueError, JoseError, TypeError):
                fetched = None
            if fetched:
                TrustedIssuer.objects.filter(pk=issuer.pk).update(jwks=fetched, jwks_fetched_at=now)
                cached = fetched
    if not cached.get("keys"):
        return None
    return KeySet.import_key_set(cached)  # type: ignore[arg-type]


def trusted_issuers(base_url: str, program=None):
    issuers = TrustedIssuer.objects.filter(base_url__in=[base_url, base_url + "/"], is_active=True)
    return issuers.filter(program=program) if program is not None else issuers


def receipt_verify(*, token: str, now: datetime | None = None, program=None) -> Verification:
    """Verify a compact JWS receipt. `program`: only issuers that program trusts (federation); None: this Vouch
    and any issuer some program trusts (the command and the API)."""
    now = now or timezone.now()
    token = (token or "").strip()
    parts = token.split(".")
    if len(parts) != 3 or len(token) > 64 * 1024:
        return Verification("invalid", "receipt_malformed", "not a compact JWS (three dot-separated parts)")
    try:
        header, credential = _b64json(parts[0]), _b64json(parts[1])
    except (ValueError, TypeError):
        return Verification("invalid", "receipt_malformed", "the header or the payload is not base64url JSON")
    if not isinstance(header, dict) or not isinstance(credential, dict):
        return Verification("invalid", "receipt_malformed", "the header and the payload must be JSON objects")
    if header.get("alg") != keys.ALG:
        return Verification("invalid", "receipt_algorithm_refused", f"alg {header.get('alg')!r}, expected Ed25519")
    issuer = _issuer_id(credential)
    kid = str(header.get("kid") or "")
    own = issuer == settings.PUBLIC_BASE_URL.rstrip("/")
    trusted = None
    key_set: KeySet | None
    if own and program is None:
        key_set = keys.local_key_set()
    else:
        trusted = trusted_issuers(issuer, program).first()
        if trusted is None:
            return Verification(
                "invalid", "receipt_issuer_untrusted", f"{issuer or 'no issuer'} is not trusted", issuer, credential
            )
        key_set = _issuer_keys(trusted, kid, now)
    if key_set is None or not any(key.kid == kid for key in key_set.keys):
        return Verification(
            "invalid", "receipt_key_unknown", f"no key {kid!r} in the issuer's key set", issuer, credential
        )
    try:
        jws.deserialize_compact(token, key_set, algorithms=[keys.ALG])
    except (JoseError, ValueError) as error:
        return Verification(
            "invalid", "receipt_signature_invalid", f"the signature does not verify: {error}", issuer, credential
        )
    types = credential.get("type") or []
    if RECEIPT_TYPE not in types or "VerifiableCredential" not in types:
        return Verification(
            "invalid", "receipt_not_a_decision_receipt", "not a Vouch decision receipt", issuer, credential
        )
    valid_from = parse_datetime(str(credential.get("validFrom") or ""))
    valid_until = parse_datetime(str(credential.get("validUntil") or ""))
    if valid_from and valid_from > now + timedelta(minutes=5):
        return Verification(
            "expired", "receipt_not_yet_valid", f"valid from {credential['validFrom']}", issuer, credential
        )
    if valid_until is None or valid_until <= now:
        return Verification(
            "expired", "receipt_expired", f"valid until {credential.get('validUntil')}", issuer, credential
        )
    revoked = _revoked(credential, issuer, own and trusted is None, key_set)
    if revoked is None:
        return Verification(
            "invalid", "receipt_status_unavailable", "the issuer's status list could not be read", issuer, credential
        )
    if revoked:
        return Verification("revoked", "receipt_revoked", "the issuer revoked this receipt", issuer, credential)
    return Verification("valid", "receipt_valid", "signature, dates and status check out", issuer, credential)


def _revoked(credential: dict, issuer: str, own: bool, key_set: KeySet | None) -> bool | None:
    status = credential.get("credentialStatus") or {}
    try:
        index = int(str(status.get("statusListIndex")))
    except (TypeError, ValueError):
        return None
    if own:
        receipts_revoke_sync()
        receipt = Receipt.objects.filter(receipt_id=credential.get("id")).first()
        return None if receipt is None else receipt.revoked_at is not None
    url = str(status.get("statusListCredential") or "")
    if not url.startswith(issuer + "/"):
        return None  # a status list elsewhere than at the issuer could say anything
    body = _get(url)
    if body is None or key_set is None:
        return None
    try:
        listed = jws.deserialize_compact(body.decode().strip(), key_set, algorithms=[keys.ALG])
        payload = json.loads(listed.payload)
        if _issuer_id(payload) != issuer:
            return None
        return status_list.is_set(payload["credentialSubject"]["encodedList"], index)
    except (JoseError, ValueError, KeyError, TypeError, OSError, EOFError):
        return None
