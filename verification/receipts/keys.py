"""Signing keys: Ed25519 (JWS alg `Ed25519`, RFC 9864), one active, the retired ones kept in the published key set
so that receipts they signed keep verifying. `manage.py rotate_receipt_key` rotates."""

import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from joserfc.jwk import KeySet, OKPKey

from core.audit import audit_record
from verification.receipts.models import SigningKey

ALG = "Ed25519"


def _new_key(now: datetime) -> SigningKey:
    kid = f"{now:%Y%m%d}-{secrets.token_hex(4)}"
    key = OKPKey.generate_key("Ed25519", parameters={"kid": kid, "use": "sig", "alg": ALG})
    return SigningKey.objects.create(
        kid=kid, private_jwk=key.as_dict(private=True), public_jwk=key.as_dict(private=False), created_at=now
    )


def signing_key_active(*, now: datetime | None = None) -> SigningKey:
    """The key that signs now; the first one is made on first use."""
    key = SigningKey.objects.filter(retired_at__isnull=True).order_by("-created_at").first()
    if key is None:
        with transaction.atomic():
            key = SigningKey.objects.select_for_update().filter(retired_at__isnull=True).first() or _new_key(
                now or timezone.now()
            )
    return key


def signing_key_rotate(*, now: datetime | None = None, actor=None) -> SigningKey:
    """A new active key; the previous ones retire (they still verify, never sign)."""
    now = now or timezone.now()
    with transaction.atomic():
        retired = list(
            SigningKey.objects.select_for_update().filter(retired_at__isnull=True).values_list("kid", flat=True)
        )
        SigningKey.objects.filter(kid__in=retired).update(retired_at=now)
        key = _new_key(now)
        audit_record(
            action="receipt_key.rotated",
            object_type="signing_key",
            object_id=key.kid,
            actor=actor,
            actor_label="" if actor else "system",
            before={"active": retired},
            after={"active": key.kid},
        )
    return key


def private_key(key: SigningKey) -> OKPKey:
    return OKPKey.import_key(key.private_jwk)


def public_key_set() -> dict:
    """The JWKS published at /.well-known/jwks.json: every key, active and retired."""
    return {"keys": [dict(key.public_jwk) for key in SigningKey.objects.order_by("created_at")]}


def local_key_set() -> KeySet:
    return KeySet.import_key_set(public_key_set())  # type: ignore[arg-type]
