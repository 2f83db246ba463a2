"""Builders for verification tests: the demo program, reviewers, and drafts ready to submit."""

from datetime import datetime

import pytest
from django.utils import timezone

from programs.demo import program_demo_ensure
from registry.models import Organisation
from tests.conftest import REGISTRIES
from verification.models import Application
from verification.services import application_start

# Real records of the shared registry samples.
SALMON_CREEK = "US-EIN-020713689"  # SALMON CREEK HOUSING INC, AK: a 501(c)(3) public charity, revenue $58,867
FAITH_SCHOOL = "US-EIN-205024472"  # FAITH COMMUNITY CHRISTIAN SCHOOL, AK: FOUNDATION 11, NTEE B20
POOL_ASSOCIATION = "US-EIN-030614785"  # FAIRBANKS POOL ASSOCIATION, AK: SUBSECTION 04 (social welfare)
SPORTSPLEX = "US-EIN-300274501"  # ANCHORAGE SPORTSPLEX INC, AK: 501(c)(3), revenue $11,928,732 (over the cap)
RE_ALLIANCE = "AU-ABN-46159949149"  # RE-Alliance Limited (ACNC), website www.re-alliance.org.au
GB_HEALTH = "GB-CHC-209617"  # CCEW sample: income £153,000,000


@pytest.fixture
def program(db):
    return program_demo_ensure()


@pytest.fixture
def reviewer(django_user_model):
    return django_user_model.objects.create_user("rita", "rita@verifier.example", "x", is_staff=True)


@pytest.fixture
def second_reviewer(django_user_model):
    return django_user_model.objects.create_user("sam", "sam@verifier.example", "x", is_staff=True)


@pytest.fixture
def au_registry(import_files):
    import_files("au-acnc", REGISTRIES / "australia")


@pytest.fixture
def gb_registry(import_files):
    import_files("gb-ccew", REGISTRIES / "uk-england-wales" / "ccew_publicextract_txt")


def organisation(org_id: str) -> Organisation:
    return Organisation.objects.select_related("source").get(org_id=org_id)


@pytest.fixture
def make_draft(program):
    """A draft with every step done and the email verified, as the journey leaves it before submitting."""

    def make(
        org_id: str | None = None,
        *,
        email: str = "director@example.org",
        budget_minor: int = 250_000_00,
        now: datetime | None = None,
        language: str = "en",
        **fields,
    ) -> Application:
        now = now or timezone.now()
        application = application_start(program=program, language=language, now=now)
        org = organisation(org_id) if org_id else None
        values = {
            "declared_budget_minor": budget_minor,
            "organisation": org,
            "country": org.country if org else fields.pop("country", "FR"),
            "applicant_name": "Jo Director",
            "email": email,
            "email_verified_at": now,
            **fields,
        }
        if org is None:
            values.setdefault("manual_name", "Association Exemple")
        Application.objects.filter(pk=application.pk).update(**values)
        return Application.objects.select_related("program", "organisation", "organisation__source").get(
            pk=application.pk
        )

    return make
