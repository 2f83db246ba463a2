"""Revocation through a W3C Bitstring Status List (v1.0): one list of 131,072 bits (16 KiB, the minimum the
specification asks for, so a receipt's position says little), published as a signed credential at
/receipts/status/1. A receipt's bit is set when it is revoked. Indexes are drawn at random (not in issue order)."""

import base64
import gzip
import secrets

LIST_ID = "1"
LIST_BITS = 131_072


def status_list_url(base_url: str) -> str:
    return f"{base_url}/receipts/status/{LIST_ID}"


def random_index() -> int:
    return secrets.randbelow(LIST_BITS)


def encode(revoked_indexes) -> str:
    """`encodedList`: multibase base64url (prefix "u") of the GZIP-compressed bitstring; bit 0 is the first bit
    of the first byte (most significant)."""
    bits = bytearray(LIST_BITS // 8)
    for index in revoked_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip("=")


def is_set(encoded: str, index: int) -> bool:
    if not encoded.startswith("u"):
        raise ValueError("encodedList is not multibase base64url")
    data = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    if not 0 <= index < len(bits) * 8:
        raise ValueError("status index outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
