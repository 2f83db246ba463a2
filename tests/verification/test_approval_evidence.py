"""On approval the applicant sees the checks the organisation passed, with their evidence, on the status page and in
the approval email (as a refusal shows its reasons)."""

import pytest

from notifications.models import OutboxEmail
from tests.verification.conftest import FAITH_SCHOOL, RE_ALLIANCE, SALMON_CREEK
from verification.models import ApplicationState, CheckResult
from verification.services import application_approve, application_submit


def submit(application):
    application_submit(application=application, ip="203.0.113.7", user_agent="test")
    application.refresh_from_db()
    return application


def status_page(client, application) -> str:
    return client.get(f"/{application.language}/programs/status/{application.token}/").content.decode()


@pytest.mark.django_db
def test_an_automatic_approval_shows_every_check_passed_with_its_evidence(client, au_registry, make_draft):
    application = submit(make_draft(RE_ALLIANCE, email="jo@re-alliance.org.au"))
    assert application.state == ApplicationState.APPROVED
    codes = list(CheckResult.objects.filter(application=application).values_list("code", flat=True))
    assert "charitable_status_confirmed" in codes and "registered" in codes

    page = status_page(client, application)
    checks = page[page.index('data-testid="passed-checks"') :]
    assert "What we checked" in page
    for code in codes:
        assert f'data-code="{code}"' in checks, code
    assert "<dt>Source</dt><dd>au-acnc</dd>" in checks and f"<dt>Record</dt><dd>{RE_ALLIANCE}</dd>" in checks

    email = OutboxEmail.objects.get(template="application_approved", to="jo@re-alliance.org.au")
    text = email.body_text
    assert "What we checked:" in text
    for code in codes:
        assert f"[{code}]" in text and f"[{code}]" in email.body_html, code
    assert f"Record: {RE_ALLIANCE}" in text and "Source: au-acnc" in text
    assert "Source: au-acnc" in email.body_html


@pytest.mark.django_db
def test_in_french_the_page_and_the_email_label_the_evidence_in_french(client, au_registry, make_draft):
    application = submit(make_draft(RE_ALLIANCE, email="jo@re-alliance.org.au", language="fr"))
    page = status_page(client, application)
    assert "Ce que nous avons vérifié" in page and "<dt>Fiche</dt>" in page
    email = OutboxEmail.objects.get(template="application_approved")
    assert "Ce que nous avons vérifié" in email.body_text and f"Fiche : {RE_ALLIANCE}" in email.body_text


@pytest.mark.django_db
def test_a_reviewer_approval_shows_the_passed_checks_only(client, us_registry, make_draft, reviewer):
    application = submit(make_draft(SALMON_CREEK, email="director@salmoncreekhousing.org"))
    assert application.state == ApplicationState.IN_REVIEW
    settled = CheckResult.objects.filter(application=application).exclude(outcome="pass")
    assert settled.exists()
    assert "What we checked" not in status_page(client, application)  # not before the decision

    application_approve(application=application, actor=reviewer)
    page = status_page(client, application)
    checks = page[page.index('data-testid="passed-checks"') :]
    assert 'data-code="charitable_status_confirmed"' in checks and "<dt>SUBSECTION</dt><dd>03</dd>" in checks
    email = OutboxEmail.objects.get(template="application_approved")
    for check in settled:
        assert f'data-code="{check.code}"' not in page and f"[{check.code}]" not in email.body_text


@pytest.mark.django_db
def test_a_refusal_shows_its_reasons_not_a_list_of_passed_checks(client, us_registry, make_draft):
    application = submit(make_draft(FAITH_SCHOOL))
    assert application.state == ApplicationState.REJECTED
    page = status_page(client, application)
    assert "excluded_education" in page and "What we checked" not in page
