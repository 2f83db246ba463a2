import pytest
from django.test import Client

from partners.models import ApiKey
from tests.partners.conftest import assert_anonymous_and_reviewer_refused, signed_in
from tests.staff import staff_login

pytestmark = pytest.mark.django_db
GOOD = {"name": "production checkout", "scopes": ["organisations:read", "coupons:redeem"], "requests_per_minute": 60}


def _url(partner) -> str:
    return f"/en/review/partners/{partner.pk}/keys/new/"


def test_authorisation(partner, reviewer, key_manager):
    assert_anonymous_and_reviewer_refused(_url(partner), reviewer=reviewer)
    assert_anonymous_and_reviewer_refused(_url(partner), reviewer=reviewer, method="post", data=GOOD)
    assert not ApiKey.objects.exists()
    assert signed_in(key_manager).post("/en/review/partners/999999/keys/new/", GOOD).status_code == 404


def test_the_key_is_shown_once_uncached_and_works(partner, key_manager):
    client = signed_in(key_manager)
    response = client.post(_url(partner), GOOD)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = ApiKey.objects.get()
    page = response.content.decode()
    raw = page.split('id="api-key" type="text" readonly value="', 1)[1].split('"', 1)[0]
    assert raw.startswith(f"vch_{key.prefix}_")
    assert "it will not be shown again" in page
    assert (key.name, key.scopes, key.requests_per_minute, key.created_by) == (
        "production checkout",
        ["coupons:redeem", "organisations:read"],
        60,
        key_manager,
    )

    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/v1/organisations", {"q": "x"}).status_code == 200

    # Afterwards only the prefix is ever shown.
    detail = client.get(f"/en/review/partners/{partner.pk}/").content.decode()
    assert f"vch_{key.prefix}_…" in detail and raw not in detail
    assert raw not in client.get(_url(partner)).content.decode()


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"name": "", "scopes": [], "requests_per_minute": ""}, ["name", "scopes", "requests_per_minute"]),
        ({**GOOD, "scopes": ["everything"]}, ["scopes"]),
        ({**GOOD, "requests_per_minute": 0}, ["requests_per_minute"]),
        ({**GOOD, "requests_per_minute": 100_001}, ["requests_per_minute"]),
        ({**GOOD, "name": "x" * 101}, ["name"]),
    ],
)
def test_bad_input_is_refused_with_errors_next_to_the_fields(partner, key_admin, data, fields):
    response = signed_in(key_admin).post(_url(partner), data)
    assert response.status_code == 400
    page = response.content.decode()
    for field in fields:
        assert f'id="id_{field}_error"' in page
    assert not ApiKey.objects.exists()


def test_csrf_is_enforced(partner, key_admin):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, key_admin)
    assert client.post(_url(partner), GOOD).status_code == 403
    assert not ApiKey.objects.exists()
