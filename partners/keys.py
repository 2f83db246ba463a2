"""API key format: `vch_<prefix>_<secret>`. Pure functions: generate, parse, hash."""

import hashlib
import hmac
import re
import secrets

KEY_PATTERN = re.compile(r"^vch_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$")
PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def api_key_generate() -> tuple[str, str]:
    """A new key and its public prefix (the part shown in lists and logs)."""
    prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(12))
    return f"vch_{prefix}_{secrets.token_urlsafe(32)}", prefix


def api_key_parse(raw: str) -> str | None:
    """The prefix of a well-formed key, else None (no database query for garbage)."""
    match = KEY_PATTERN.match((raw or "").strip())
    return match.group(1) if match else None


def api_key_hash(raw: str) -> str:
    return hashlib.sha256(raw.strip().encode()).hexdigest()


def api_key_hash_matches(raw: str, stored_hash: str) -> bool:
    return hmac.compare_digest(api_key_hash(raw), stored_hash)
