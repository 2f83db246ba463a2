"""`manage.py reverify_coupons`: the organisation-level checks again for every live coupon, on the real BMF sample."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from core.models import AuditEntry
from coupons.models import Coupon
from programs.demo import program_demo_ensure
from registry.models import Organisation
from tests.billing.test_checkout_support import NOW, staff_user
from tests.coupons.factories import make_application, make_program
from tests.coupons.test_monitoring import DANCERS, EMAIL, _status_events, eo_ak, subscribed_partner  # noqa: F401
from verification.services import application_approve
from verification.services.applications import application_checks_run
from verification.services.coupons import application_coupon_issue

pytestmark = pytest.mark.django_db


def _approved(org_id: str | None, program=None) -> Coupon:
    organisation = Organisation.objects.get(org_id=org_id) if org_id else None
    application = make_application(
        program or program_demo_ensure(),
        organisation,
        state="in_review",
        email=EMAIL,
        declared_budget_minor=100_000_00,
        email_verified_at=NOW,
    )
    application_checks_run(application=application)
    application_approve(application=application, actor=staff_user(f"reviewer-{application.pk}"))
    return Coupon.objects.get(reference=application.reference)


def _run(*args) -> tuple[list[dict], dict]:
    out = StringIO()
    call_command("reverify_coupons", "--json", *args, stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert "summary" in lines[-1]
    return lines[:-1], lines[-1]["summary"]


@pytest.fixture
def dancers_coupon(import_files, eo_ak, subscribed_partner):  # noqa: F811
    import_files("us-irs-bmf", eo_ak)
    return _approved(DANCERS)


def test_an_organisation_still_eligible_changes_nothing(dancers_coupon):
    [line], summary = _run()
    assert line["coupon"] == dancers_coupon.pk and line["org_id"] == DANCERS
    assert (line["was_eligible"], line["now_eligible"], line["flagged"], line["unflagged"]) == (
        True,
        True,
        False,
        False,
    )
    assert line["reasons_new"] == [] and line["reasons_gone"] == [] and line["status_change"] is None
    assert summary == {
        "checked": 1,
        "eligible": 1,
        "not_eligible": 0,
        "flagged": 0,
        "unflagged": 0,
        "status_changes": 0,
        "skipped": 0,
    }
    dancers_coupon.refresh_from_db()
    assert dancers_coupon.flagged_at is None
    assert not _status_events(DANCERS)


def test_a_status_change_no_import_reported_is_flagged_and_announced_once(dancers_coupon):
    # As if the organisation had been removed before monitoring existed (or by hand in the admin).
    Organisation.objects.filter(org_id=DANCERS).update(status="removed", removal_reason="struck off")

    [line], summary = _run()

    assert (line["was_eligible"], line["now_eligible"], line["flagged"]) == (True, False, True)
    assert line["status_change"] == {"old": "active", "new": "removed"}
    assert [r["code"] for r in line["reasons_new"]] == ["registration_inactive"]
    assert summary["flagged"] == 1 and summary["status_changes"] == 1
    dancers_coupon.refresh_from_db()
    assert dancers_coupon.flagged_at is not None and "struck off" in dancers_coupon.flag_reason
    [event] = _status_events(DANCERS)
    assert event.data["flagged_coupons"][0]["coupon_id"] == dancers_coupon.pk

    [again], summary = _run()  # nothing new: no second event, no second flag
    assert (again["was_eligible"], again["now_eligible"], again["flagged"], again["status_change"]) == (
        False,
        False,
        False,
        None,
    )
    assert len(_status_events(DANCERS)) == 1
    assert AuditEntry.objects.filter(action="coupon.flagged", object_id=str(dancers_coupon.pk)).count() == 1


def test_a_rule_only_change_flags_without_an_event_and_clears_when_it_passes_again(dancers_coupon):
    program = dancers_coupon.program
    program.supported_countries = ["GB"]
    program.save()

    [line], _summary = _run()
    assert (line["now_eligible"], line["flagged"], line["status_change"]) == (False, True, None)
    assert [r["code"] for r in line["reasons_new"]] == ["country_not_supported"]
    assert not _status_events(DANCERS)
    dancers_coupon.refresh_from_db()
    assert dancers_coupon.flag_reason.startswith("country_not_supported: ")

    program.supported_countries = []
    program.save()
    [line], summary = _run()
    assert (line["was_eligible"], line["now_eligible"], line["unflagged"]) == (False, True, True)
    assert summary["unflagged"] == 1
    dancers_coupon.refresh_from_db()
    assert dancers_coupon.flagged_at is None and dancers_coupon.flag_reason == ""
    assert AuditEntry.objects.filter(action="coupon.unflagged", object_id=str(dancers_coupon.pk)).count() == 1


def test_hand_added_organisations_are_skipped_and_program_filters(dancers_coupon):
    other = make_program()
    manual, _code = application_coupon_issue(application=make_application(other, None))
    lines, summary = _run()
    assert {line["coupon"]: line["skipped"] for line in lines} == {
        dancers_coupon.pk: None,
        manual.pk: "organisation_added_by_hand",
    }
    assert summary["skipped"] == 1 and summary["checked"] == 1

    lines, summary = _run("--program", other.slug)
    assert [line["coupon"] for line in lines] == [manual.pk]


def test_human_output_and_unknown_program(dancers_coupon):
    Organisation.objects.filter(org_id=DANCERS).update(status="removed")
    out = StringIO()
    call_command("reverify_coupons", stdout=out)
    text = out.getvalue()
    assert f"{dancers_coupon.reference}  {DANCERS}  was eligible, now NOT ELIGIBLE" in text
    assert "+ registration_inactive:" in text
    assert "1 coupons checked: 0 eligible, 1 not eligible; 1 flagged" in text
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("reverify_coupons", "--program", "nope", stdout=StringIO())
