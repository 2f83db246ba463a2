"""Starting and submitting applications: the automatic decisions, on real registry records."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from core.errors import Conflict, InvalidInput
from core.models import AuditEntry
from coupons.models import Coupon
from coupons.services import coupon_find
from notifications.models import OutboxEmail
from tests.verification.conftest import (
    FAITH_SCHOOL,
    GB_HEALTH,
    POOL_ASSOCIATION,
    RE_ALLIANCE,
    SALMON_CREEK,
    SPORTSPLEX,
)
from verification.models import Application, ApplicationState, CheckResult
from verification.services import application_checks_run, application_start, application_submit

CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def submit(application, now=None):
    return application_submit(application=application, ip="203.0.113.7", user_agent="Mozilla/5.0 (test)", now=now)


@pytest.mark.django_db
def test_start_gives_an_unguessable_token_and_a_readable_reference(program):
    now = timezone.now()
    first = application_start(program=program, language="fr", now=now)
    second = application_start(program=program, language="xx")
    assert re.fullmatch(r"VCH-[0-9A-HJKMNP-TV-Z]{8}", first.reference)
    assert len(first.token) >= 43 and first.token != second.token and first.reference != second.reference
    assert first.state == ApplicationState.DRAFT and first.language == "fr" and second.language == "en"
    assert first.expires_at == now + timedelta(days=30)


@pytest.mark.django_db
def test_all_checks_pass_approves_at_once_and_emails_the_coupon(au_registry, make_draft):
    application = make_draft(RE_ALLIANCE, email="jo@re-alliance.org.au", language="fr")
    submit(application)

    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED and application.decided_automatically
    assert application.decided_at and application.decision_reasons == []
    assert (application.terms_version, application.privacy_version) == ("2026-11", "2026-11")
    assert application.accepted_ip == "203.0.113.7" and application.accepted_user_agent == "Mozilla/5.0 (test)"
    assert {c.outcome for c in CheckResult.objects.filter(application=application)} == {"pass"}
    coupon = Coupon.objects.get(reference=application.reference)
    assert coupon.organisation_key == RE_ALLIANCE and coupon.email == "jo@re-alliance.org.au"
    email = OutboxEmail.objects.get(template="application_approved")
    assert email.to == "jo@re-alliance.org.au" and email.language == "fr"
    assert coupon_find(code=CODE.search(email.body_text).group()) == coupon
    assert application.token in email.body_text  # the status link
    actions = list(
        AuditEntry.objects.filter(object_type="application", object_id=str(application.pk))
        .order_by("pk")
        .values_list("action", "before__state", "after__state")
    )
    assert actions == [
        ("application.submitted", "draft", "submitted"),
        ("application.approved", "submitted", "approved"),
    ]


@pytest.mark.django_db
def test_a_school_is_rejected_at_once_with_the_education_program(us_registry, make_draft):
    application = make_draft(FAITH_SCHOOL)
    submit(application)
    application.refresh_from_db()
    assert application.state == ApplicationState.REJECTED and application.decided_automatically
    assert [r["code"] for r in application.decision_reasons] == ["excluded_education"]
    assert "https://workplace.example/education" in application.decision_reasons[0]["message"]
    check = CheckResult.objects.get(application=application, code="excluded_education")
    assert check.evidence["record"] == FAITH_SCHOOL and "school" in check.evidence["value"]
    assert check.evidence["raw_codes"]["FOUNDATION"] == "11" and check.evidence["source"] == "us-irs-bmf"
    email = OutboxEmail.objects.get(template="application_rejected")
    assert "excluded_education" in email.body_text and "https://workplace.example/education" in email.body_text
    assert not Coupon.objects.exists()


@pytest.mark.django_db
def test_rejections_give_every_failing_reason(us_registry, make_draft):
    social_welfare = make_draft(POOL_ASSOCIATION, budget_minor=20_000_000_00)
    submit(social_welfare)
    assert [r["code"] for r in social_welfare.decision_reasons] == ["not_charitable_status", "over_budget_cap"]
    big = make_draft(SPORTSPLEX)  # declares a small budget; the IRS says $11.9 million
    submit(big)
    assert big.state == ApplicationState.REJECTED
    assert [r["code"] for r in big.decision_reasons] == ["over_budget_cap"]


@pytest.mark.django_db
def test_registry_income_is_converted_to_the_program_currency(gb_registry, make_draft):
    application = make_draft(GB_HEALTH, email="someone@example.com")
    submit(application)
    assert application.state == ApplicationState.REJECTED
    check = CheckResult.objects.get(application=application, rule="registry_income")
    assert check.code == "over_budget_cap" and check.evidence["value"] == 153_000_000_00
    assert check.evidence["converted_minor"] == 194_310_000_00 and check.evidence["rate"] == "1.27"


@pytest.mark.django_db
def test_review_is_due_three_us_business_days_later_skipping_thanksgiving(us_registry, make_draft):
    submitted = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday; Thursday 26 is Thanksgiving
    application = make_draft(SALMON_CREEK, email="director@salmoncreekhousing.org", now=submitted)
    submit(application, now=submitted)
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW and not application.decided_at
    assert application.submitted_at == submitted
    # Fri 27, Mon 30, Tue 1: due at the end of 1 December.
    assert application.due_at == datetime(2026, 12, 1, 23, 59, 59, tzinfo=UTC)
    review = CheckResult.objects.get(application=application, outcome="review")
    assert review.code == "email_domain_unverified"  # the BMF lists no website
    email = OutboxEmail.objects.get(template="application_received")
    assert application.reference in email.body_text and "2026" in email.body_text


@pytest.mark.django_db
def test_a_manual_organisation_without_documents_is_asked_for_them(program, make_draft):
    application = make_draft(None, country="FR", email="presidence@asso-exemple.fr")
    submit(application)
    application.refresh_from_db()
    assert application.state == ApplicationState.NEEDS_INFORMATION
    assert "documents" in application.information_request
    assert CheckResult.objects.get(application=application, rule="registered").code == (
        "manual_organisation_needs_documents"
    )
    assert OutboxEmail.objects.get(template="information_needed").to == "presidence@asso-exemple.fr"


@pytest.mark.django_db
def test_a_second_application_for_an_organisation_holding_a_coupon_is_rejected(au_registry, make_draft):
    first = make_draft(RE_ALLIANCE, email="jo@re-alliance.org.au")
    submit(first)
    assert first.state == ApplicationState.APPROVED
    second = make_draft(RE_ALLIANCE, email="sam@re-alliance.org.au")
    submit(second)
    assert second.state == ApplicationState.REJECTED
    assert [r["code"] for r in second.decision_reasons] == ["duplicate_active_coupon"]


@pytest.mark.django_db
def test_another_open_application_sends_it_to_review(us_registry, make_draft):
    first = make_draft(SALMON_CREEK)
    submit(first)
    second = make_draft(SALMON_CREEK, email="treasurer@example.org")
    submit(second)
    codes = set(CheckResult.objects.filter(application=second, outcome="review").values_list("code", flat=True))
    assert "duplicate_open_application" in codes and second.state == ApplicationState.IN_REVIEW


@pytest.mark.django_db
def test_submit_refuses_incomplete_unverified_expired_and_already_submitted(us_registry, make_draft):
    with pytest.raises(InvalidInput) as error:
        submit(make_draft(SALMON_CREEK, applicant_name="", declared_budget_minor=None))
    assert error.value.code == "application_incomplete"
    assert error.value.details["missing"] == ["budget", "representative"]
    with pytest.raises(InvalidInput) as error:
        submit(make_draft(SALMON_CREEK, email_verified_at=None))
    assert error.value.code == "email_not_verified"
    with pytest.raises(Conflict) as error:
        submit(make_draft(SALMON_CREEK, expires_at=timezone.now() - timedelta(seconds=1)))
    assert error.value.code == "application_expired"
    application = make_draft(SALMON_CREEK)
    submit(application)
    with pytest.raises(Conflict) as error:
        submit(application)
    assert error.value.code == "application_not_draft"


@pytest.mark.django_db
def test_a_stale_copy_cannot_submit_twice(us_registry, make_draft):
    application = make_draft(SALMON_CREEK)
    stale = Application.objects.get(pk=application.pk)
    submit(application)
    with pytest.raises(Conflict) as error:
        submit(stale)  # still says "draft" in memory; the conditional update finds it is not
    assert error.value.code == "application_state_changed"
    assert AuditEntry.objects.filter(action="application.submitted").count() == 1
    assert OutboxEmail.objects.count() == 1


@pytest.mark.django_db
def test_checks_run_again_replaces_the_stored_results(us_registry, make_draft):
    application = make_draft(SALMON_CREEK)
    first = application_checks_run(application=application)
    second = application_checks_run(application=application)
    assert len(first) == len(second) == CheckResult.objects.filter(application=application).count()


@pytest.mark.django_db
def test_unparseable_ip_is_not_recorded(us_registry, make_draft):
    application = make_draft(SALMON_CREEK)
    application_submit(application=application, ip="not an ip", user_agent="x" * 900)
    application.refresh_from_db()
    assert application.accepted_ip is None and len(application.accepted_user_agent) == 500
