"""Reviewer actions, the applicant's answers and appeals: conditional state changes, each audited."""

import pytest

from core.errors import Conflict, InvalidInput, PermissionDenied
from core.models import AuditEntry
from coupons.models import Coupon
from notifications.models import OutboxEmail
from tests.verification.conftest import SALMON_CREEK
from verification.models import Appeal, Application, ApplicationState
from verification.services import (
    appeal_submit,
    application_approve,
    application_assign,
    application_information_provided,
    application_reject,
    application_request_information,
    application_submit,
    rejection_reason_choices,
)

S = ApplicationState


@pytest.fixture
def in_review(us_registry, make_draft):
    application = make_draft(SALMON_CREEK, email="director@salmoncreekhousing.org")
    application_submit(application=application, ip="198.51.100.1", user_agent="test")
    assert application.state == S.IN_REVIEW
    return application


def audit(application) -> list[tuple[str, str | None, str | None]]:
    return list(
        AuditEntry.objects.filter(object_type="application", object_id=str(application.pk))
        .order_by("pk")
        .values_list("action", "actor__username", "after__state")
    )


@pytest.mark.django_db
def test_reviewer_approves_and_the_coupon_is_emailed(in_review, reviewer):
    application_approve(application=in_review, actor=reviewer, message="Checked the website.")
    in_review.refresh_from_db()
    assert in_review.state == S.APPROVED and in_review.decided_by == reviewer and not in_review.decided_automatically
    assert in_review.decision_message == "Checked the website."
    assert Coupon.objects.get(reference=in_review.reference).organisation_key == SALMON_CREEK
    assert OutboxEmail.objects.filter(template="application_approved", to=in_review.email).count() == 1
    assert audit(in_review)[-1] == ("application.approved", "rita", "approved")


@pytest.mark.django_db
def test_reviewer_rejects_with_reasons_and_message(in_review, reviewer):
    application_reject(
        application=in_review,
        actor=reviewer,
        reason_codes=["representative_not_confirmed"],
        message="Nobody at the organisation knows the applicant.",
    )
    in_review.refresh_from_db()
    assert in_review.state == S.REJECTED and in_review.decided_by == reviewer
    assert in_review.decision_reasons[0]["code"] == "representative_not_confirmed"
    email = OutboxEmail.objects.get(template="application_rejected")
    assert "Nobody at the organisation" in email.body_text and "/appeal/" in email.body_text
    assert (
        "representative_not_confirmed",
        str(dict(rejection_reason_choices())["representative_not_confirmed"]),
    ) in rejection_reason_choices()


@pytest.mark.django_db
def test_reject_needs_known_reasons_and_a_message(in_review, reviewer):
    for codes, message in ([], "x"), (["no_such_reason"], "x"), (["other"], "  "):
        with pytest.raises(InvalidInput):
            application_reject(application=in_review, actor=reviewer, reason_codes=codes, message=message)
    assert Application.objects.get(pk=in_review.pk).state == S.IN_REVIEW


@pytest.mark.django_db
def test_only_staff_may_review(in_review, django_user_model):
    applicant = django_user_model.objects.create_user("applicant", "a@example.org", "x")
    with pytest.raises(PermissionDenied) as error:
        application_approve(application=in_review, actor=applicant)
    assert error.value.code == "reviewer_only"


@pytest.mark.django_db
def test_a_decided_application_cannot_be_decided_again(in_review, reviewer, second_reviewer):
    stale = Application.objects.get(pk=in_review.pk)
    application_approve(application=in_review, actor=reviewer)
    with pytest.raises(Conflict) as error:  # a page loaded before the approval
        application_reject(application=stale, actor=second_reviewer, reason_codes=["other"], message="No.")
    assert error.value.code == "application_state_changed"
    with pytest.raises(Conflict) as error:  # a page loaded after it
        application_approve(application=in_review, actor=second_reviewer)
    assert error.value.code == "application_state_invalid"
    assert Coupon.objects.count() == 1 and OutboxEmail.objects.filter(template="application_approved").count() == 1


@pytest.mark.django_db
def test_assign_and_unassign(in_review, reviewer, second_reviewer):
    application_assign(application=in_review, actor=reviewer, assignee=second_reviewer)
    assert Application.objects.get(pk=in_review.pk).assigned_to == second_reviewer
    application_assign(application=in_review, actor=reviewer, assignee=None)
    assert Application.objects.get(pk=in_review.pk).assigned_to is None
    assert [a for a, *_ in audit(in_review)].count("application.assigned") == 2


@pytest.mark.django_db
def test_request_information_then_the_applicant_answers(in_review, reviewer):
    first_due = in_review.due_at
    application_request_information(
        application=in_review, actor=reviewer, message="Please upload the IRS determination letter."
    )
    in_review.refresh_from_db()
    assert in_review.state == S.NEEDS_INFORMATION
    email = OutboxEmail.objects.get(template="information_needed")
    assert "IRS determination letter" in email.body_text and in_review.token in email.body_text
    application_information_provided(application=in_review)
    in_review.refresh_from_db()
    assert in_review.state == S.IN_REVIEW and in_review.due_at >= first_due
    assert [a for a, *_ in audit(in_review)][-2:] == [
        "application.information_requested",
        "application.information_provided",
    ]
    with pytest.raises(Conflict):
        application_information_provided(application=in_review)


@pytest.mark.django_db
def test_appeal_once_and_decided_by_another_reviewer(in_review, reviewer, second_reviewer):
    application_reject(
        application=in_review,
        actor=reviewer,
        reason_codes=["representative_not_confirmed"],
        message="We could not reach the organisation.",
    )
    appeal = appeal_submit(application=in_review, statement="I am the director; see the minutes attached.")
    assert appeal.first_reviewer == reviewer and in_review.state == S.APPEALED
    with pytest.raises(PermissionDenied) as error:
        application_approve(application=in_review, actor=reviewer)
    assert error.value.code == "appeal_needs_other_reviewer"
    with pytest.raises(PermissionDenied):
        application_reject(application=in_review, actor=reviewer, reason_codes=["other"], message="Still no.")
    application_approve(application=in_review, actor=second_reviewer, message="The minutes name the applicant.")
    assert Application.objects.get(pk=in_review.pk).state == S.APPROVED
    assert Coupon.objects.filter(reference=in_review.reference).exists()
    assert [a for a, *_ in audit(in_review)][-3:] == [
        "application.rejected",
        "application.appealed",
        "application.approved",
    ]


@pytest.mark.django_db
def test_appeal_only_when_rejected_and_only_once(in_review, reviewer, second_reviewer):
    with pytest.raises(Conflict):
        appeal_submit(application=in_review, statement="Too early.")
    application_reject(application=in_review, actor=reviewer, reason_codes=["other"], message="No.")
    with pytest.raises(InvalidInput):
        appeal_submit(application=in_review, statement="   ")
    appeal_submit(application=in_review, statement="Please look again.")
    application_reject(application=in_review, actor=second_reviewer, reason_codes=["other"], message="Still no.")
    with pytest.raises(Conflict) as error:
        appeal_submit(application=in_review, statement="Once more?")
    assert error.value.code == "appeal_already_made"
    assert Appeal.objects.count() == 1
    final = OutboxEmail.objects.filter(template="application_rejected").order_by("pk").last()
    assert "/appeal/" not in final.body_text  # no second appeal is offered


@pytest.mark.django_db
def test_an_automatic_rejection_may_be_appealed_to_any_reviewer(us_registry, make_draft, reviewer):
    application = make_draft("US-EIN-205024472")  # a school: rejected automatically
    application_submit(application=application, ip=None, user_agent="")
    appeal = appeal_submit(application=application, statement="We are a family resource centre, not a school.")
    assert appeal.first_reviewer is None
    application_reject(
        application=application,
        actor=reviewer,
        reason_codes=["excluded_education"],
        message="The IRS classifies the organisation as a school.",
    )
    assert application.state == S.REJECTED
