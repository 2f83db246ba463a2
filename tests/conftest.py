from pathlib import Path

import pytest

pytest_plugins = ["tests.smtp"]

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REGISTRIES = SHARED / "registries"


def pytest_configure(config):
    """Tests sign people in hundreds of times: a fast password hash keeps them quick (production keeps Django's
    slow one; nothing here tests the hash's strength)."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def registries() -> Path:
    if not REGISTRIES.is_dir():
        pytest.fail(f"the shared registry samples are expected at {REGISTRIES}")
    return REGISTRIES


@pytest.fixture
def import_files(db):
    """Run the import pipeline as the command does; returns (run, summary)."""
    from registry.importers.pipeline import registry_import

    def run(source: str, *paths, snapshot: bool = False):
        return registry_import(source=source, paths=[str(p) for p in paths], snapshot=snapshot)

    return run


def clear_registry() -> None:
    from django.db import connection

    from registry.models import ImportRun, Organisation, RejectedRow, Source

    RejectedRow.objects.all().delete()
    ImportRun.objects.all().delete()
    Organisation.objects.all().delete()
    Source.objects.all().delete()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM registry_org_fts")
        cursor.execute("DELETE FROM registry_search_term")
        cursor.execute("DELETE FROM registry_search_term_key")


@pytest.fixture(scope="module")
def us_registry(django_db_setup, django_db_blocker):
    """The four real BMF state files, imported once per test module (tests roll back their own changes)."""
    from registry.importers.pipeline import registry_import

    with django_db_blocker.unblock():
        registry_import(source="us-irs-bmf", paths=[str(REGISTRIES / "us" / "irs_eo_bmf")])
    yield
    with django_db_blocker.unblock():
        clear_registry()


@pytest.fixture(autouse=True)
def _no_language_carried_over():
    """A request to a /fr/ page leaves French active in the thread: each test starts from the default language."""
    from django.utils import translation

    yield
    translation.deactivate()


# The four staff roles as groups (support.roles) and one staff member in each; `as_role("Billing agent")` is a
# client signed in as that member.
ROLE_NAMES = ("Reviewer", "Support agent", "Billing agent", "Administrator")


@pytest.fixture
def role_users(db):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from support.roles import roles_ensure

    roles_ensure()
    users = {}
    for name in ROLE_NAMES:
        user = get_user_model().objects.create_user(username=name.lower().replace(" ", "-"), is_staff=True)
        user.groups.add(Group.objects.get(name=name))
        users[name] = user
    users["Customer"] = get_user_model().objects.create_user(username="customer")
    return users


@pytest.fixture
def as_role(role_users):
    def client_for(role: str):
        from django.test import Client

        from tests.staff import staff_login

        return staff_login(Client(), role_users[role])  # staff: a verified second factor too

    return client_for
