"""Re-running the organisation-level checks for every live coupon (`manage.py reverify_coupons`).

The checks are the `eligibility` command's: verification.rules.organisation_checks over selectors.organisation_facts
and program_rules, decided by rules.decide. For each coupon the report says whether it was eligible (not flagged)
and is now (no check fails), and which reasons appeared or went since the checks recorded at its approval.

- A coupon whose organisation now fails a check is flagged (coupons.monitoring.coupons_flag): its discount stops at
  the next renewal. A flagged coupon whose organisation passes every check again is unflagged. A check that only
  asks for a review (e.g. no income figure) changes nothing: a reviewer approved the application.
- `organisation.status_changed` is emitted only when the registry status differs from the last one Vouch knew (the
  last such audit entry, else the status the checks recorded at approval): a change the import hook did not see.
  A rule-only change (income above the cap, an exclusion the program switched on) flags without an event: the
  organisation did not change, the program's view of it did.
- Coupons of organisations added by hand have no register to re-check: reported as skipped.
"""

from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from core.models import AuditEntry
from coupons.models import Coupon, CouponState
from coupons.monitoring import coupon_unflag, coupons_flag, organisation_status_changed
from programs.models import Program
from verification.models import Application, CheckResult
from verification.rules import FAIL, PASS, decide, organisation_checks
from verification.selectors import organisation_facts, program_rules

CHUNK = 200
SKIPPED_MANUAL = "organisation_added_by_hand"


@dataclass
class CouponReverification:
    coupon_id: int
    reference: str
    program: str
    org_id: str
    was_eligible: bool
    now_eligible: bool | None = None
    decision: str = ""
    reasons_new: list[dict] = field(default_factory=list)
    reasons_gone: list[dict] = field(default_factory=list)
    flagged: bool = False
    unflagged: bool = False
    status_change: dict | None = None
    skipped: str = ""

    def as_dict(self) -> dict:
        return {
            "coupon": self.coupon_id,
            "application_reference": self.reference,
            "program": self.program,
            "org_id": self.org_id,
            "was_eligible": self.was_eligible,
            "now_eligible": self.now_eligible,
            "decision": self.decision or None,
            "reasons_new": self.reasons_new,
            "reasons_gone": self.reasons_gone,
            "flagged": self.flagged,
            "unflagged": self.unflagged,
            "status_change": self.status_change,
            "skipped": self.skipped or None,
        }


def live_coupons_to_check(*, program: Program | None = None, now: datetime):
    """Redeemed coupons, and issued ones still redeemable; a flagged coupon is checked again (it may clear)."""
    coupons = Coupon.objects.filter(Q(state=CouponState.REDEEMED) | Q(state=CouponState.ACTIVE, redeem_by__gte=now))
    if program is not None:
        coupons = coupons.filter(program=program)
    return coupons.select_related("program", "organisation__source").order_by("pk")


def _chunks(queryset, size: int):
    iterator = queryset.iterator(chunk_size=size)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _applications_of(coupons: list[Coupon]) -> dict[int, int]:
    """{coupon pk: pk of the application that earned it} (Application.coupon)."""
    return dict(Application.objects.filter(coupon__in=[c.pk for c in coupons]).values_list("coupon_id", "pk"))


def _recorded(application_ids) -> dict[int, set[tuple[str, str]]]:
    """{application pk: {(rule, code)}} of the checks that did not pass when the application was decided."""
    recorded: dict[int, set[tuple[str, str]]] = {}
    rows = (
        CheckResult.objects.filter(application_id__in=list(application_ids))
        .exclude(outcome=PASS)
        .values_list("application_id", "rule", "code")
    )
    for application_id, rule, code in rows:
        recorded.setdefault(application_id, set()).add((rule, code))
    return recorded


def _registered_at_approval(application_ids) -> dict[int, str]:
    rows = CheckResult.objects.filter(application_id__in=list(application_ids), rule="registered")
    return {row.application_id: str(row.evidence.get("value") or "") for row in rows}


def last_known_statuses(org_ids: list[str]) -> dict[str, str]:
    """The status each organisation had at its last audited status change (monitoring's record)."""
    known: dict[str, str] = {}
    entries = (
        AuditEntry.objects.filter(
            action="organisation.status_changed", object_type="organisation", object_id__in=org_ids
        )
        .order_by("at", "pk")
        .values_list("object_id", "after")
    )
    for org_id, after in entries:
        known[org_id] = (after or {}).get("status", "")
    return known


def coupons_reverify(
    *, program: Program | None = None, now: datetime | None = None, actor_label: str = "reverify_coupons"
) -> list[CouponReverification]:
    now = now or timezone.now()
    rules_by_program: dict[int, object] = {}
    announced: dict[str, set[int]] = {}  # org_id -> coupons flagged by the status change this run emitted
    results = []
    for chunk in _chunks(live_coupons_to_check(program=program, now=now), CHUNK):
        application_of = _applications_of(chunk)
        recorded = _recorded(application_of.values())
        at_approval = _registered_at_approval(application_of.values())
        known = last_known_statuses([c.organisation.org_id for c in chunk if c.organisation_id])
        for coupon in chunk:
            rules = rules_by_program.get(coupon.program_id)
            if rules is None:
                rules = rules_by_program[coupon.program_id] = program_rules(program=coupon.program)
            application_id = application_of.get(coupon.pk)
            previous_status = known.get(coupon.organisation_key) or at_approval.get(application_id or 0) or ""
            with transaction.atomic():
                results.append(
                    _reverify(
                        coupon,
                        rules,
                        recorded.get(application_id or 0, set()),
                        previous_status,
                        announced,
                        now=now,
                        actor_label=actor_label,
                    )
                )
    return results


def _reasons(verdicts) -> list[dict]:
    return [{"rule": v.rule, "code": v.code, "message": str(v.message)} for v in verdicts]


def _reverify(
    coupon: Coupon,
    rules,
    recorded: set[tuple[str, str]],
    previous_status: str,
    announced: dict[str, set[int]],
    *,
    now: datetime,
    actor_label: str,
) -> CouponReverification:
    result = CouponReverification(
        coupon_id=coupon.pk,
        reference=coupon.reference,
        program=coupon.program.slug,
        org_id=coupon.organisation_key,
        was_eligible=coupon.flagged_at is None,
    )
    organisation = coupon.organisation
    if organisation is None:
        result.skipped = SKIPPED_MANUAL
        return result
    # The coupon being checked is the organisation's coupon, not a duplicate of it.
    verdicts = organisation_checks(
        org=organisation_facts(organisation=organisation), program=rules, has_active_coupon=False
    )
    decision = decide(verdicts)
    result.decision = decision.outcome
    result.now_eligible = decision.outcome != "reject"
    checked_rules = {v.rule for v in verdicts}
    not_passing = [v for v in verdicts if v.outcome != PASS]
    result.reasons_new = _reasons(v for v in not_passing if (v.rule, v.code) not in recorded)
    now_codes = {(v.rule, v.code) for v in not_passing}
    result.reasons_gone = [
        {"rule": rule, "code": code}
        for rule, code in sorted(recorded)
        if rule in checked_rules and (rule, code) not in now_codes
    ]

    if previous_status and previous_status != organisation.status:
        if organisation.org_id not in announced:
            change = organisation_status_changed(
                organisation=organisation, old_status=previous_status, now=now, actor_label=actor_label
            )
            announced[organisation.org_id] = {c.pk for c in change.flagged}
        result.status_change = {"old": previous_status, "new": organisation.status}
        result.flagged = coupon.pk in announced[organisation.org_id]
    if decision.outcome == "reject":
        with translation.override("en"):  # the flag reason is a record, kept in one language
            reason = "; ".join(f"{v.code}: {v.message}" for v in verdicts if v.outcome == FAIL)
        result.flagged = result.flagged or bool(
            coupons_flag(coupons=[coupon], reason=reason, now=now, actor_label=actor_label)
        )
    elif decision.outcome == "approve" and coupon.flagged_at is not None:
        result.unflagged = coupon_unflag(coupon=coupon, actor_label=actor_label)
    return result


def reverification_summary(results: list[CouponReverification]) -> dict:
    return {
        "checked": sum(1 for r in results if not r.skipped),
        "eligible": sum(1 for r in results if r.now_eligible),
        "not_eligible": sum(1 for r in results if r.now_eligible is False),
        "flagged": sum(1 for r in results if r.flagged),
        "unflagged": sum(1 for r in results if r.unflagged),
        "status_changes": sum(1 for r in results if r.status_change),
        "skipped": sum(1 for r in results if r.skipped),
    }
