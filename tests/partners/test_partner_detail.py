import pytest

from partners.services import api_key_create, api_key_revoke
from tests.partners.conftest import assert_anonymous_and_reviewer_refused, signed_in

pytestmark = pytest.mark.django_db


def _url(partner) -> str:
    return f"/en/review/partners/{partner.pk}/"


def test_authorisation(partner, reviewer, key_manager):
    assert_anonymous_and_reviewer_refused(_url(partner), reviewer=reviewer)
    assert signed_in(key_manager).get("/en/review/partners/999999/").status_code == 404


def test_the_page_lists_keys_by_prefix_never_the_key(partner, key_admin):
    live, raw = api_key_create(
        partner=partner,
        name="production checkout",
        scopes=["organisations:read"],
        actor=key_admin,
        requests_per_minute=300,
    )
    old, old_raw = api_key_create(partner=partner, name="old server", scopes=["coupons:redeem"], actor=key_admin)
    api_key_revoke(api_key=old, actor=key_admin)

    response = signed_in(key_admin).get(_url(partner))

    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert f"vch_{live.prefix}_…" in page and f"vch_{old.prefix}_…" in page
    assert raw not in page and old_raw not in page
    assert "production checkout" in page and "Read organisations" in page and "300/min" in page
    assert f"/keys/{live.pk}/revoke/" in page and f"/keys/{old.pk}/revoke/" not in page  # revoked: no action
    assert "dev@acme.example" in page
