"""The support console: one search finds applications in any state, coupons by code or hint, organisations and
store accounts; a case page shows the timeline and runs audited actions; "this was not me" opens a case."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from billing.checkout import subscription_buy
from core.models import AuditEntry
from coupons.models import Coupon
from coupons.services import coupon_find
from notifications.models import OutboxEmail
from notifications.services import email_queue
from support.models import SupportCase
from support.selectors import support_search
from tests.billing.test_checkout_support import catalog, make_account, make_coupon
from verification.models import Application

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved():
    coupon, code = make_coupon()
    application = Application.objects.get(coupon=coupon)
    application.email_verified_at = timezone.now()
    application.applicant_name = "Dana Director"
    application.save()
    email_queue(
        to=application.email,
        template="verification_code",
        language="en",
        context={"code": "123456", "minutes_valid": 15, "reference": application.reference},
        dedupe_key=f"application:{application.pk}:approved:test",
    )
    return application, code


def test_search_finds_every_kind(approved):
    application, code = approved
    catalog()
    make_account(email="billing@riverside.example")
    assert support_search(query=application.reference).applications == [application]
    assert support_search(query="director@example").applications == [application]
    assert support_search(query=application.organisation.org_id).applications == [application]
    assert application.organisation in support_search(query=application.organisation.org_id).organisations
    coupon = application.coupon
    assert support_search(query=code).coupons == [coupon]  # the full code, matched by its hash
    assert support_search(query=code.lower().replace("-", " ")).coupons == [coupon]
    assert coupon in support_search(query=coupon.code_hint).coupons  # the hint shown in lists
    assert [a.email for a in support_search(query="riverside").accounts] == ["billing@riverside.example"]
    assert support_search(query="zz").empty  # too short to search


def test_a_decided_application_is_found_from_the_page(approved, as_role):
    application, _code = approved
    application.state = "rejected"
    application.save()
    html = as_role("Reviewer").get("/en/support/", {"q": application.reference}).content.decode()
    assert f"/en/support/applications/{application.reference}/" in html and "Rejected" in html


def test_case_page_shows_coupon_redemption_and_timeline(approved, as_role):
    application, code = approved
    catalog()
    account = make_account()
    subscription_buy(
        account=account,
        plan_code="workplace-pro",
        quantity=1,
        add_ons={},
        billing_cycle="annual",
        coupon_code=code,
        idempotency_key="k",
    )
    html = as_role("Support agent").get(f"/en/support/applications/{application.reference}/").content.decode()
    coupon = Coupon.objects.get(pk=application.coupon_id)
    assert f"…{coupon.code_hint}" in html and code not in html  # masked, never the code
    assert "d••••••r@example.org (store)" in html  # redeemed by which account, masked
    assert "coupon.issued" in html and "coupon.redeemed" in html and "verification_code" in html


def test_revoke_needs_a_reason_and_is_audited_on_the_application(approved, as_role):
    application, _code = approved
    client = as_role("Support agent")
    url = f"/en/support/applications/{application.reference}/revoke/"
    assert client.post(url, {"revoke-reason": ""}).status_code == 400
    assert client.post(url, {"revoke-reason": "Reported stolen"}).status_code == 302
    assert Coupon.objects.get(pk=application.coupon_id).state == "revoked"
    entry = AuditEntry.objects.get(action="support.coupon_revoked")
    assert entry.after["reason"] == "Reported stolen" and entry.actor.username == "support-agent"


def test_reissue_kills_the_old_code_and_emails_a_new_one(approved, as_role):
    application, code = approved
    response = as_role("Support agent").post(
        f"/en/support/applications/{application.reference}/reissue/", {"reissue-reason": "Code lost"}
    )
    assert response.status_code == 302
    assert coupon_find(code=code) is None  # the old code no longer works
    email = OutboxEmail.objects.get(template="coupon_reissued")
    assert email.to == application.email and application.reference in email.subject
    new_code = next(line.strip() for line in email.body_text.splitlines() if line.startswith("    "))
    assert coupon_find(code=new_code).pk == application.coupon_id
    assert AuditEntry.objects.filter(action="coupon.reissued", after__reason="Code lost").exists()


def test_a_redeemed_coupon_is_not_reissued(approved, as_role):
    application, _code = approved
    Coupon.objects.filter(pk=application.coupon_id).update(state="redeemed", redeemed_at=timezone.now())
    response = as_role("Support agent").post(
        f"/en/support/applications/{application.reference}/reissue/", {"reissue-reason": "x"}
    )
    assert response.status_code == 400 and "coupon_redeemed" in response.content.decode()


def test_extend_the_redeem_by_date(approved, as_role):
    application, _code = approved
    new_date = (timezone.now() + timedelta(days=200)).date()
    Coupon.objects.filter(pk=application.coupon_id).update(redeem_by=timezone.now() + timedelta(days=10))
    response = as_role("Support agent").post(
        f"/en/support/applications/{application.reference}/extend/",
        {"extend-redeem_by": new_date.isoformat(), "extend-reason": "Travel"},
    )
    assert response.status_code == 302
    assert timezone.localdate(Coupon.objects.get(pk=application.coupon_id).redeem_by) == new_date
    too_far = (timezone.now() + timedelta(days=400)).date().isoformat()
    response = as_role("Support agent").post(
        f"/en/support/applications/{application.reference}/extend/", {"extend-redeem_by": too_far, "extend-reason": "x"}
    )
    assert "redeem_by_too_far" in response.content.decode()


def test_resend_an_email(approved, as_role):
    application, _code = approved
    original = OutboxEmail.objects.get(dedupe_key=f"application:{application.pk}:approved:test")
    response = as_role("Support agent").post(
        f"/en/support/applications/{application.reference}/resend/",
        {"resend-email": original.pk, "resend-reason": "Not received"},
    )
    assert response.status_code == 302
    copy = OutboxEmail.objects.exclude(pk=original.pk).get(template="verification_code")
    assert (copy.to, copy.subject, copy.body_text) == (original.to, original.subject, original.body_text)
    assert copy.message_id != original.message_id


def test_this_was_not_me_opens_one_case_that_support_closes(approved, as_role):
    application, _code = approved
    status_url = f"/en/programs/status/{application.token}/"
    assert "This was not me" not in Client().get(status_url).content.decode()  # not redeemed yet
    Coupon.objects.filter(pk=application.coupon_id).update(state="redeemed", redeemed_at=timezone.now())
    page = Client().get(status_url).content.decode()
    assert "This was not me" in page and "d••••••r@example.org" in page
    for _twice in range(2):
        response = Client().post(f"/en/support/not-me/{application.token}/", {"message": "Not us!"})
        assert response.status_code == 302 and response["Location"] == status_url
    case = SupportCase.objects.get()
    assert case.state == "open" and case.message == "Not us!"
    search = as_role("Support agent").get("/en/support/").content.decode()
    assert application.reference in search  # in the open cases
    assert as_role("Reviewer").post(f"/en/support/cases/{case.pk}/close/", {"resolution": "x"}).status_code == 302
    case.refresh_from_db()
    assert case.state == "open"  # a reviewer may not close it
    as_role("Support agent").post(f"/en/support/cases/{case.pk}/close/", {"resolution": "Refunded by vendor"})
    case.refresh_from_db()
    assert case.state == "closed" and case.resolution == "Refunded by vendor"


def test_not_me_with_an_unknown_token_is_404():
    assert Client().post("/en/support/not-me/nope/").status_code == 404
