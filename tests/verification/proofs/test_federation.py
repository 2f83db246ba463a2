"""Federation between two Vouch processes on two ports: A issues receipts, B trusts A and accepts them; a tampered,
expired, revoked or untrusted receipt is refused with its code."""

import base64
import json

import pytest

from tests.verification.proofs.processes import VouchProcess


@pytest.fixture(scope="module")
def two_vouches(tmp_path_factory):
    root = tmp_path_factory.mktemp("federation")
    issuer, acceptor = VouchProcess(root / "a"), VouchProcess(root / "b")
    try:
        issuer.start()
        acceptor.start()
        yield issuer, acceptor
    finally:
        issuer.stop()
        acceptor.stop()


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    credential = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    credential["credentialSubject"]["name"] = "Someone Else Entirely"
    forged = base64.urlsafe_b64encode(json.dumps(credential).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


def _script(call: str) -> str:
    return f"from tests.verification.proofs.federation_scripts import *; {call}"


def test_one_vouch_issues_the_other_accepts(two_vouches):
    issuer, acceptor = two_vouches
    receipts = issuer.run(_script("issue()"))
    # Before B trusts A, A's receipt is refused as untrusted (by the API and in the journey).
    answer = acceptor.post("/api/v1/receipts/verify", {"receipt": receipts["valid"]})
    assert (answer["status"], answer["code"]) == ("invalid", "receipt_issuer_untrusted")
    assert acceptor.run(_script(f"accept({receipts['valid']!r})")) == {"refused": "receipt_issuer_untrusted"}
    # A answers for its own receipts.
    assert issuer.post("/api/v1/receipts/verify", {"receipt": receipts["revoked"]})["status"] == "revoked"

    acceptor.run(_script(f"trust({issuer.url!r})"))
    expected = {
        "valid": ("valid", "receipt_valid"),
        "revoked": ("revoked", "receipt_revoked"),
        "expired": ("expired", "receipt_expired"),
    }
    for kind, (status, code) in expected.items():
        answer = acceptor.post("/api/v1/receipts/verify", {"receipt": receipts[kind]})
        assert (answer["status"], answer["code"]) == (status, code), (kind, answer)
        assert answer["issuer"] == issuer.url
    answer = acceptor.post("/api/v1/receipts/verify", {"receipt": _tamper(receipts["valid"])})
    assert (answer["status"], answer["code"]) == ("invalid", "receipt_signature_invalid")

    # The journey on B: the valid receipt settles the checks it covers, so the application is approved at once.
    accepted = acceptor.run(_script(f"accept({receipts['valid']!r})"))
    assert accepted == {"state": "approved", "email_domain": "trusted_receipt", "source": issuer.url}
    for kind, code in (("revoked", "receipt_revoked"), ("expired", "receipt_expired")):
        assert acceptor.run(_script(f"accept({receipts[kind]!r}, number='98765{len(kind)}')")) == {"refused": code}
    assert acceptor.run(_script(f"accept({_tamper(receipts['valid'])!r}, number='1111111')")) == {
        "refused": "receipt_signature_invalid"
    }
