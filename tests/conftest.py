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
