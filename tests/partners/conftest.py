"""People and partners for the back-office partner pages: a key manager (superuser), a staff member granted
partners.add_apikey, a plain reviewer, and a partner of the demo program."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from partners.services import partner_create
from programs.demo import program_demo_ensure
from tests.staff import staff_login


@pytest.fixture
def key_admin(django_user_model):
    return django_user_model.objects.create_superuser("kim", "kim@verifier.example", None)


@pytest.fixture
def key_manager(django_user_model):
    """Staff, not superuser, granted the permission that makes a key manager."""
    user = django_user_model.objects.create_user("max", "max@verifier.example", None, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_apikey", content_type__app_label="partners"))
    return user


@pytest.fixture
def reviewer(django_user_model):
    return django_user_model.objects.create_user("rita", "rita@verifier.example", None, is_staff=True)


@pytest.fixture
def program(db):
    return program_demo_ensure()


@pytest.fixture
def partner(program, key_admin):
    return partner_create(name="Acme Store", program=program, actor=key_admin, contact_email="dev@acme.example")


def signed_in(user, **options) -> Client:
    client = Client(**options)
    staff_login(client, user)
    return client


def assert_anonymous_and_reviewer_refused(url: str, *, reviewer, method: str = "get", data=None) -> None:
    """Anonymous -> the back-office login; a reviewer without the permission -> 403."""
    anonymous = getattr(Client(), method)(url, data or {})
    assert anonymous.status_code == 302 and "/review/login/" in anonymous["Location"]
    assert getattr(signed_in(reviewer), method)(url, data or {}).status_code == 403
