"""Reads: what the registers alone settle about organisations for a program (the organisation-level checks).

One function gathers the facts and runs the rules for `manage.py eligibility`, the public pre-check
(`GET /api/v1/programs/{slug}/precheck`) and the journey's eligibility step, so their verdicts cannot drift. The only
difference is a question the caller chooses to ask: whether the organisation already holds an active coupon. The
command asks it; the public pre-check does not (it would tell anyone which organisations hold a coupon; see
docs/decisions.md). The duplicate check still runs when an application is submitted.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, NotFound
from coupons.models import Coupon, CouponState
from programs.models import Program
from programs.selectors import program_rules_version_current
from registry.models import Organisation
from verification.models import Application
from verification.rules import (
    Decision,
    Verdict,
    decide,
    manual_organisation_checks,
    organisation_checks,
)
from verification.selectors import organisation_facts, program_rules

PrecheckOutcome = Literal["eligible", "ineligible", "needs_review"]
OUTCOMES: dict[str, PrecheckOutcome] = {"approve": "eligible", "reject": "ineligible", "review": "needs_review"}

# org-id.guide identifiers as the importers write them: country, register, number (US-EIN-020713689,
# GB-CHC-1000000, GB-SC-SC000001, AU-ABN-46159949149, FR-RNA-W9T1002867).
ORG_ID = re.compile(r"^[A-Z]{2}-[A-Z]{2,10}-[A-Z0-9]{1,34}$")


def _rules_version(program: Program) -> int:
    """The program's rules version in force (programs.ProgramRulesVersion.number, as the rules API reports it), or 0
    before the first is published. A read: a pre-check never publishes (it would lock the program row per request);
    the check runs of a submission publish a change made outside the admin."""
    version = program_rules_version_current(program)
    return version.number if version is not None else 0


@dataclass(frozen=True)
class Eligibility:
    org_id: str
    organisation: Organisation | None  # None: not in the registers, or added by hand
    verdicts: tuple[Verdict, ...]
    decision: Decision
    rules_version: int

    @property
    def outcome(self) -> PrecheckOutcome:
        return OUTCOMES[self.decision.outcome]

    def by_outcome(self, outcome: str) -> list[Verdict]:
        return [verdict for verdict in self.verdicts if verdict.outcome == outcome]


def _with_active_coupon(program: Program, org_ids: Sequence[str], now: datetime) -> set[str]:
    return set(
        Coupon.objects.filter(
            program=program,
            organisation_key__in=list(org_ids),
            state=CouponState.ACTIVE,
            redeem_by__gte=now,
        ).values_list("organisation_key", flat=True)
    )


def organisations_eligibility(
    *, program: Program, org_ids: Sequence[str], ask_duplicates: bool, now: datetime | None = None
) -> list[Eligibility]:
    """The organisation-level verdicts for each id, in input order (two queries however many ids; callers chunk).
    An id not in the registers is ineligible (`not_registered`)."""
    rules = program_rules(program=program)
    version = _rules_version(program)
    wanted = [org_id.strip().upper() for org_id in org_ids]
    organisations = {o.org_id: o for o in Organisation.objects.select_related("source").filter(org_id__in=wanted)}
    with_coupon = _with_active_coupon(program, list(organisations), now or timezone.now()) if ask_duplicates else set()
    results = []
    for org_id in wanted:
        organisation = organisations.get(org_id)
        verdicts = organisation_checks(
            org=organisation_facts(organisation=organisation) if organisation else None,
            program=rules,
            has_active_coupon=(org_id in with_coupon) if ask_duplicates else None,
            org_id=org_id,
        )
        results.append(Eligibility(org_id, organisation, tuple(verdicts), decide(verdicts), version))
    return results


def organisation_id_clean(org_id: str) -> str:
    """The identifier as stored (upper case), or InvalidInput when it cannot be one."""
    cleaned = (org_id or "").strip().upper()
    if not ORG_ID.match(cleaned):
        raise InvalidInput(
            _("The organisation identifier is not valid: expected a form like US-EIN-020713689 or GB-CHC-1000000."),
            code="organisation_id_invalid",
        )
    return cleaned


def organisation_precheck(*, program: Program, org_id: str) -> Eligibility:
    """The public pre-check of one organisation of the registry (no duplicate question). An identifier that is not
    one is InvalidInput; one the registers do not hold is NotFound (the applicant adds the organisation by hand)."""
    [result] = organisations_eligibility(program=program, org_ids=[organisation_id_clean(org_id)], ask_duplicates=False)
    if result.organisation is None:
        raise NotFound(
            _("No organisation with this identifier is in the registers Vouch uses."),
            code="organisation_not_found",
            details={"organisation": result.org_id},
        )
    return result


def application_precheck(*, application: Application) -> Eligibility:
    """The pre-check of a draft's organisation, as the journey shows it before the applicant's details: the
    registry organisation's checks, or, for one added by hand, what its country settles and that a reviewer reads
    its documents."""
    program = application.program
    organisation = application.organisation if application.organisation_id else None
    if organisation is not None:
        [result] = organisations_eligibility(program=program, org_ids=[organisation.org_id], ask_duplicates=False)
        return result
    verdicts = manual_organisation_checks(program=program_rules(program=program), country=application.country)
    return Eligibility("", None, tuple(verdicts), decide(verdicts), _rules_version(program))
