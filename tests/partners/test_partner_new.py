import pytest
from django.test import Client

from core.models import AuditEntry
from partners.models import Partner
from tests.partners.conftest import assert_anonymous_and_reviewer_refused, signed_in
from tests.staff import staff_login

pytestmark = pytest.mark.django_db
URL = "/en/review/partners/new/"


def test_authorisation(program, reviewer, key_manager):
    assert_anonymous_and_reviewer_refused(URL, reviewer=reviewer)
    assert_anonymous_and_reviewer_refused(
        URL, reviewer=reviewer, method="post", data={"name": "X", "program": program.pk}
    )
    assert not Partner.objects.exists()
    assert signed_in(key_manager).get(URL).status_code == 200


def test_a_key_manager_creates_a_partner(program, key_manager):
    response = signed_in(key_manager).post(
        URL,
        {
            "name": "  Zoomly   Store ",
            "program": program.pk,
            "sees_all_applications": "on",
            "contact_email": "api@zoomly.example",
        },
    )
    partner = Partner.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/en/review/partners/{partner.pk}/"
    assert (partner.name, partner.program, partner.sees_all_applications, partner.contact_email) == (
        "Zoomly Store",
        program,
        True,
        "api@zoomly.example",
    )
    assert AuditEntry.objects.filter(action="partner.created", object_id=str(partner.pk)).exists()


def test_bad_input_is_refused_with_errors_next_to_the_fields(program, key_admin):
    response = signed_in(key_admin).post(URL, {"name": "   ", "program": 999999, "contact_email": "not-an-email"})
    assert response.status_code == 400
    page = response.content.decode()
    for field in ("name", "program", "contact_email"):
        assert f'id="id_{field}_error"' in page
    assert "Enter a valid email address." in page
    assert not Partner.objects.exists()


def test_csrf_is_enforced(program, key_admin):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, key_admin)
    assert client.post(URL, {"name": "X", "program": program.pk}).status_code == 403
    assert not Partner.objects.exists()
