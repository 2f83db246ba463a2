"""`manage.py eligibility` on real IRS BMF organisations."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from programs.demo import DEMO_SLUG
from programs.models import Program
from tests.coupons.factories import make_application
from tests.verification.conftest import FAITH_SCHOOL, POOL_ASSOCIATION, SALMON_CREEK, SPORTSPLEX, organisation
from verification.services.coupons import application_coupon_issue

UNKNOWN = "US-EIN-999999999"


def run(*args) -> str:
    out = io.StringIO()
    call_command("eligibility", *args, stdout=out)
    return out.getvalue()


def run_json(*args) -> list[dict]:
    return [json.loads(line) for line in run(*args, "--json").splitlines()]


@pytest.mark.django_db
def test_json_one_line_per_id_in_input_order(us_registry):
    assert not Program.objects.filter(slug=DEMO_SLUG).exists()
    results = run_json(FAITH_SCHOOL, SALMON_CREEK.lower(), UNKNOWN, POOL_ASSOCIATION, SPORTSPLEX)
    assert Program.objects.filter(slug=DEMO_SLUG).exists()  # the default program was created
    assert [r["org_id"] for r in results] == [FAITH_SCHOOL, SALMON_CREEK, UNKNOWN, POOL_ASSOCIATION, SPORTSPLEX]
    by_id = {r["org_id"]: r for r in results}

    charity = by_id[SALMON_CREEK]
    assert charity["eligible"] is True and charity["reasons"] == [] and charity["name"] == "SALMON CREEK HOUSING INC"
    assert {c["outcome"] for c in charity["checks"]} == {"pass"}
    status = next(c for c in charity["checks"] if c["rule"] == "charitable_status")
    assert status["evidence"] == {
        "record": SALMON_CREEK,
        "field": "SUBSECTION",
        "value": "03",
        "source": "us-irs-bmf",
        "source_date": status["evidence"]["source_date"],
    }
    assert status["evidence"]["source_date"]  # the day the register was imported

    school = by_id[FAITH_SCHOOL]
    assert school["eligible"] is False and [r["code"] for r in school["reasons"]] == ["excluded_education"]
    assert "https://workplace.example/education" in school["reasons"][0]["message"]

    assert [r["code"] for r in by_id[POOL_ASSOCIATION]["reasons"]] == ["not_charitable_status"]
    assert [r["code"] for r in by_id[SPORTSPLEX]["reasons"]] == ["over_budget_cap"]
    income = next(c for c in by_id[SPORTSPLEX]["checks"] if c["rule"] == "registry_income")
    assert income["evidence"]["value"] == 11_928_732_00 and income["evidence"]["period_end"] == "2018-08-31"

    unknown = by_id[UNKNOWN]
    assert unknown["eligible"] is False and [r["code"] for r in unknown["reasons"]] == ["not_registered"]
    assert [c["code"] for c in unknown["checks"]] == ["not_registered"]


@pytest.mark.django_db
def test_batch_file_and_arguments_together(us_registry, tmp_path):
    batch = tmp_path / "ids.txt"
    batch.write_text(f"# organisations to check\n{SPORTSPLEX}\n\n  {SALMON_CREEK}  \n{SALMON_CREEK}\n")
    results = run_json(FAITH_SCHOOL, "--batch", str(batch))
    assert [(r["org_id"], r["eligible"]) for r in results] == [
        (FAITH_SCHOOL, False),
        (SPORTSPLEX, False),
        (SALMON_CREEK, True),
        (SALMON_CREEK, True),
    ]


@pytest.mark.django_db
def test_an_active_coupon_makes_the_organisation_ineligible(us_registry):
    from programs.demo import program_demo_ensure

    program = program_demo_ensure()
    application_coupon_issue(application=make_application(program, organisation(SALMON_CREEK)))
    [result] = run_json(SALMON_CREEK)
    assert result["eligible"] is False and result["reasons"][0]["code"] == "duplicate_active_coupon"
    other = Program.objects.create(slug="another", name="Another", vendor_name="V")
    [result] = run_json(SALMON_CREEK, "--program", "another")
    assert result["eligible"] is True and other.pk


@pytest.mark.django_db
def test_human_output_and_errors(us_registry, tmp_path):
    text = run(SALMON_CREEK, FAITH_SCHOOL)
    assert f"{SALMON_CREEK}  ELIGIBLE  SALMON CREEK HOUSING INC" in text
    assert f"{FAITH_SCHOOL}  NOT ELIGIBLE" in text and "excluded_education" in text
    assert "1 eligible, 1 not eligible, 0 need a review" in text
    with pytest.raises(CommandError):
        run(SALMON_CREEK, "--program", "no-such-program")
    with pytest.raises(CommandError):
        run()
    with pytest.raises(CommandError):
        run("--batch", str(tmp_path / "missing.txt"))
