"""Coupon codes: unguessable, easy to type, and stored only as a keyed hash.

Format: 16 characters of Crockford's base32 alphabet (digits and letters without I, L, O, U), shown in four groups,
e.g. ``7KQ2-XM4D-9RTB-HC3N``: 16 x 5 = 80 random bits from `secrets`. People may type it in any case, with or
without the dashes or spaces, and with O for 0 and I or L for 1: `coupon_code_normalise` undoes all of that.

Only `coupon_code_hash(code)` is stored: HMAC-SHA256 of the normalised code under a key derived from the secret
(`COUPON_HASH_KEY` when that setting exists, else `SECRET_KEY`) and a fixed purpose string. A copy of the database
therefore reveals no usable code, and the hash cannot be brute-forced without the secret. Rotating the secret makes
outstanding codes unfindable unless the old value is kept in the fallbacks (`COUPON_HASH_KEY_FALLBACKS`, or
`SECRET_KEY_FALLBACKS` when the hash is keyed with SECRET_KEY): `coupon_code_hashes` returns one hash per key.
"""

import secrets
import unicodedata

from django.conf import settings
from django.utils.crypto import salted_hmac

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
GROUPS = 4
GROUP_LENGTH = 4
LENGTH = GROUPS * GROUP_LENGTH  # 16 characters = 80 bits
HASH_PURPOSE = "vouch.coupons.code-hash.v1"

_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = {"-", "_", ".", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212"}


def coupon_code_generate() -> str:
    """A new random code, grouped for reading: ``XXXX-XXXX-XXXX-XXXX``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP_LENGTH] for i in range(0, LENGTH, GROUP_LENGTH))


def coupon_code_normalise(text: str) -> str:
    """The canonical form of what someone typed: upper case, no separators or spaces, O read as 0, I and L as 1.

    The result is not validated; see `coupon_code_is_well_formed`.
    """
    text = unicodedata.normalize("NFKC", text or "").upper()
    kept = "".join(ch for ch in text if not ch.isspace() and ch not in _SEPARATORS)
    return kept.translate(_READ_AS)


def coupon_code_is_well_formed(normalised: str) -> bool:
    return len(normalised) == LENGTH and all(ch in ALPHABET for ch in normalised)


def coupon_code_format(normalised: str) -> str:
    """Group a normalised code for display: ``XXXX-XXXX-XXXX-XXXX``."""
    return "-".join(normalised[i : i + GROUP_LENGTH] for i in range(0, len(normalised), GROUP_LENGTH))


def _keys() -> list[str]:
    dedicated = getattr(settings, "COUPON_HASH_KEY", "")
    if dedicated:
        return [dedicated, *getattr(settings, "COUPON_HASH_KEY_FALLBACKS", [])]
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def coupon_code_hash(code: str, *, secret: str | None = None) -> str:
    """The stored form of a code (64 hex characters); the code may be in any typed form."""
    key = secret if secret is not None else _keys()[0]
    return salted_hmac(HASH_PURPOSE, coupon_code_normalise(code), secret=key, algorithm="sha256").hexdigest()


def coupon_code_hashes(code: str) -> list[str]:
    """The code's hash under the current key, then under each fallback key (to find codes issued before a rotation)."""
    return [coupon_code_hash(code, secret=key) for key in _keys()]


def coupon_code_hint(code: str) -> str:
    """The last four characters: enough to tell coupons apart in lists, far too little to guess the rest."""
    return coupon_code_normalise(code)[-4:]
