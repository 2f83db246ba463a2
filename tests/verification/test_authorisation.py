"""Who may see what: the back-office is for staff only (every URL, every method); an applicant's link shows that
application and nothing else; documents are never reachable without a staff login."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.staff import staff_login
from tests.verification.test_journey_helpers import demo_program, make_staff, submitted_application
from verification.models import Application

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def program(us_registry):
    return demo_program()


@pytest.fixture
def application(program, settings, tmp_path):
    """A hand-added organisation's application with a document: something worth protecting on every URL."""
    settings.DOCUMENTS_DIR = tmp_path
    applicant = Client()
    manual = {"manual_name": "Secret Shelter", "manual_address": "Hidden Road 1"}
    app = submitted_application(
        applicant, program, org_id=None, manual=manual, name="Private Person", email="private@secretshelter.org"
    )
    applicant.post(
        f"/en/programs/status/{app.token}/documents/",
        {"files": [SimpleUploadedFile("id.pdf", PDF, content_type="application/pdf")]},
    )
    app.refresh_from_db()
    assert app.documents.count() == 1
    return app


def backoffice_urls(application) -> list[tuple[str, str]]:
    ref, doc = application.reference, application.documents.get().pk
    return [
        ("get", "/en/review/"),
        ("get", "/en/review/?overdue=yes"),
        ("get", "/en/review/dashboard/"),
        ("get", f"/en/review/applications/{ref}/"),
        ("get", f"/en/review/documents/{doc}/"),
        ("post", f"/en/review/applications/{ref}/approve/"),
        ("post", f"/en/review/applications/{ref}/reject/"),
        ("post", f"/en/review/applications/{ref}/request-information/"),
        ("post", f"/en/review/applications/{ref}/assign/"),
        ("get", f"/fr/review/applications/{ref}/"),
    ]


ACTION_DATA = {"reason_codes": ["other"], "message": "m", "assignee": "1"}


def test_anonymous_is_sent_to_the_login_page_everywhere(application):
    client = Client()
    for method, url in backoffice_urls(application):
        response = getattr(client, method)(url, ACTION_DATA)
        assert response.status_code == 302, (method, url)
        assert "/review/login/?next=" in response["Location"], (method, url)
    application.refresh_from_db()
    assert application.state == "needs_information" or application.state == "in_review"
    assert application.decided_at is None and application.assigned_to is None


def test_signed_in_non_staff_is_refused_everywhere(application, django_user_model):
    customer = django_user_model.objects.create_user(username="customer", password="a-long-Passw0rd!")
    client = Client()
    client.force_login(customer)
    for method, url in backoffice_urls(application):
        response = getattr(client, method)(url, ACTION_DATA)
        assert response.status_code == 403, (method, url)
        assert b"Secret Shelter" not in response.content and PDF not in response.content
    application.refresh_from_db()
    assert application.decided_at is None and application.assigned_to is None


def test_inactive_staff_is_refused(application, django_user_model):
    user = make_staff(django_user_model, "gone", is_active=False)
    client = Client()
    client.force_login(user)  # a session made before the account was deactivated
    assert client.get("/en/review/").status_code in (302, 403)


def test_staff_reaches_every_page(application, django_user_model):
    client = Client()
    staff_login(client, make_staff(django_user_model))
    for method, url in backoffice_urls(application):
        if method == "get":
            assert getattr(client, method)(url).status_code == 200, url


def test_actions_refuse_get(application, django_user_model):
    client = Client()
    staff_login(client, make_staff(django_user_model))
    for method, url in backoffice_urls(application):
        if method == "post":
            assert client.get(url).status_code == 405, url


def test_one_token_never_shows_another_application(application, program):
    other = submitted_application(Client(), program, name="Someone Else", email="else@valdezrifle.org")
    page = Client().get(f"/en/programs/status/{other.token}/").content.decode()
    assert "Secret Shelter" not in page and "Private Person" not in page and "id.pdf" not in page
    assert application.reference not in page
    # A near-miss token (one character changed) is not found.
    near = other.token[:-1] + ("A" if other.token[-1] != "A" else "B")
    assert not Application.objects.filter(token=near).exists()
    assert Client().get(f"/en/programs/status/{near}/").status_code == 404


def test_applicant_session_does_not_open_the_back_office(application, program):
    applicant = Client()
    submitted_application(applicant, program, email="jo@valdezrifle.org")
    response = applicant.get(f"/en/review/documents/{application.documents.get().pk}/")
    assert response.status_code == 302 and PDF not in response.content


def test_backoffice_actions_need_the_csrf_token(application, django_user_model):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, make_staff(django_user_model))
    response = client.post(
        f"/en/review/applications/{application.reference}/request-information/", {"message": "Forged"}
    )
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.information_request != "Forged"
