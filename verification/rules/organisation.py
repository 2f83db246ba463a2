"""Rules about the organisation: its register, charitable status, exclusions, budget and country."""

from decimal import Decimal
from typing import Any

from core.money import minor_exponent, to_minor
from verification.rules.explanations import TEMPLATES, Explanation, day, explain, money
from verification.rules.explanations import country as country_param
from verification.rules.facts import (
    EXCLUSION_CODES,
    FAIL,
    PASS,
    PUB78_501C3_CODES,
    REVIEW,
    OrganisationFacts,
    ProgramRules,
    Verdict,
    _day,
    applicant_evidence,
    org_evidence,
)

# --- the organisation and its register ----------------------------------------------------------------------


def check_registered(org: OrganisationFacts | None, *, org_id: str = "", is_manual: bool = False) -> Verdict:
    if org is None and is_manual:
        return Verdict(
            "registered",
            REVIEW,
            "manual_organisation_needs_documents",
            explain("manual_organisation_needs_documents"),
            applicant_evidence("organisation", None),
        )
    if org is None:
        return Verdict(
            "registered",
            FAIL,
            "not_registered",
            explain("not_registered", org_id=org_id or "?"),
            {"record": org_id, "field": "org_id", "value": None, "source": None, "source_date": None},
        )
    if org.status != "active":
        return Verdict(
            "registered",
            FAIL,
            "registration_inactive",
            explain("registration_inactive", name=org.name, date=day(org.removed_on), reason=org.removal_reason or "?"),
            org_evidence(org, "status", org.status, removed_on=_day(org.removed_on), removal_reason=org.removal_reason),
        )
    return Verdict(
        "registered",
        PASS,
        "registered",
        explain("registered", name=org.name, source=org.source),
        org_evidence(org, "status", org.status),
    )


def check_charitable_status(org: OrganisationFacts) -> Verdict:
    """US: a 501(c)(3) organisation. Elsewhere the registers Vouch imports are charity registers: being on one
    (and active, which check_registered decides) is the status."""
    if org.country != "US":
        return Verdict(
            "charitable_status",
            PASS,
            "charitable_status_confirmed",
            explain("charitable_status_confirmed", name=org.name, source=org.source),
            org_evidence(org, "source", org.source),
        )
    bmf = org.raw_codes.get("us-irs-bmf")
    if bmf is not None:  # the BMF is the authoritative US register: when it lists the organisation, it decides
        subsection = bmf.get("SUBSECTION", "")
        evidence = org_evidence(org, "SUBSECTION", subsection, source="us-irs-bmf")
        if subsection == "03":
            return Verdict(
                "charitable_status",
                PASS,
                "charitable_status_confirmed",
                explain("charitable_status_confirmed.bmf"),
                evidence,
            )
        return Verdict(
            "charitable_status",
            FAIL,
            "not_charitable_status",
            explain("not_charitable_status.bmf", subsection=subsection.lstrip("0") or "?"),
            evidence,
        )
    pub78 = org.raw_codes.get("us-irs-pub78") or {}
    codes = sorted(set(pub78.get("deductibility") or []))
    if PUB78_501C3_CODES.intersection(codes):
        return Verdict(
            "charitable_status",
            PASS,
            "charitable_status_confirmed",
            explain("charitable_status_confirmed.pub78"),
            org_evidence(org, "deductibility", codes, source="us-irs-pub78"),
        )
    revocation = org.raw_codes.get("us-irs-revocations") or {}
    if revocation.get("exemption_type") == "03" and revocation.get("reinstated_on"):
        return Verdict(
            "charitable_status",
            PASS,
            "charitable_status_confirmed",
            explain("charitable_status_confirmed.reinstated"),
            org_evidence(
                org, "exemption_type", "03", source="us-irs-revocations", reinstated_on=revocation.get("reinstated_on")
            ),
        )
    return Verdict(
        "charitable_status",
        FAIL,
        "not_charitable_status",
        explain("not_charitable_status"),
        org_evidence(org, "deductibility", codes or None),
    )


def check_exclusions(org: OrganisationFacts, program: ProgramRules) -> list[Verdict]:
    """One failing verdict per excluded kind the organisation is, or one pass."""
    failures: dict[str, Verdict] = {}
    for category in program.exclusions:
        if category not in org.categories:
            continue
        code = EXCLUSION_CODES.get(category, f"excluded_{category}")
        if code in failures:
            continue
        evidence = org_evidence(org, "categories", list(org.categories), raw_codes=org.raw_codes.get(org.source))
        if code == "excluded_education":
            evidence["education_program_url"] = program.education_program_url
            text = (
                explain("excluded_education.url", url=program.education_program_url)
                if program.education_program_url
                else explain("excluded_education")
            )
        else:
            text = explain(code) if code in TEMPLATES else explain("excluded", category=category)
        failures[code] = Verdict("exclusions", FAIL, code, text, evidence)
    if failures:
        return list(failures.values())
    return [
        Verdict(
            "exclusions",
            PASS,
            "not_excluded",
            explain("not_excluded"),
            org_evidence(org, "categories", list(org.categories), excluded=list(program.exclusions)),
        )
    ]


# --- budget ---------------------------------------------------------------------------------------------------


def _over_cap(program: ProgramRules, amount: dict | list, *, reported: bool = False) -> Explanation:
    """Above the cap: no self-serve discount; the sales contact is the way forward."""
    key = "over_budget_cap.reported" if reported else "over_budget_cap.declared"
    params = {"amount": amount, "cap": money(program.budget_cap_minor, program.budget_currency)}
    if program.sales_contact_url:
        return explain(f"{key}.sales", sales=program.sales_contact_url, **params)
    return explain(key, **params)


def check_declared_budget(program: ProgramRules, declared_budget_minor: int | None) -> Verdict:
    evidence = applicant_evidence(
        "declared_budget_minor",
        declared_budget_minor,
        currency=program.budget_currency,
        cap_minor=program.budget_cap_minor,
    )
    if declared_budget_minor is None:
        return Verdict(
            "declared_budget",
            REVIEW,
            "budget_not_declared",
            explain("budget_not_declared"),
            evidence,
        )
    if declared_budget_minor > program.budget_cap_minor:  # the cap is inclusive
        return Verdict(
            "declared_budget",
            FAIL,
            "over_budget_cap",
            _over_cap(program, money(declared_budget_minor, program.budget_currency)),
            evidence,
        )
    return Verdict(
        "declared_budget",
        PASS,
        "within_budget_cap",
        explain("within_budget_cap"),
        evidence,
    )


def convert_minor(amount_minor: int, currency: str, program: ProgramRules) -> int | None:
    """An amount in the program's currency (half-up, once), or None when no rate is configured."""
    currency = currency.upper()
    target = program.budget_currency.upper()
    if currency == target:
        return amount_minor
    rate = program.exchange_rates.get(currency)
    if rate is None:
        return None
    major = Decimal(amount_minor) / (10 ** minor_exponent(currency))
    return to_minor(major * Decimal(rate), target)


def check_registry_income(org: OrganisationFacts, program: ProgramRules) -> Verdict:
    evidence = org_evidence(
        org,
        "income_minor",
        org.income_minor,
        currency=org.income_currency or None,
        period_end=_day(org.income_period_end),
        cap_minor=program.budget_cap_minor,
        cap_currency=program.budget_currency,
    )
    if org.income_minor is None:
        return Verdict(
            "registry_income",
            PASS,
            "no_registry_income",
            explain("no_registry_income"),
            evidence,
        )
    converted = convert_minor(org.income_minor, org.income_currency or program.budget_currency, program)
    if converted is None:
        return Verdict(
            "registry_income",
            REVIEW,
            "budget_unverifiable",
            explain("budget_unverifiable", currency=org.income_currency),
            evidence,
        )
    evidence.update(converted_minor=converted, rate=str(program.exchange_rates.get(org.income_currency.upper(), 1)))
    if converted > program.budget_cap_minor:
        amount: dict | list = money(converted, program.budget_currency)
        if (org.income_currency or program.budget_currency).upper() != program.budget_currency.upper():
            amount = [money(org.income_minor, org.income_currency), amount]  # "£… ≈ $…"
        return Verdict("registry_income", FAIL, "over_budget_cap", _over_cap(program, amount, reported=True), evidence)
    return Verdict(
        "registry_income",
        PASS,
        "within_budget_cap",
        explain("within_budget_cap.reported"),
        evidence,
    )


# --- country ---------------------------------------------------------------------------------------------------


def _country_evidence(org: OrganisationFacts | None, country: str, **extra) -> dict[str, Any]:
    return org_evidence(org, "country", country, **extra) if org else applicant_evidence("country", country, **extra)


def check_sanctioned_country(program: ProgramRules, country: str, org: OrganisationFacts | None = None) -> Verdict:
    evidence = _country_evidence(org, country, sanctioned=list(program.sanctioned_countries))
    if country.upper() in program.sanctioned_countries:
        return Verdict(
            "sanctioned_country",
            FAIL,
            "sanctioned_country",
            explain("sanctioned_country", country=country_param(country)),
            evidence,
        )
    return Verdict("sanctioned_country", PASS, "not_sanctioned", explain("not_sanctioned"), evidence)


def check_country_supported(program: ProgramRules, country: str, org: OrganisationFacts | None = None) -> Verdict:
    evidence = _country_evidence(org, country, supported=list(program.supported_countries))
    if program.supported_countries and country.upper() not in program.supported_countries:
        return Verdict(
            "supported_country",
            FAIL,
            "country_not_supported",
            explain("country_not_supported", country=country_param(country)),
            evidence,
        )
    return Verdict("supported_country", PASS, "country_supported", explain("country_supported"), evidence)
