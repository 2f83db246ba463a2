"""Eligibility rules: pure functions over plain facts, each returning a verdict that explains itself.

No database access here: the services gather the facts (the registry record, the program, the applicant, and the
two duplicate questions as booleans) and store the verdicts. Codes are stable (the API, emails and reviewers
rely on them); messages are for people and are translated when shown. The table is in docs/verification.md.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from core.money import format_minor, minor_exponent, to_minor
from verification.email_domains import is_disposable, is_free_mail, registered_domain

# Named in decision receipts: bump when a rule changes what it decides (docs/verification.md lists the changes).
# 2026-12: domain control and published-contact confirmation settle the representative check; trusted receipts.
RULES_VERSION = "2026-12"

Outcome = Literal["pass", "fail", "review"]
PASS: Outcome = "pass"  # noqa: S105 (an outcome, not a password)
FAIL: Outcome = "fail"
REVIEW: Outcome = "review"

# Pub 78 deductibility codes held only by 501(c)(3) organisations (public charities, supporting organisations,
# private foundations); EO, LODGE, GROUP… are other 170(c) organisations or say how the exemption is held.
PUB78_501C3_CODES = frozenset({"PC", "POF", "PF", "SO", "SONFI", "SOUNK"})

# Excluded category (registry.categories) -> reason code. Schools and universities share one code: the applicant is
# pointed to the same education program either way.
EXCLUSION_CODES = {
    "school": "excluded_education",
    "higher_education": "excluded_education",
    "government": "excluded_government",
    "political": "excluded_political",
    "religious": "excluded_religious",
    "health": "excluded_health",
    "private_foundation": "excluded_private_foundation",
    "professional": "excluded_professional",
}
EXCLUSION_MESSAGES = {
    "excluded_government": _("Government bodies and public agencies are not eligible for this program."),
    "excluded_political": _(
        "Political parties and political campaigning organisations are not eligible for this program."
    ),
    "excluded_religious": _("Religious organisations are not eligible for this program."),
    "excluded_health": _("Hospitals and health-care providers are not eligible for this program."),
    "excluded_private_foundation": _("Private foundations are not eligible for this program."),
    "excluded_professional": _(
        "Professional associations, trade associations and unions are not eligible for this program."
    ),
}


@dataclass(frozen=True)
class OrganisationFacts:
    org_id: str
    name: str
    country: str
    status: str
    removed_on: date | None = None
    removal_reason: str = ""
    categories: tuple[str, ...] = ()
    raw_codes: Mapping[str, Any] = field(default_factory=dict)
    income_minor: int | None = None
    income_currency: str = ""
    income_period_end: date | None = None
    website: str = ""
    email_domain: str = ""
    source: str = ""
    source_imported_at: datetime | None = None


@dataclass(frozen=True)
class ProgramRules:
    slug: str
    budget_cap_minor: int
    budget_currency: str = "USD"
    exchange_rates: Mapping[str, Decimal] = field(default_factory=dict)  # budget-currency units per unit
    supported_countries: tuple[str, ...] = ()  # empty: every country
    exclusions: tuple[str, ...] = ()
    sanctioned_countries: tuple[str, ...] = ()
    education_program_url: str = ""
    sales_contact_url: str = ""


@dataclass(frozen=True)
class DomainProofFacts:
    """The applicant showed control of `domain` (ASCII, registered domain) and it is tied to the organisation."""

    domain: str
    method: str  # dns_txt | well_known
    verified_at: datetime
    tie: Mapping[str, Any] = field(default_factory=dict)  # how the domain is the organisation's (evidence)
    checked: Mapping[str, Any] = field(default_factory=dict)  # the check that showed control (evidence)


@dataclass(frozen=True)
class ContactFacts:
    """The published contact's answer: "confirmed", "denied" or "pending"."""

    state: str
    email: str
    source: str
    answered_at: datetime | None = None


@dataclass(frozen=True)
class ReceiptFacts:
    """A valid receipt from an issuer the program trusts, for this organisation: the checks it covers pass."""

    issuer: str
    receipt_id: str
    org_id: str
    covers: tuple[str, ...]  # rule names
    valid_until: datetime | None = None
    # The domain the issuer proved the representative's email at; the representative check is settled only for an
    # applicant who proves an email at that same domain (the receipt names no person).
    representative_domain: str = ""


@dataclass(frozen=True)
class ApplicantFacts:
    declared_budget_minor: int | None
    email: str
    email_verified: bool
    is_manual: bool = False
    country: str = ""
    domain_proof: DomainProofFacts | None = None
    contact: ContactFacts | None = None
    receipt: ReceiptFacts | None = None


@dataclass(frozen=True)
class Verdict:
    rule: str
    outcome: Outcome
    code: str
    message: Any  # a lazy translatable string: rendered in the language active where it is shown
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "outcome": self.outcome,
            "code": self.code,
            "message": str(self.message),
            "evidence": self.evidence,
        }

    def as_reason(self) -> dict[str, str]:
        return {"code": self.code, "message": str(self.message)}


@dataclass(frozen=True)
class Decision:
    outcome: Literal["approve", "reject", "review"]
    reasons: tuple[Verdict, ...] = ()


def _render(text, params: dict[str, Any]) -> str:
    return str(text) % {key: str(value) if isinstance(value, Promise) else value for key, value in params.items()}


_lazy_render = lazy(_render, str)


def message(text, **params) -> Any:
    """`text % params`, translated when it is turned into a string (not now, in whatever language is active)."""
    return _lazy_render(text, params) if params else text


def _day(value: date | datetime | None) -> str | None:
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat() if value else None


def org_evidence(org: OrganisationFacts, field_name: str, value: Any, **extra) -> dict[str, Any]:
    """Which record, which field, which value, from which source as imported when."""
    return {
        "record": org.org_id,
        "field": field_name,
        "value": value,
        "source": org.source,
        "source_date": _day(org.source_imported_at),
        **extra,
    }


def applicant_evidence(field_name: str, value: Any, **extra) -> dict[str, Any]:
    return {
        "record": "application",
        "field": field_name,
        "value": value,
        "source": "applicant",
        "source_date": None,
        **extra,
    }


# --- the organisation and its register ----------------------------------------------------------------------


def check_registered(org: OrganisationFacts | None, *, org_id: str = "", is_manual: bool = False) -> Verdict:
    if org is None and is_manual:
        return Verdict(
            "registered",
            REVIEW,
            "manual_organisation_needs_documents",
            _(
                "The organisation was added by hand, not found in a register: documents proving its "
                "registration are needed and a reviewer will check them."
            ),
            applicant_evidence("organisation", None),
        )
    if org is None:
        return Verdict(
            "registered",
            FAIL,
            "not_registered",
            message(
                _("No organisation with the identifier %(org_id)s is in the registers Vouch uses."),
                org_id=org_id or "?",
            ),
            {"record": org_id, "field": "org_id", "value": None, "source": None, "source_date": None},
        )
    if org.status != "active":
        return Verdict(
            "registered",
            FAIL,
            "registration_inactive",
            message(
                _("%(name)s is no longer active in its register (since %(date)s: %(reason)s)."),
                name=org.name,
                date=_day(org.removed_on) or "?",
                reason=org.removal_reason or "?",
            ),
            org_evidence(org, "status", org.status, removed_on=_day(org.removed_on), removal_reason=org.removal_reason),
        )
    return Verdict(
        "registered",
        PASS,
        "registered",
        message(_("%(name)s is registered and active (%(source)s)."), name=org.name, source=org.source),
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
            message(_("%(name)s is on the charity register %(source)s."), name=org.name, source=org.source),
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
                _("The IRS lists the organisation as a 501(c)(3) organisation."),
                evidence,
            )
        return Verdict(
            "charitable_status",
            FAIL,
            "not_charitable_status",
            message(
                _(
                    "The IRS lists the organisation under section 501(c)(%(subsection)s), not "
                    "501(c)(3): only 501(c)(3) organisations are eligible."
                ),
                subsection=subsection.lstrip("0") or "?",
            ),
            evidence,
        )
    pub78 = org.raw_codes.get("us-irs-pub78") or {}
    codes = sorted(set(pub78.get("deductibility") or []))
    if PUB78_501C3_CODES.intersection(codes):
        return Verdict(
            "charitable_status",
            PASS,
            "charitable_status_confirmed",
            _("IRS Publication 78 lists the organisation as a 501(c)(3) organisation."),
            org_evidence(org, "deductibility", codes, source="us-irs-pub78"),
        )
    revocation = org.raw_codes.get("us-irs-revocations") or {}
    if revocation.get("exemption_type") == "03" and revocation.get("reinstated_on"):
        return Verdict(
            "charitable_status",
            PASS,
            "charitable_status_confirmed",
            _("The IRS reinstated the organisation's 501(c)(3) exemption."),
            org_evidence(
                org, "exemption_type", "03", source="us-irs-revocations", reinstated_on=revocation.get("reinstated_on")
            ),
        )
    return Verdict(
        "charitable_status",
        FAIL,
        "not_charitable_status",
        _(
            "No IRS record shows the organisation as a 501(c)(3) organisation: only 501(c)(3) "
            "organisations are eligible."
        ),
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
                message(
                    _(
                        "Schools, colleges and universities are not eligible for the nonprofit discount; the "
                        "education program is meant for them: %(url)s"
                    ),
                    url=program.education_program_url,
                )
                if program.education_program_url
                else _(
                    "Schools, colleges and universities are not eligible for the nonprofit discount; ask the "
                    "vendor about its education program."
                )
            )
        else:
            text = EXCLUSION_MESSAGES.get(code) or message(
                _("Organisations of this kind (%(category)s) are not eligible for this program."), category=category
            )
        failures[code] = Verdict("exclusions", FAIL, code, text, evidence)
    if failures:
        return list(failures.values())
    return [
        Verdict(
            "exclusions",
            PASS,
            "not_excluded",
            _("The organisation is not of a kind this program excludes."),
            org_evidence(org, "categories", list(org.categories), excluded=list(program.exclusions)),
        )
    ]


# --- budget ---------------------------------------------------------------------------------------------------


def _over_cap(program: ProgramRules, amount: str, *, reported: bool = False) -> Any:
    """Above the cap: no self-serve discount; the sales contact is the way forward."""
    params = {
        "amount": amount,
        "cap": format_minor(program.budget_cap_minor, program.budget_currency),
        "sales": program.sales_contact_url or "-",
    }
    if reported and program.sales_contact_url:
        text = _(
            "The register reports an income of %(amount)s, above the program's cap of %(cap)s: the "
            "self-serve discount is not available; the vendor's sales team can help: %(sales)s"
        )
    elif reported:
        text = _(
            "The register reports an income of %(amount)s, above the program's cap of %(cap)s: the "
            "self-serve discount is not available; please contact the vendor's sales team."
        )
    elif program.sales_contact_url:
        text = _(
            "The annual budget (%(amount)s) is above the program's cap of %(cap)s: the self-serve "
            "discount is not available; the vendor's sales team can help: %(sales)s"
        )
    else:
        text = _(
            "The annual budget (%(amount)s) is above the program's cap of %(cap)s: the self-serve "
            "discount is not available; please contact the vendor's sales team."
        )
    return message(text, **params)


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
            _("The applicant did not declare the organisation's annual budget."),
            evidence,
        )
    if declared_budget_minor > program.budget_cap_minor:  # the cap is inclusive
        return Verdict(
            "declared_budget",
            FAIL,
            "over_budget_cap",
            _over_cap(program, format_minor(declared_budget_minor, program.budget_currency)),
            evidence,
        )
    return Verdict(
        "declared_budget",
        PASS,
        "within_budget_cap",
        _("The declared annual budget is within the program's cap."),
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
            _("The register reports no income for the organisation; the declared budget is used."),
            evidence,
        )
    converted = convert_minor(org.income_minor, org.income_currency or program.budget_currency, program)
    if converted is None:
        return Verdict(
            "registry_income",
            REVIEW,
            "budget_unverifiable",
            message(
                _(
                    "The register reports income in %(currency)s and the program has no exchange rate "
                    "for it: a reviewer compares it with the cap."
                ),
                currency=org.income_currency,
            ),
            evidence,
        )
    evidence.update(converted_minor=converted, rate=str(program.exchange_rates.get(org.income_currency.upper(), 1)))
    if converted > program.budget_cap_minor:
        amount = format_minor(converted, program.budget_currency)
        if (org.income_currency or program.budget_currency).upper() != program.budget_currency.upper():
            amount = f"{format_minor(org.income_minor, org.income_currency)} ≈ {amount}"
        return Verdict("registry_income", FAIL, "over_budget_cap", _over_cap(program, amount, reported=True), evidence)
    return Verdict(
        "registry_income",
        PASS,
        "within_budget_cap",
        _("The income the register reports is within the program's cap."),
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
            message(_("Organisations registered in %(country)s cannot be served (sanctions)."), country=country),
            evidence,
        )
    return Verdict(
        "sanctioned_country", PASS, "not_sanctioned", _("The organisation's country is not under sanctions."), evidence
    )


def check_country_supported(program: ProgramRules, country: str, org: OrganisationFacts | None = None) -> Verdict:
    evidence = _country_evidence(org, country, supported=list(program.supported_countries))
    if program.supported_countries and country.upper() not in program.supported_countries:
        return Verdict(
            "supported_country",
            FAIL,
            "country_not_supported",
            message(_("The program does not yet serve organisations registered in %(country)s."), country=country),
            evidence,
        )
    return Verdict(
        "supported_country", PASS, "country_supported", _("The program serves organisations of this country."), evidence
    )


# --- the representative ----------------------------------------------------------------------------------------


def check_email_verified(applicant: ApplicantFacts) -> Verdict:
    evidence = applicant_evidence("email", applicant.email, verified=applicant.email_verified)
    if not applicant.email_verified:
        return Verdict(
            "email_verified",
            FAIL,
            "email_not_verified",
            _("The applicant has not proved control of the email address."),
            evidence,
        )
    return Verdict(
        "email_verified", PASS, "email_verified", _("The applicant proved control of the email address."), evidence
    )


def check_email_domain(applicant: ApplicantFacts, org: OrganisationFacts | None) -> Verdict:
    """The organisation's own domain is evidence the applicant speaks for it; anything else is for a reviewer."""
    domain = registered_domain(applicant.email)
    evidence = applicant_evidence("email_domain", domain)
    if is_disposable(applicant.email):
        return Verdict(
            "email_domain",
            REVIEW,
            "email_disposable",
            _("The email address is on a disposable-mail domain; a reviewer checks the applicant."),
            {**evidence, "kind": "disposable"},
        )
    answered = published_contact_verdict(applicant)
    if answered is not None:  # the organisation itself answered, whatever the applicant's address
        return answered
    if is_free_mail(applicant.email):
        return Verdict(
            "email_domain",
            REVIEW,
            "email_domain_unverified",
            _(
                "The email address is on a free-mail service, which says nothing about the "
                "organisation; a reviewer checks the applicant."
            ),
            {**evidence, "kind": "free_mail"},
        )
    if org is None:
        return Verdict(
            "email_domain",
            REVIEW,
            "email_domain_unverified",
            _("There is no register record to compare the email domain with; a reviewer checks it."),
            {**evidence, "kind": "no_record"},
        )
    known = [("website", org.website, registered_domain(org.website))]
    if org.email_domain and not is_free_mail(org.email_domain):  # a charity using gmail proves nothing
        known.append(("email_domain", org.email_domain, registered_domain(org.email_domain)))
    for field_name, value, registered in known:
        if registered and registered == domain:
            return Verdict(
                "email_domain",
                PASS,
                "email_domain_matches",
                message(
                    _("The email domain %(domain)s is the organisation's own (its %(field)s in the register)."),
                    domain=domain,
                    field=field_name,
                ),
                org_evidence(org, field_name, value, email_domain=domain, kind="match"),
            )
    proven = domain_control_verdict(applicant, domain)
    if proven is not None:
        return proven
    if not any(registered for *_, registered in known):
        return Verdict(
            "email_domain",
            REVIEW,
            "email_domain_unverified",
            _(
                "The register lists no website or email domain for the organisation; a reviewer checks "
                "the email address."
            ),
            org_evidence(org, "website", "", email_domain=domain, kind="unknown"),
        )
    return Verdict(
        "email_domain",
        REVIEW,
        "email_domain_unverified",
        message(
            _(
                "The email domain %(domain)s differs from the organisation's in the register; a "
                "reviewer checks the applicant."
            ),
            domain=domain or "?",
        ),
        org_evidence(
            org, "website", org.website, email_domain=domain, kind="different", registered_email_domain=org.email_domain
        ),
    )


def domain_control_verdict(applicant: ApplicantFacts, domain: str) -> Verdict | None:
    """Control of a domain tied to the organisation (verification.proofs.domain) with an email at that domain
    proven by code settles the representative check; None when there is no such proof."""
    proof = applicant.domain_proof
    if proof is not None and applicant.email_verified and domain and proof.domain == domain and proof.tie:
        return Verdict(
            "email_domain",
            PASS,
            "domain_control_proven",
            message(
                _(
                    "The applicant proved control of %(domain)s, the organisation's domain, and of an "
                    "email address at it."
                ),
                domain=domain,
            ),
            {
                "record": "application",
                "field": "domain_proof",
                "value": domain,
                "source": proof.method,
                "source_date": _day(proof.verified_at),
                "kind": "domain_control",
                "tie": dict(proof.tie),
                "check": dict(proof.checked),
            },
        )
    return None


def published_contact_verdict(applicant: ApplicantFacts) -> Verdict | None:
    """The answer of the contact the register publishes (verification.proofs.contact): a confirmation settles the
    representative check, a denial rejects; None while there is no answer."""
    contact = applicant.contact
    if contact is not None and contact.state in ("confirmed", "denied"):
        evidence = {
            "record": "application",
            "field": "published_contact",
            "value": contact.email,
            "source": contact.source,
            "source_date": _day(contact.answered_at),
            "kind": "published_contact",
            "answer": contact.state,
        }
        if contact.state == "confirmed":
            return Verdict(
                "email_domain",
                PASS,
                "published_contact_confirmed",
                message(
                    _(
                        "The contact the register publishes for the organisation (%(email)s) confirmed "
                        "that the applicant represents it."
                    ),
                    email=contact.email,
                ),
                evidence,
            )
        return Verdict(
            "email_domain",
            FAIL,
            "published_contact_denied",
            message(
                _(
                    "The contact the register publishes for the organisation (%(email)s) said the "
                    "applicant does not represent it."
                ),
                email=contact.email,
            ),
            evidence,
        )
    return None


def apply_trusted_receipt(verdicts: list[Verdict], applicant: ApplicantFacts, org_id: str) -> list[Verdict]:
    """A valid receipt from a trusted issuer, for this organisation, settles the checks it covers that would
    otherwise go to a reviewer. It never overrides a failure: this program's own rules still reject. The
    representative check only for an email proven by code at the domain the receipt names."""
    receipt = applicant.receipt
    if receipt is None or receipt.org_id != org_id or not org_id:
        return verdicts
    settled = []
    for verdict in verdicts:
        same_domain = (
            applicant.email_verified
            and bool(receipt.representative_domain)
            and registered_domain(applicant.email) == receipt.representative_domain
        )
        if (
            verdict.outcome == REVIEW
            and verdict.rule in receipt.covers
            and (verdict.rule != "email_domain" or same_domain)
        ):
            verdict = Verdict(
                verdict.rule,
                PASS,
                "trusted_receipt",
                message(
                    _("A verification by %(issuer)s, which this program trusts, covers this check."),
                    issuer=receipt.issuer,
                ),
                {
                    "record": receipt.receipt_id,
                    "field": verdict.rule,
                    "value": verdict.code,
                    "source": receipt.issuer,
                    "source_date": _day(receipt.valid_until),
                    "kind": "trusted_receipt",
                    "replaced": verdict.code,
                },
            )
        settled.append(verdict)
    return settled


# --- duplicates -----------------------------------------------------------------------------------------------


def check_duplicates(*, org_id: str, has_active_coupon: bool, has_open_application: bool = False) -> Verdict:
    evidence = {
        "record": org_id,
        "field": "coupons",
        "value": has_active_coupon,
        "source": "vouch",
        "source_date": None,
        "open_application": has_open_application,
    }
    if has_active_coupon:
        return Verdict(
            "duplicates",
            FAIL,
            "duplicate_active_coupon",
            _("The organisation already holds an active coupon for this program."),
            evidence,
        )
    if has_open_application:
        return Verdict(
            "duplicates",
            REVIEW,
            "duplicate_open_application",
            _("Another application for the organisation is open; a reviewer checks which one stands."),
            evidence,
        )
    return Verdict(
        "duplicates",
        PASS,
        "no_duplicate",
        _("The organisation has no active coupon and no other open application."),
        evidence,
    )


# --- putting them together ------------------------------------------------------------------------------------


def organisation_checks(
    *, org: OrganisationFacts | None, program: ProgramRules, has_active_coupon: bool, org_id: str = ""
) -> list[Verdict]:
    """What the register alone settles (the `eligibility` command): no applicant, no declared budget."""
    if org is None:
        return [check_registered(None, org_id=org_id)]
    return [
        check_registered(org),
        check_charitable_status(org),
        *check_exclusions(org, program),
        check_registry_income(org, program),
        check_sanctioned_country(program, org.country, org),
        check_country_supported(program, org.country, org),
        check_duplicates(org_id=org.org_id, has_active_coupon=has_active_coupon),
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
