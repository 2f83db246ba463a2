import pytest
from django.test import Client

from core.models import AuditEntry
from partners.services import api_key_create, partner_create
from tests.partners.conftest import assert_anonymous_and_reviewer_refused, signed_in
from tests.staff import staff_login

pytestmark = pytest.mark.django_db
SEARCH = "/api/v1/organisations"


@pytest.fixture
def key_and_raw(partner, key_admin):
    return api_key_create(partner=partner, name="checkout", scopes=["organisations:read"], actor=key_admin)


def _url(key) -> str:
    return f"/en/review/partners/{key.partner_id}/keys/{key.pk}/revoke/"


def test_authorisation(key_and_raw, reviewer, key_manager):
    key, _raw = key_and_raw
    assert_anonymous_and_reviewer_refused(_url(key), reviewer=reviewer)
    assert_anonymous_and_reviewer_refused(_url(key), reviewer=reviewer, method="post")
    key.refresh_from_db()
    assert key.revoked_at is None
    assert signed_in(key_manager).get(_url(key)).status_code == 200


def test_confirm_then_revoke_and_the_key_stops_working(key_and_raw, key_manager):
    key, raw = key_and_raw
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get(SEARCH, {"q": "x"}).status_code == 200
    client = signed_in(key_manager)

    confirmation = client.get(_url(key))
    assert confirmation.status_code == 200 and "This cannot be undone." in confirmation.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None  # a GET only asks

    response = client.post(_url(key), follow=True)
    assert response.redirect_chain[-1][0] == f"/en/review/partners/{key.partner_id}/"
    assert f"Key vch_{key.prefix} revoked" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_by == key_manager
    assert AuditEntry.objects.filter(action="api_key.revoked", object_id=str(key.pk)).count() == 1

    refused = api.get(SEARCH, {"q": "x"})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "authentication_required"
    again = client.post(_url(key), follow=True)  # revoking twice changes nothing
    assert "already revoked" in again.content.decode()
    assert AuditEntry.objects.filter(action="api_key.revoked", object_id=str(key.pk)).count() == 1


def test_another_partners_key_is_not_found_through_this_partner(key_and_raw, key_admin, program):
    key, _raw = key_and_raw
    other = partner_create(name="Other", program=program, actor=key_admin)
    assert signed_in(key_admin).post(f"/en/review/partners/{other.pk}/keys/{key.pk}/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_csrf_is_enforced(key_and_raw, key_admin):
    key, _raw = key_and_raw
    client = Client(enforce_csrf_checks=True)
    staff_login(client, key_admin)
    assert client.post(_url(key)).status_code == 403
    key.refresh_from_db()
    assert key.revoked_at is None
