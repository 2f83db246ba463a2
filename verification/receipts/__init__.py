"""Signed, portable decision receipts (W3C Verifiable Credentials 2.0 as a JWS, Ed25519) and federation with the
issuers a program trusts. See docs/verification.md, "Decision receipts"."""
