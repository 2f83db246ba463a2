"""Decision receipts: issued on approval, signed with Ed25519, verified, expired, revoked, keys rotated."""

import base64
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from joserfc import jws
from joserfc.jwk import KeySet

from coupons.monitoring import coupons_flag
from coupons.services import coupon_revoke
from tests.verification.proofs.factories import gb_charity
from verification.receipts import status_list
from verification.receipts.keys import signing_key_rotate
from verification.receipts.models import Receipt
from verification.receipts.verify import receipt_verify
from verification.services import application_submit


@pytest.fixture
def approved(make_draft):
    gb_charity(website="https://kindness-trust.org.uk")
    application = make_draft("GB-CHC-1234567", email="jo@kindness-trust.org.uk", budget_minor=100_000_00)
    application_submit(application=application, ip="203.0.113.5", user_agent="pytest")
    assert application.state == "approved", application.decision_reasons
    return application


def _payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_issued_on_approval_as_a_vc_with_no_personal_data(approved, settings, client):
    receipt = Receipt.objects.get(application=approved)
    credential = _payload(receipt.jws)
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert credential["type"] == ["VerifiableCredential", "VouchDecisionReceipt"]
    assert credential["issuer"]["id"] == settings.PUBLIC_BASE_URL
    subject = credential["credentialSubject"]
    assert subject["orgId"] == "GB-CHC-1234567" and subject["rulesVersion"] and subject["decision"] == "approved"
    assert {"rule": "email_domain", "code": "email_domain_matches"}.items() <= next(
        c for c in subject["checks"] if c["rule"] == "email_domain"
    ).items()
    assert subject["representativeEmailDomain"] == "kindness-trust.org.uk"
    text = receipt.jws + json.dumps(credential)
    assert "jo@kindness-trust.org.uk" not in text and "Jo Director" not in text and "203.0.113.5" not in text
    assert credential["credentialStatus"]["statusListIndex"] == str(receipt.status_index)
    # The key set verifies it, as any third party would.
    keys = client.get("/.well-known/jwks.json").json()
    assert all("d" not in key for key in keys["keys"])
    jws.deserialize_compact(receipt.jws, KeySet.import_key_set(keys), algorithms=["Ed25519"])
    page = client.get(f"/en/programs/status/{approved.token}/receipt/")
    assert page.status_code == 200 and page.content.decode() == receipt.jws
    assert "attachment" in page["Content-Disposition"]


def test_valid_tampered_expired(approved):
    receipt = Receipt.objects.get(application=approved)
    assert receipt_verify(token=receipt.jws).as_dict()["status"] == "valid"
    header, _, signature = receipt.jws.split(".")
    credential = _payload(receipt.jws)
    credential["credentialSubject"]["orgId"] = "GB-CHC-7654321"
    forged = base64.urlsafe_b64encode(json.dumps(credential).encode()).decode().rstrip("=")
    tampered = receipt_verify(token=f"{header}.{forged}.{signature}")
    assert (tampered.status, tampered.code) == ("invalid", "receipt_signature_invalid")
    assert receipt_verify(token="garbage").code == "receipt_malformed"
    expired = receipt_verify(token=receipt.jws, now=receipt.expires_at + timedelta(seconds=1))
    assert (expired.status, expired.code) == ("expired", "receipt_expired")


@pytest.mark.parametrize("how", ["coupon_revoked", "monitoring_flag"])
def test_a_revoked_coupon_or_a_flag_revokes_the_receipt(approved, reviewer, client, how):
    receipt = Receipt.objects.get(application=approved)
    if how == "coupon_revoked":
        coupon_revoke(coupon=approved.coupon, actor=reviewer, reason="false information")
    else:
        coupons_flag(coupons=[approved.coupon], reason="organisation removed in its register")
    result = receipt_verify(token=receipt.jws)
    assert (result.status, result.code) == ("revoked", "receipt_revoked")
    receipt.refresh_from_db()
    assert receipt.revoked_at is not None
    listed = client.get("/receipts/status/1")
    assert listed["Content-Type"] == "application/vc+jwt"
    encoded = _payload(listed.content.decode())["credentialSubject"]["encodedList"]
    assert status_list.is_set(encoded, receipt.status_index)
    assert not status_list.is_set(encoded, (receipt.status_index + 1) % status_list.LIST_BITS)


def test_rotation_keeps_old_receipts_verifying(approved, client):
    receipt = Receipt.objects.get(application=approved)
    new = signing_key_rotate()
    kids = [key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]]
    assert receipt.kid in kids and new.kid in kids
    assert receipt_verify(token=receipt.jws).valid


def test_command_and_api(approved, client, tmp_path):
    receipt = Receipt.objects.get(application=approved)
    path = tmp_path / "receipt.jwt"
    path.write_text(receipt.jws)
    out = StringIO()
    call_command("verify_receipt", str(path), stdout=out)
    assert out.getvalue().startswith("valid: receipt_valid")
    path.write_text(receipt.jws[:-4] + "AAAA")
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_receipt", str(path), stdout=StringIO())
    assert exit_.value.code == 1
    answer = client.post("/api/v1/receipts/verify", {"receipt": receipt.jws}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["status"] == "valid"
    assert answer.json()["org_id"] == "GB-CHC-1234567"
    answer = client.post("/api/v1/receipts/verify", {"receipt": "a.b.c"}, content_type="application/json")
    assert answer.json()["status"] == "invalid" and answer.json()["code"] == "receipt_malformed"


def test_issued_once(approved):
    from verification.receipts.issue import receipt_issue

    first = Receipt.objects.get(application=approved)
    assert receipt_issue(application=approved, now=timezone.now()).pk == first.pk


def test_events_revoke_at_once(approved, reviewer):
    """Through core.events: a revoked coupon, and the registry announcing the organisation left its register."""
    from core.events import event_publish
    from registry.events import OrganisationStatusChanged
    from registry.models import Organisation

    receipt = Receipt.objects.get(application=approved)
    organisation = Organisation.objects.get(org_id="GB-CHC-1234567")
    Organisation.objects.filter(pk=organisation.pk).update(status="removed", removal_reason="ceased to exist")
    event_publish(OrganisationStatusChanged(organisation_id=organisation.pk, old_status="active", actor_label="import"))
    receipt.refresh_from_db()
    assert receipt.revoked_at is not None and receipt.revoked_reason.startswith("monitoring flag")


def test_a_revoked_coupon_revokes_through_its_event(approved, reviewer):
    coupon_revoke(coupon=approved.coupon, actor=reviewer, reason="false information")
    receipt = Receipt.objects.get(application=approved)
    assert receipt.revoked_at is not None and receipt.revoked_reason == "coupon revoked"
