"""Every rule's outcomes, on plain facts: no database."""

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from verification import rules
from verification.email_domains import is_disposable, is_free_mail, registered_domain
from verification.rules import ApplicantFacts, OrganisationFacts, ProgramRules

CAP = 10_000_000 * 100

PROGRAM = ProgramRules(
    slug="demo",
    budget_cap_minor=CAP,
    budget_currency="USD",
    exchange_rates={"GBP": Decimal("1.27"), "EUR": Decimal("1.08"), "JPY": Decimal("0.0067")},
    supported_countries=("US", "GB", "AU", "FR"),
    exclusions=("school", "higher_education", "government", "political"),
    sanctioned_countries=("CU", "IR", "KP", "SY", "RU", "BY"),
    education_program_url="https://vendor.example/edu",
    sales_contact_url="https://vendor.example/sales",
)

CHARITY = OrganisationFacts(
    org_id="US-EIN-020713689",
    name="SALMON CREEK HOUSING INC",
    country="US",
    status="active",
    categories=("public_charity",),
    raw_codes={"us-irs-bmf": {"SUBSECTION": "03", "FOUNDATION": "15"}},
    income_minor=5_886_700,
    income_currency="USD",
    income_period_end=date(2018, 6, 30),
    source="us-irs-bmf",
    source_imported_at=datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
)
UK_CHARITY = OrganisationFacts(
    org_id="GB-CHC-1000001",
    name="RIVERSIDE TRUST",
    country="GB",
    status="active",
    categories=("public_charity",),
    income_minor=120_000_00,
    income_currency="GBP",
    website="www.riversidetrust.org.uk",
    email_domain="riversidetrust.org.uk",
    source="gb-ccew",
)
APPLICANT = ApplicantFacts(
    declared_budget_minor=500_000_00, email="jo@riversidetrust.org.uk", email_verified=True, country="GB"
)


def outcome(verdict) -> tuple[str, str]:
    return verdict.outcome, verdict.code


# --- registered ------------------------------------------------------------------------------------------------


def test_registered_active_removed_unknown_and_manual():
    assert outcome(rules.check_registered(CHARITY)) == ("pass", "registered")
    removed = replace(
        CHARITY, status="removed", removed_on=date(2020, 5, 15), removal_reason="IRS automatic revocation"
    )
    verdict = rules.check_registered(removed)
    assert outcome(verdict) == ("fail", "registration_inactive")
    assert verdict.evidence["removed_on"] == "2020-05-15" and "(since May 15, 2020: " in str(verdict.message)
    assert verdict.message.params["date"] == {"date": "2020-05-15"}  # a value, written as the reader writes dates
    with translation.override("fr"):
        assert "15 mai 2020" in str(verdict.message)
    assert verdict.evidence["record"] == "US-EIN-020713689" and verdict.evidence["source_date"] == "2026-11-02"
    unknown = rules.check_registered(None, org_id="US-EIN-999999999")
    assert outcome(unknown) == ("fail", "not_registered") and "US-EIN-999999999" in str(unknown.message)
    assert outcome(rules.check_registered(None, is_manual=True)) == ("review", "manual_organisation_needs_documents")


# --- charitable status --------------------------------------------------------------------------------------------


def test_us_charitable_status_needs_501c3():
    assert outcome(rules.check_charitable_status(CHARITY)) == ("pass", "charitable_status_confirmed")
    social = replace(CHARITY, raw_codes={"us-irs-bmf": {"SUBSECTION": "04"}})
    verdict = rules.check_charitable_status(social)
    assert outcome(verdict) == ("fail", "not_charitable_status")
    assert verdict.evidence["field"] == "SUBSECTION" and verdict.evidence["value"] == "04"
    assert "501(c)(4)" in str(verdict.message)


def test_us_charitable_status_from_pub78_when_the_bmf_does_not_list_it():
    pub78 = replace(CHARITY, raw_codes={"us-irs-pub78": {"deductibility": ["PC"]}}, source="us-irs-pub78")
    assert outcome(rules.check_charitable_status(pub78)) == ("pass", "charitable_status_confirmed")
    lodge = replace(pub78, raw_codes={"us-irs-pub78": {"deductibility": ["EO", "LODGE"]}})
    assert outcome(rules.check_charitable_status(lodge)) == ("fail", "not_charitable_status")
    # The BMF is authoritative: a Pub 78 code does not override its subsection.
    both = replace(CHARITY, raw_codes={"us-irs-bmf": {"SUBSECTION": "04"}, "us-irs-pub78": {"deductibility": ["PC"]}})
    assert outcome(rules.check_charitable_status(both)) == ("fail", "not_charitable_status")


def test_other_countries_charity_register_is_the_status():
    assert outcome(rules.check_charitable_status(UK_CHARITY)) == ("pass", "charitable_status_confirmed")


# --- exclusions -----------------------------------------------------------------------------------------------------


def test_school_is_excluded_with_the_education_program():
    school = replace(CHARITY, categories=("public_charity", "school", "higher_education"))
    [verdict] = rules.check_exclusions(school, PROGRAM)  # school and university share one reason
    assert outcome(verdict) == ("fail", "excluded_education")
    assert verdict.evidence["education_program_url"] == "https://vendor.example/edu"
    assert "https://vendor.example/edu" in str(verdict.message)
    no_url = rules.check_exclusions(school, replace(PROGRAM, education_program_url=""))[0]
    assert "%(" not in str(no_url.message) and "education program" in str(no_url.message)


def test_government_and_political_each_give_a_reason():
    body = replace(CHARITY, categories=("public_charity", "government", "political"))
    assert [v.code for v in rules.check_exclusions(body, PROGRAM)] == ["excluded_government", "excluded_political"]


@pytest.mark.parametrize(
    ("category", "code"),
    [
        ("religious", "excluded_religious"),
        ("health", "excluded_health"),
        ("private_foundation", "excluded_private_foundation"),
        ("professional", "excluded_professional"),
    ],
)
def test_optional_exclusions_apply_only_when_the_program_switches_them_on(category, code):
    org = replace(CHARITY, categories=("public_charity", category))
    assert outcome(rules.check_exclusions(org, PROGRAM)[0]) == ("pass", "not_excluded")
    program = replace(PROGRAM, exclusions=(*PROGRAM.exclusions, category))
    assert outcome(rules.check_exclusions(org, program)[0]) == ("fail", code)


# --- budget ---------------------------------------------------------------------------------------------------------


def test_declared_budget_cap_is_inclusive():
    assert outcome(rules.check_declared_budget(PROGRAM, CAP)) == ("pass", "within_budget_cap")
    verdict = rules.check_declared_budget(PROGRAM, CAP + 1)
    assert outcome(verdict) == ("fail", "over_budget_cap")
    assert "$10,000,000.00" in str(verdict.message) and "https://vendor.example/sales" in str(verdict.message)
    assert outcome(rules.check_declared_budget(PROGRAM, None)) == ("review", "budget_not_declared")


def test_registry_income_in_the_program_currency():
    assert outcome(rules.check_registry_income(CHARITY, PROGRAM)) == ("pass", "within_budget_cap")
    big = replace(CHARITY, income_minor=11_928_732_00)  # ANCHORAGE SPORTSPLEX INC's revenue
    verdict = rules.check_registry_income(big, PROGRAM)
    assert outcome(verdict) == ("fail", "over_budget_cap")
    assert verdict.evidence["value"] == 11_928_732_00 and verdict.evidence["period_end"] == "2018-06-30"
    nothing = replace(CHARITY, income_minor=None, income_currency="")
    assert outcome(rules.check_registry_income(nothing, PROGRAM)) == ("pass", "no_registry_income")
    negative = replace(CHARITY, income_minor=-250_00)
    assert outcome(rules.check_registry_income(negative, PROGRAM)) == ("pass", "within_budget_cap")


def test_registry_income_converted_with_the_programs_rates():
    # £8,000,000 x 1.27 = $10,160,000: above the cap; £7,874,015 x 1.27 = $9,999,999.05: within.
    over = replace(UK_CHARITY, income_minor=8_000_000_00)
    verdict = rules.check_registry_income(over, PROGRAM)
    assert outcome(verdict) == ("fail", "over_budget_cap")
    assert verdict.evidence["converted_minor"] == 10_160_000_00 and verdict.evidence["rate"] == "1.27"
    assert "£8,000,000.00 ≈ $10,160,000.00" in str(verdict.message)
    within = rules.check_registry_income(replace(UK_CHARITY, income_minor=7_874_015_00), PROGRAM)
    assert outcome(within) == ("pass", "within_budget_cap") and within.evidence["converted_minor"] == 999_999_905
    # Currencies without cents: ¥1,000,000,000 x 0.0067 = $6,700,000.
    yen = replace(UK_CHARITY, income_minor=1_000_000_000, income_currency="JPY")
    assert rules.check_registry_income(yen, PROGRAM).evidence["converted_minor"] == 6_700_000_00
    assert rules.convert_minor(100, "EUR", PROGRAM) == 108


def test_income_in_a_currency_without_a_rate_goes_to_review():
    australian = replace(UK_CHARITY, country="AU", income_currency="AUD")
    verdict = rules.check_registry_income(australian, PROGRAM)
    assert outcome(verdict) == ("review", "budget_unverifiable") and "AUD" in str(verdict.message)


# --- countries -------------------------------------------------------------------------------------------------------


def test_sanctioned_and_unsupported_countries():
    assert outcome(rules.check_sanctioned_country(PROGRAM, "IR")) == ("fail", "sanctioned_country")
    assert outcome(rules.check_sanctioned_country(PROGRAM, "US", CHARITY)) == ("pass", "not_sanctioned")
    assert outcome(rules.check_country_supported(PROGRAM, "NZ")) == ("fail", "country_not_supported")
    assert outcome(rules.check_country_supported(PROGRAM, "GB", UK_CHARITY)) == ("pass", "country_supported")
    everywhere = replace(PROGRAM, supported_countries=())
    assert outcome(rules.check_country_supported(everywhere, "NZ")) == ("pass", "country_supported")


# --- the representative -------------------------------------------------------------------------------------------


def test_email_must_be_verified():
    assert outcome(rules.check_email_verified(APPLICANT)) == ("pass", "email_verified")
    unverified = replace(APPLICANT, email_verified=False)
    assert outcome(rules.check_email_verified(unverified)) == ("fail", "email_not_verified")


@pytest.mark.parametrize("email", ["jo@riversidetrust.org.uk", "Jo@Mail.RiversideTrust.org.uk"])
def test_email_on_the_organisations_domain_passes(email):
    verdict = rules.check_email_domain(replace(APPLICANT, email=email), UK_CHARITY)
    assert outcome(verdict) == ("pass", "email_domain_matches")
    assert verdict.evidence["field"] == "website" and verdict.evidence["email_domain"] == "riversidetrust.org.uk"


def test_email_domain_matches_the_registered_email_domain_when_there_is_no_website():
    org = replace(UK_CHARITY, website="")
    verdict = rules.check_email_domain(APPLICANT, org)
    assert outcome(verdict) == ("pass", "email_domain_matches") and verdict.evidence["field"] == "email_domain"


@pytest.mark.parametrize(
    "email",
    [
        "jo@gmail.com",
        "jo@hotmail.fr",
        "jo@yahoo.co.uk",
        "jo@orange.fr",
        "jo@btinternet.com",
        "jo@gmx.de",
        "jo@proton.me",
        "jo@icloud.com",
    ],
)
def test_free_mail_needs_review(email):
    verdict = rules.check_email_domain(replace(APPLICANT, email=email), UK_CHARITY)
    assert outcome(verdict) == ("review", "email_domain_unverified") and verdict.evidence["kind"] == "free_mail"


def test_a_charity_registered_with_a_free_mail_address_proves_nothing():
    org = replace(UK_CHARITY, website="", email_domain="gmail.com")
    assert outcome(rules.check_email_domain(replace(APPLICANT, email="x@gmail.com"), org)) == (
        "review",
        "email_domain_unverified",
    )


def test_disposable_and_other_domains_need_review():
    disposable = rules.check_email_domain(replace(APPLICANT, email="jo@mailinator.com"), UK_CHARITY)
    assert outcome(disposable) == ("review", "email_disposable")
    other = rules.check_email_domain(replace(APPLICANT, email="jo@another-charity.org"), UK_CHARITY)
    assert outcome(other) == ("review", "email_domain_unverified") and other.evidence["kind"] == "different"
    unknown = rules.check_email_domain(replace(APPLICANT, email="jo@salmoncreek.org"), CHARITY)  # BMF: no website
    assert outcome(unknown) == ("review", "email_domain_unverified") and unknown.evidence["kind"] == "unknown"


def test_domain_helpers_work_offline():
    assert registered_domain("https://www.charity.org.uk/about?x=1") == "charity.org.uk"
    assert registered_domain("jo@a.b.example.com.au") == "example.com.au"
    assert registered_domain("") == ""
    assert is_free_mail("someone@hotmail.co.uk") and not is_free_mail("someone@hotmail-charity.org")
    assert is_disposable("x@mailinator.com") and not is_disposable("x@gmail.com")


# --- duplicates and the decision -----------------------------------------------------------------------------------


def test_duplicates():
    assert outcome(rules.check_duplicates(org_id="X", has_active_coupon=True)) == ("fail", "duplicate_active_coupon")
    assert outcome(rules.check_duplicates(org_id="X", has_active_coupon=False, has_open_application=True)) == (
        "review",
        "duplicate_open_application",
    )
    assert outcome(rules.check_duplicates(org_id="X", has_active_coupon=False)) == ("pass", "no_duplicate")


def _checks(org, applicant=APPLICANT, **duplicates):
    return rules.application_checks(
        org=org,
        program=PROGRAM,
        applicant=applicant,
        has_active_coupon=duplicates.get("coupon", False),
        has_open_application=duplicates.get("open", False),
    )


def test_decide_approves_when_everything_passes():
    verdicts = _checks(UK_CHARITY)
    assert {v.outcome for v in verdicts} == {"pass"}
    assert rules.decide(verdicts) == rules.Decision("approve", ())


def test_decide_rejects_with_every_failure_even_when_something_needs_review():
    school = replace(UK_CHARITY, categories=("school",), income_minor=9_000_000_00)
    decision = rules.decide(_checks(school, replace(APPLICANT, email="x@gmail.com")))
    assert decision.outcome == "reject"
    assert [v.code for v in decision.reasons] == ["excluded_education", "over_budget_cap"]


def test_decide_sends_doubts_to_review():
    decision = rules.decide(_checks(UK_CHARITY, replace(APPLICANT, email="x@gmail.com"), open=True))
    assert decision.outcome == "review"
    assert [v.code for v in decision.reasons] == ["email_domain_unverified", "duplicate_open_application"]


def test_manual_organisation_goes_to_review_with_the_applicants_country():
    manual = replace(APPLICANT, is_manual=True, country="FR", email="jo@asso-exemple.fr")
    verdicts = _checks(None, manual)
    assert [v.rule for v in verdicts] == [
        "registered",
        "declared_budget",
        "sanctioned_country",
        "supported_country",
        "email_verified",
        "email_domain",
        "duplicates",
    ]
    decision = rules.decide(verdicts)
    assert decision.outcome == "review" and decision.reasons[0].code == "manual_organisation_needs_documents"
    assert rules.decide(_checks(None, replace(manual, country="IR"))).outcome == "reject"


def test_organisation_checks_without_an_applicant():
    assert [
        v.code for v in rules.organisation_checks(org=None, program=PROGRAM, has_active_coupon=False, org_id="US-EIN-1")
    ] == ["not_registered"]
    verdicts = rules.organisation_checks(org=CHARITY, program=PROGRAM, has_active_coupon=True)
    assert [v.rule for v in verdicts] == [
        "registered",
        "charitable_status",
        "exclusions",
        "registry_income",
        "sanctioned_country",
        "supported_country",
        "duplicates",
    ]
    assert rules.decide(verdicts).reasons[0].code == "duplicate_active_coupon"


def test_every_verdict_is_json_and_its_message_is_resolved():
    verdicts = [
        *_checks(UK_CHARITY),
        *_checks(
            replace(CHARITY, categories=("school", "government")),
            replace(APPLICANT, email="x@mailinator.com", email_verified=False),
        ),
        *_checks(None, replace(APPLICANT, is_manual=True)),
    ]
    for verdict in verdicts:
        data = json.loads(json.dumps(verdict.as_dict()))
        assert data["message"] and "%(" not in data["message"]
        assert {"record", "field", "value", "source", "source_date"} <= data["evidence"].keys()
