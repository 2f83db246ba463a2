import pytest

from tests.partners.conftest import assert_anonymous_and_reviewer_refused, signed_in

pytestmark = pytest.mark.django_db
URL = "/en/review/partners/"


def test_only_key_managers_see_the_list(partner, reviewer, key_manager):
    assert_anonymous_and_reviewer_refused(URL, reviewer=reviewer)
    response = signed_in(key_manager).get(URL)
    assert response.status_code == 200
    assert "Acme Store" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_back_office_menu_shows_partners_to_key_managers_only(partner, reviewer, key_admin):
    assert 'href="/en/review/partners/"' in signed_in(key_admin).get("/en/review/").content.decode()
    assert 'href="/en/review/partners/"' not in signed_in(reviewer).get("/en/review/").content.decode()


def test_the_list_is_translated(partner, key_admin):
    page = signed_in(key_admin).get("/fr/review/partners/").content.decode()
    assert "Acme Store" in page and 'lang="fr"' in page
