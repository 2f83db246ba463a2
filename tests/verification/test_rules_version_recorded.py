"""Every check result and decision records the program's rules version it applied; the acceptance records the
language of the texts shown; the back-office shows the versions."""

import pytest

from programs.selectors import program_rules_version_current
from programs.services import program_text_add
from tests.staff import staff_login
from tests.verification.conftest import RE_ALLIANCE, SALMON_CREEK
from verification.models import ApplicationState, CheckResult
from verification.services import application_approve, application_submit


def submit(application, language=""):
    return application_submit(application=application, ip="203.0.113.7", user_agent="test", language=language)


@pytest.mark.django_db
def test_an_automatic_decision_and_its_checks_record_the_version(au_registry, make_draft, program):
    application = make_draft(RE_ALLIANCE, email="jo@re-alliance.org.au", language="fr")
    submit(application, language="fr")
    application.refresh_from_db()
    version = program_rules_version_current(program)
    assert application.state == ApplicationState.APPROVED and application.rules_version == version
    assert {check.rules_version_id for check in CheckResult.objects.filter(application=application)} == {version.pk}
    assert application.accepted_language == "fr"  # the demo program's terms exist in French


@pytest.mark.django_db
def test_a_reviewer_decides_under_the_rules_in_force_then(us_registry, make_draft, program, reviewer):
    application = make_draft(SALMON_CREEK, email="director@gmail.com")  # free mail: to review
    submit(application, language="en")
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW and application.rules_version is None
    assert CheckResult.objects.filter(application=application).first().rules_version.number == 1
    program.coupon_redeem_days = 60  # the rules change while it waits
    program.save()
    application_approve(application=application, actor=reviewer)
    application.refresh_from_db()
    assert application.rules_version.number == 2 and application.accepted_language == "en"


@pytest.mark.django_db
def test_french_terms_missing_in_a_new_version_are_accepted_in_english(au_registry, make_draft, program):
    program_text_add(program=program, kind="terms", version="2027-01", texts={"en": "New terms"})
    program.terms_version = "2027-01"
    program.save()
    application = make_draft(RE_ALLIANCE, email="jo@re-alliance.org.au", language="fr")
    submit(application, language="fr")
    application.refresh_from_db()
    assert (application.terms_version, application.accepted_language) == ("2027-01", "en")


@pytest.mark.django_db
def test_the_confirm_step_shows_the_texts_in_the_page_language(make_draft, program, client):
    from verification.views.journey import SESSION_KEY

    application = make_draft(language="fr")
    session = client.session
    session[SESSION_KEY] = {program.slug: application.token}  # this browser's draft, as the journey keeps it
    session.save()
    fr = client.get(f"/fr/programs/{program.slug}/apply/confirm/").content.decode()
    assert "Conditions de vérification de Vouch" in fr and "Politique de confidentialité de Vouch" in fr
    en = client.get(f"/en/programs/{program.slug}/apply/confirm/").content.decode()
    assert "Vouch verification terms" in en and "Conditions de vérification" not in en


@pytest.mark.django_db
def test_the_back_office_shows_the_versions(au_registry, make_draft, program, reviewer, client):
    application = make_draft(RE_ALLIANCE, email="jo@re-alliance.org.au")
    submit(application, language="en")
    staff_login(client, reviewer)
    html = client.get(f"/en/review/applications/{application.reference}/").content.decode()
    assert "Checked under rules version 1" in html and "Decided under rules version 1" in html
