"""The reviewer back-office: queue and filters, the application page, the actions (and their conflicts), documents
and the dashboard."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from coupons.models import Coupon
from notifications.models import OutboxEmail
from tests.staff import staff_login
from tests.verification.test_journey_helpers import (
    MOSES_BROWN,
    demo_program,
    make_staff,
    submitted_application,
    submitted_directly,
)
from verification.models import Application

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def program(us_registry):
    return demo_program()


@pytest.fixture
def reviewer(client, django_user_model):
    user = make_staff(django_user_model, "alice")
    staff_login(client, user)
    return user


@pytest.fixture
def in_review(program):
    return submitted_application(Client(), program, email="jo@valdezrifle.org")


def url(application, action=""):
    return f"/en/review/applications/{application.reference}/{action}"


def test_queue_lists_waiting_applications_by_due_date_with_filters(client, program, reviewer):
    late = submitted_application(Client(), program, email="late@valdezrifle.org")
    soon = submitted_application(Client(), program, email="soon@valdezrifle.org")
    rejected = submitted_directly(program, MOSES_BROWN, email="head@mosesbrown.org")
    Application.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    html = client.get("/en/review/").content.decode()
    assert html.index(late.reference) < html.index(soon.reference) and rejected.reference not in html
    assert "overdue" in html
    overdue = client.get("/en/review/", {"overdue": "yes"}).content.decode()
    assert late.reference in overdue and soon.reference not in overdue
    not_overdue = client.get("/en/review/", {"overdue": "no"}).content.decode()
    assert soon.reference in not_overdue and late.reference not in not_overdue
    assert late.reference not in client.get("/en/review/", {"country": "GB"}).content.decode()
    assert late.reference in client.get("/en/review/", {"country": "US", "state": "in_review"}).content.decode()
    assert client.get("/en/review/", {"state": "nonsense"}).status_code == 200


def test_application_page_shows_every_check_beside_the_registry_record(client, in_review, reviewer):
    page = client.get(url(in_review)).content.decode()
    for check in in_review.checks.all():
        assert check.code in page
    assert "email_domain_unverified" in page and "Needs review" in page
    assert "VALDEZ JUNIOR RIFLE CLUB" in page and "US-EIN-010564885" in page
    assert "Raw codes" in page and "subsection" in page.lower()
    assert client.get("/en/review/applications/VCH-NOPE/").status_code == 404


def test_approve_issues_the_coupon(client, in_review, reviewer):
    response = client.post(url(in_review, "approve/"), {"message": "Welcome", "seen_state": "in_review"}, follow=True)
    assert b"Approved. The applicant will receive the coupon." in response.content
    in_review.refresh_from_db()
    assert in_review.state == "approved" and in_review.decided_by == reviewer
    assert Coupon.objects.filter(reference=in_review.reference, state="active").exists()
    assert OutboxEmail.objects.filter(template="application_approved", to=in_review.email).exists()


def test_reject_with_reasons_and_message(client, in_review, reviewer):
    missing = client.post(url(in_review, "reject/"), {"message": "", "seen_state": "in_review"})
    assert missing.status_code == 400 and missing.content.decode().count('class="error"') >= 2
    client.post(
        url(in_review, "reject/"),
        {
            "reason_codes": ["not_charitable_status", "documents_insufficient"],
            "message": "Sorry",
            "seen_state": "in_review",
        },
    )
    in_review.refresh_from_db()
    assert in_review.state == "rejected"
    assert [r["code"] for r in in_review.decision_reasons] == ["not_charitable_status", "documents_insufficient"]
    bad = client.post(url(in_review, "reject/"), {"reason_codes": ["made_up"], "message": "x"})
    assert bad.status_code == 400


def test_request_information_and_assign(client, in_review, reviewer, django_user_model):
    bob = make_staff(django_user_model, "bob")
    client.post(url(in_review, "assign/"), {"assignee": bob.pk})
    in_review.refresh_from_db()
    assert in_review.assigned_to == bob
    customer = django_user_model.objects.create_user(username="customer", password="x-long-Passw0rd!")
    assert client.post(url(in_review, "assign/"), {"assignee": customer.pk}).status_code == 400  # staff only
    client.post(url(in_review, "request-information/"), {"message": "Your bylaws", "seen_state": "in_review"})
    in_review.refresh_from_db()
    assert in_review.state == "needs_information" and in_review.information_request == "Your bylaws"
    assert OutboxEmail.objects.filter(template="information_needed", to=in_review.email).exists()


def test_two_reviewers_deciding_at_once_one_gets_a_message_not_an_error(in_review, django_user_model):
    alice, bob = Client(), Client()
    staff_login(alice, make_staff(django_user_model, "alice"))
    staff_login(bob, make_staff(django_user_model, "bob"))
    assert alice.get(url(in_review)).status_code == bob.get(url(in_review)).status_code == 200
    alice.post(url(in_review, "approve/"), {"seen_state": "in_review"})
    late = bob.post(
        url(in_review, "reject/"), {"reason_codes": ["other"], "message": "No", "seen_state": "in_review"}, follow=True
    )
    assert late.status_code == 200 and b"application_state_changed" in late.content
    in_review.refresh_from_db()
    assert in_review.state == "approved" and Coupon.objects.filter(reference=in_review.reference).count() == 1
    assert b"there is nothing to decide now" in bob.get(url(in_review)).content


def test_service_conflicts_are_messages(client, in_review, reviewer):
    from verification.services import application_approve

    stale = Application.objects.get(pk=in_review.pk)
    client.post(url(in_review, "approve/"), {"seen_state": "in_review"})
    from core.errors import Conflict

    with pytest.raises(Conflict) as error:  # the service itself refuses a decision on a stale row
        application_approve(application=stale, actor=reviewer)
    assert error.value.code == "application_state_changed"
    # Without the page's state (an old form), the service's own refusal is shown the same way.
    page = client.post(url(in_review, "approve/"), {}, follow=True)
    assert page.status_code == 200 and b"application_state_invalid" in page.content


def test_documents_stream_inline_with_safe_headers(client, program, reviewer, settings, tmp_path):
    settings.DOCUMENTS_DIR = tmp_path
    manual = {"manual_name": "Hand Org", "manual_address": "1 Road"}
    applicant = Client()
    application = submitted_application(applicant, program, org_id=None, manual=manual, email="jo@handorg.org")
    applicant.post(
        f"/en/programs/status/{application.token}/documents/",
        {"files": [SimpleUploadedFile('pixel "1".png', PNG, content_type="text/html")]},
    )
    document = application.documents.get()
    assert document.content_type == "image/png"
    page = client.get(url(application)).content.decode()
    assert f"/en/review/documents/{document.pk}/" in page
    response = client.get(f"/en/review/documents/{document.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Security-Policy"] == "sandbox"
    saved = client.get(f"/en/review/documents/{document.pk}/", {"download": "1"})
    assert saved["Content-Disposition"].startswith("attachment; filename=")
    assert saved["Content-Security-Policy"] == "sandbox"
    assert client.get("/en/review/documents/999999/").status_code == 404


def test_dashboard(client, program, reviewer, in_review):
    submitted_directly(program, MOSES_BROWN, email="head@mosesbrown.org")
    page = client.get("/en/review/dashboard/").content.decode()
    assert "Dashboard" in page and "In review" in page and "Rejected" in page and "Decided automatically" in page


def test_login_page_signs_a_reviewer_in(program, django_user_model):
    """Password, then the second factor (security.two_factor), then the page asked for."""
    from tests.staff import staff_totp_device, totp_now

    device = staff_totp_device(make_staff(django_user_model, "carol"))
    client = Client()
    redirect = client.get("/en/review/")
    assert redirect.status_code == 302 and redirect["Location"].startswith("/en/review/login/?next=")
    page = client.get(redirect["Location"])
    assert page.status_code == 200 and b'name="password"' in page.content
    response = client.post(
        "/en/review/login/", {"username": "carol", "password": "a-long-Passw0rd!", "next": "/en/review/dashboard/"}
    )
    assert response["Location"] == "/en/review/dashboard/"
    second = client.get("/en/review/dashboard/")
    assert second.status_code == 302 and second["Location"].startswith("/en/review/two-factor/?next=")
    response = client.post("/en/review/two-factor/", {"code": totp_now(device), "next": "/en/review/dashboard/"})
    assert response["Location"] == "/en/review/dashboard/"
    assert client.get("/en/review/").status_code == 200
    client.post("/en/review/logout/")
    assert client.get("/en/review/").status_code == 302


def test_appeal_is_decided_by_another_reviewer(in_review, django_user_model):
    alice, bob = Client(), Client()
    staff_login(alice, make_staff(django_user_model, "alice"))
    staff_login(bob, make_staff(django_user_model, "bob"))
    alice.post(url(in_review, "reject/"), {"reason_codes": ["other"], "message": "No", "seen_state": "in_review"})
    Client().post(f"/en/programs/status/{in_review.token}/appeal/", {"statement": "Please look again"})
    in_review.refresh_from_db()
    assert in_review.state == "appealed"
    page = alice.post(url(in_review, "approve/"), {"seen_state": "appealed"}, follow=True)
    assert page.status_code == 200 and b"appeal_needs_other_reviewer" in page.content
    assert b"Please look again" in page.content
    bob.post(url(in_review, "approve/"), {"seen_state": "appealed"})
    in_review.refresh_from_db()
    assert in_review.state == "approved"
