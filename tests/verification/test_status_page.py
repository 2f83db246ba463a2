"""The status page: reachable by its unguessable link only, shows what is needed, takes documents and appeals."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.staff import staff_login
from tests.verification.test_journey_helpers import (
    MOSES_BROWN,
    apply_url,
    demo_program,
    make_staff,
    post_ok,
    submitted_application,
    submitted_directly,
)
from verification.models import Appeal, Document

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MANUAL = {
    "manual_name": "Tiny Helpers Collective",
    "manual_registry_number": "TH-1",
    "manual_website": "https://tinyhelpers.example",
    "manual_address": "1 Main St, Juneau AK",
}


@pytest.fixture(autouse=True)
def documents_dir(settings, tmp_path):
    settings.DOCUMENTS_DIR = tmp_path / "documents"


@pytest.fixture
def program(us_registry):
    return demo_program()


def pdf(name="proof.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def status_url(application, suffix=""):
    return f"/en/programs/status/{application.token}/{suffix}"


def test_unknown_token_is_404_everywhere(client, program):
    for url in ("/en/programs/status/nope/", "/en/programs/status/" + "x" * 200 + "/"):
        assert client.get(url).status_code == 404
    for action in ("resume", "documents", "appeal"):
        assert client.post(f"/en/programs/status/not-a-token/{action}/", {"statement": "x"}).status_code == 404


def test_status_page_shows_only_its_own_application(program):
    first = Client()
    one = submitted_application(first, program, name="Alice Unique", email="alice@valdezrifle.org")
    two = submitted_directly(program, MOSES_BROWN, name="Bob Distinct", email="bob@mosesbrown.org")
    response = Client().get(status_url(one))  # no session needed: the link is the credential
    assert response["Referrer-Policy"] == "same-origin" and "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert one.reference in page and "VALDEZ JUNIOR RIFLE CLUB" in page
    assert two.reference not in page and "MOSES BROWN" not in page and "bob@" not in page
    other = Client().get(status_url(two)).content.decode()
    assert "Alice Unique" not in other and one.reference not in other
    assert "/review/documents/" not in page  # documents are for reviewers only


def test_hand_added_organisation_uploads_documents_and_goes_to_review(client, program):
    application = submitted_application(client, program, org_id=None, manual=MANUAL, email="jo@tinyhelpers.org")
    assert application.state == "needs_information"
    response = client.post(status_url(application, "documents/"), {"files": [pdf(), pdf("letter.pdf")]})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == "in_review" and application.documents.count() == 2
    page = client.get(status_url(application)).content.decode()
    assert "letter.pdf" in page and "Thank you: we received your documents." in page


def test_hostile_upload_is_refused_next_to_the_field(client, program):
    application = submitted_application(client, program, org_id=None, manual=MANUAL, email="jo@tinyhelpers.org")
    html = SimpleUploadedFile("invoice.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = client.post(status_url(application, "documents/"), {"files": [pdf(), html]})
    assert response.status_code == 400 and b"Only PDF, PNG and JPEG files are accepted." in response.content
    application.refresh_from_db()
    assert application.state == "needs_information" and not Document.objects.filter(application=application).exists()
    assert client.post(status_url(application, "documents/"), {}).status_code == 400  # a file is required


def test_documents_refused_when_not_asked(client, program):
    application = submitted_application(client, program)  # found in the register, in review
    response = client.post(status_url(application, "documents/"), {"files": [pdf()]}, follow=True)
    assert b"does not take documents now" in response.content and not application.documents.exists()


def test_more_information_requested_by_a_reviewer(client, program, django_user_model):
    application = submitted_application(client, program)
    reviewer = Client()
    staff_login(reviewer, make_staff(django_user_model))
    post_ok(
        reviewer,
        f"/en/review/applications/{application.reference}/request-information/",
        {"message": "Send your <b>board minutes</b>", "seen_state": "in_review"},
    )
    page = client.get(status_url(application)).content.decode()
    assert "A reviewer asked for more information" in page and "&lt;b&gt;board minutes&lt;/b&gt;" in page
    assert 'type="file"' in page
    post_ok(client, status_url(application, "documents/"), {"files": [pdf()]})
    application.refresh_from_db()
    assert application.state == "in_review"


def test_rejected_applicant_appeals_once(client, program):
    application = submitted_directly(program, MOSES_BROWN, email="head@mosesbrown.org")
    assert application.state == "rejected"
    link = client.get(status_url(application, "appeal/"))  # the link in the rejection email
    assert link.status_code == 302 and link["Location"].endswith(f"{application.token}/#appeal-title")
    refused = client.post(status_url(application, "appeal/"), {"statement": ""})
    assert refused.status_code == 400 and b'class="error"' in refused.content
    post_ok(
        client,
        status_url(application, "appeal/"),
        {"statement": "We are a <nonprofit> after-school club.", "files": [pdf("charter.pdf")]},
    )
    application.refresh_from_db()
    assert application.state == "appealed" and Appeal.objects.get(application=application).statement.startswith("We")
    assert application.documents.get().for_appeal
    page = client.get(status_url(application)).content.decode()
    assert "A different reviewer is looking at your appeal" in page and "Appeal the decision" not in page
    again = client.post(status_url(application, "appeal/"), {"statement": "Again"}, follow=True)
    assert b"cannot be appealed" in again.content and Appeal.objects.filter(application=application).count() == 1


def test_draft_can_be_resumed_from_its_link_in_another_browser(client, program):
    post_ok(client, f"/en/programs/{program.slug}/", {"budget": "100"})
    post_ok(client, apply_url(program, "country"), {"country": "US"})
    token = client.session["vouch_drafts"][program.slug]
    other = Client()
    page = other.get(f"/en/programs/status/{token}/").content.decode()
    assert "Not submitted yet" in page
    response = other.post(f"/en/programs/status/{token}/resume/")
    assert response["Location"] == apply_url(program, "organisation")
    assert other.get(apply_url(program, "organisation")).status_code == 200


def test_approved_status_shows_the_coupon_deadline(client, program, django_user_model):
    application = submitted_application(client, program)
    reviewer = Client()
    staff_login(reviewer, make_staff(django_user_model))
    post_ok(reviewer, f"/en/review/applications/{application.reference}/approve/", {"seen_state": "in_review"})
    page = client.get(status_url(application)).content.decode()
    assert "Approved" in page and "before" in page and application.email in page
