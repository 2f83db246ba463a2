"""Eligibility rules: pure functions over plain facts, each returning a verdict that explains itself.

No database access here: the services gather the facts (the registry record, the program, the applicant, and the
two duplicate questions as booleans) and store the verdicts. Codes are stable (the API, emails and reviewers
rely on them); messages are for people and are translated when shown. The table is in docs/verification.md.

The rules live by subject in this package (facts, organisation, representative); this module puts them
together and is what callers import.
"""

from collections.abc import Iterable

from verification.rules.explanations import TEMPLATES, Explanation, explain, explanation_render
from verification.rules.facts import (
    EXCLUSION_CODES,
    FAIL,
    PASS,
    PUB78_501C3_CODES,
    REVIEW,
    RULES_VERSION,
    ApplicantFacts,
    ContactFacts,
    Decision,
    DomainProofFacts,
    OrganisationFacts,
    Outcome,
    ProgramRules,
    ReceiptFacts,
    Verdict,
    applicant_evidence,
    org_evidence,
)
from verification.rules.organisation import (
    check_charitable_status,
    check_country_supported,
    check_declared_budget,
    check_exclusions,
    check_registered,
    check_registry_income,
    check_sanctioned_country,
    convert_minor,
)
from verification.rules.representative import (
    apply_trusted_receipt,
    check_duplicates,
    check_email_domain,
    check_email_verified,
    domain_control_verdict,
    published_contact_verdict,
)

# --- putting them together ------------------------------------------------------------------------------------


def organisation_checks(
    *, org: OrganisationFacts | None, program: ProgramRules, has_active_coupon: bool | None, org_id: str = ""
) -> list[Verdict]:
    """What the register alone settles (the `eligibility` command, the public pre-check): no applicant, no declared
    budget. `has_active_coupon=None`: the duplicate question is not asked (the public pre-check does not say who
    holds a coupon; docs/decisions.md)."""
    if org is None:
        return [check_registered(None, org_id=org_id)]
    verdicts = [
        check_registered(org),
        check_charitable_status(org),
        *check_exclusions(org, program),
        check_registry_income(org, program),
        check_sanctioned_country(program, org.country, org),
        check_country_supported(program, org.country, org),
    ]
    if has_active_coupon is not None:
        verdicts.append(check_duplicates(org_id=org.org_id, has_active_coupon=has_active_coupon))
    return verdicts


def manual_organisation_checks(*, program: ProgramRules, country: str) -> list[Verdict]:
    """An organisation added by hand, before the applicant's details: no register settles it (a reviewer reads its
    documents), its country is settled as `application_checks` settles it."""
    return [
        check_registered(None, is_manual=True),
        check_sanctioned_country(program, country),
        check_country_supported(program, country),
    ]


def application_checks(
    *,
    org: OrganisationFacts | None,
    program: ProgramRules,
    applicant: ApplicantFacts,
    has_active_coupon: bool,
    has_open_application: bool,
) -> list[Verdict]:
    verdicts = [check_registered(org, is_manual=applicant.is_manual)]
    if org is not None:
        verdicts += [check_charitable_status(org), *check_exclusions(org, program)]
    verdicts.append(check_declared_budget(program, applicant.declared_budget_minor))
    if org is not None:
        verdicts.append(check_registry_income(org, program))
    country = org.country if org is not None else applicant.country
    verdicts += [
        check_sanctioned_country(program, country, org),
        check_country_supported(program, country, org),
        check_email_verified(applicant),
        check_email_domain(applicant, org),
        check_duplicates(
            org_id=org.org_id if org else "",
            has_active_coupon=has_active_coupon,
            has_open_application=has_open_application,
        ),
    ]
    return apply_trusted_receipt(verdicts, applicant, org.org_id if org else "")


def decide(verdicts: Iterable[Verdict]) -> Decision:
    """Any failure rejects (with every failure as a reason); else anything doubtful goes to a reviewer."""
    verdicts = list(verdicts)
    failures = tuple(v for v in verdicts if v.outcome == FAIL)
    if failures:
        return Decision("reject", failures)
    reviews = tuple(v for v in verdicts if v.outcome == REVIEW)
    if reviews:
        return Decision("review", reviews)
    return Decision("approve", ())


__all__ = [
    "EXCLUSION_CODES",
    "FAIL",
    "PASS",
    "PUB78_501C3_CODES",
    "REVIEW",
    "RULES_VERSION",
    "TEMPLATES",
    "ApplicantFacts",
    "ContactFacts",
    "Decision",
    "DomainProofFacts",
    "Explanation",
    "OrganisationFacts",
    "Outcome",
    "ProgramRules",
    "ReceiptFacts",
    "Verdict",
    "applicant_evidence",
    "application_checks",
    "apply_trusted_receipt",
    "check_charitable_status",
    "check_country_supported",
    "check_declared_budget",
    "check_duplicates",
    "check_email_domain",
    "check_email_verified",
    "check_exclusions",
    "check_registered",
    "check_registry_income",
    "check_sanctioned_country",
    "convert_minor",
    "decide",
    "domain_control_verdict",
    "explain",
    "explanation_render",
    "manual_organisation_checks",
    "org_evidence",
    "organisation_checks",
    "published_contact_verdict",
]
