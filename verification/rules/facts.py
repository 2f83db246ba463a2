"""The facts the rules are given, the verdicts they return, and the helpers every rule shares."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from verification.rules.explanations import Explanation

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
    # A key of explanations.TEMPLATES and its parameters: str() renders it in the language active where it is shown.
    message: Explanation
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "outcome": self.outcome,
            "code": self.code,
            "message": str(self.message),
            "evidence": self.evidence,
        }

    def as_reason(self) -> dict[str, Any]:
        """A decision reason as stored: the code, the explanation's key and parameters, and its text in the active
        language (what the applicant was told; shown where the key is unknown)."""
        return {
            "code": self.code,
            "key": self.message.key,
            "params": dict(self.message.params),
            "message": str(self.message),
        }


@dataclass(frozen=True)
class Decision:
    outcome: Literal["approve", "reject", "review"]
    reasons: tuple[Verdict, ...] = ()


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
