"""The plan-change policy: a table of rules (Kill Bill style), looked up by one pure function. No scattered ifs.

A change is described by the plan it leaves, the plan it goes to, whether the number of licences grows, stays or
shrinks, and the subscription's condition: "nonprofit_discount" while the subscription is under the program's coupon,
"standard" otherwise. Each row gives the outcome: allowed now (prorated to the end of the term), at the end of the
term (nothing changes before then, nothing is refunded), or not allowed, with a stable code and a message for people.
Anything the table does not name is refused (default deny). The table is rendered in docs/billing.md.
"""

from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Outcome = Literal["allowed_now", "at_term_end", "not_allowed"]
ALLOWED_NOW: Outcome = "allowed_now"
AT_TERM_END: Outcome = "at_term_end"
NOT_ALLOWED: Outcome = "not_allowed"

Condition = Literal["standard", "nonprofit_discount"]
STANDARD: Condition = "standard"
NONPROFIT_DISCOUNT: Condition = "nonprofit_discount"
CONDITIONS = (STANDARD, NONPROFIT_DISCOUNT)

Licences = Literal["more", "same", "fewer", "any"]
MORE, SAME, FEWER, ANY = "more", "same", "fewer", "any"

PRO, BUSINESS = "workplace-pro", "workplace-business"
PLANS = (PRO, BUSINESS)

# Outcome codes (stable: the API and the error hierarchy use them).
CODES: dict[Outcome, str] = {
    ALLOWED_NOW: "plan_change_allowed",
    AT_TERM_END: "plan_change_at_term_end",
    NOT_ALLOWED: "plan_change_not_allowed",
}
NOTHING_TO_CHANGE = "plan_change_nothing_to_change"

MSG_ADD_NOW = _("The added licences start now; you pay for them prorated to the end of the current term.")
MSG_ADD_DISCOUNTED = _(
    "The added licences start now and keep the nonprofit discount; you pay for them prorated to "
    "the end of the current term."
)
MSG_REMOVE_AT_END = _(
    "Licences are removed at the end of the current term; until then you keep them, and nothing "
    "already paid is refunded."
)
MSG_NONPROFIT_ONLY_MORE = _(
    "Under the nonprofit discount, only increasing the number of licences of your plan is "
    "possible; licences cannot be removed during the term."
)
MSG_UPGRADE_NOW = _(
    "The change to Workplace Business starts now; you pay the difference prorated to the end of the current term."
)
MSG_UPGRADE_FEWER = _("A change that removes licences takes effect at the end of the current term.")
MSG_DOWNGRADE_AT_END = _(
    "The change to Workplace Pro takes effect at the end of the current term; nothing already paid is refunded."
)
MSG_NONPROFIT_NO_PRO_TO_BUSINESS = _(
    "Switching from Workplace Pro to Workplace Business is not possible under the "
    "nonprofit discount. You can add licences to your Workplace Pro plan."
)
MSG_NONPROFIT_NO_BUSINESS_TO_PRO = _(
    "Switching from Workplace Business to Workplace Pro is not possible under the "
    "nonprofit discount: the discount covers the plan it was applied to, and the "
    "only change possible is adding licences to it."
)
MSG_NOTHING = _("This is already your plan and number of licences: there is nothing to change.")
MSG_UNKNOWN = _("This plan change is not offered. Contact the vendor's support if you need it.")


@dataclass(frozen=True)
class PolicyRule:
    from_plan: str
    to_plan: str
    condition: Condition
    licences: Licences
    outcome: Outcome
    reason: str  # a stable, specific name of the rule (logged, audited, shown to support)
    message: Promise


R = PolicyRule
POLICY: tuple[PolicyRule, ...] = (
    # Standard subscriptions.
    *(R(p, p, STANDARD, MORE, ALLOWED_NOW, "add_licences", MSG_ADD_NOW) for p in PLANS),
    *(R(p, p, STANDARD, FEWER, AT_TERM_END, "remove_licences", MSG_REMOVE_AT_END) for p in PLANS),
    R(PRO, BUSINESS, STANDARD, MORE, ALLOWED_NOW, "upgrade", MSG_UPGRADE_NOW),
    R(PRO, BUSINESS, STANDARD, SAME, ALLOWED_NOW, "upgrade", MSG_UPGRADE_NOW),
    R(PRO, BUSINESS, STANDARD, FEWER, AT_TERM_END, "upgrade_with_fewer_licences", MSG_UPGRADE_FEWER),
    R(BUSINESS, PRO, STANDARD, ANY, AT_TERM_END, "downgrade", MSG_DOWNGRADE_AT_END),
    # Under the nonprofit discount (PROGRAM.md, "Coupons and the vendor's store").
    *(R(p, p, NONPROFIT_DISCOUNT, MORE, ALLOWED_NOW, "nonprofit_add_licences", MSG_ADD_DISCOUNTED) for p in PLANS),
    *(
        R(p, p, NONPROFIT_DISCOUNT, FEWER, NOT_ALLOWED, "nonprofit_remove_licences", MSG_NONPROFIT_ONLY_MORE)
        for p in PLANS
    ),
    R(
        PRO,
        BUSINESS,
        NONPROFIT_DISCOUNT,
        ANY,
        NOT_ALLOWED,
        "nonprofit_pro_to_business",
        MSG_NONPROFIT_NO_PRO_TO_BUSINESS,
    ),
    R(
        BUSINESS,
        PRO,
        NONPROFIT_DISCOUNT,
        ANY,
        NOT_ALLOWED,
        "nonprofit_business_to_pro",
        MSG_NONPROFIT_NO_BUSINESS_TO_PRO,
    ),
)
_INDEX = {(r.from_plan, r.to_plan, r.condition, r.licences): r for r in POLICY}
assert len(_INDEX) == len(POLICY), "two policy rows for the same change"


@dataclass(frozen=True)
class PlanChangeDecision:
    outcome: Outcome
    code: str
    message: Promise
    reason: str

    @property
    def allowed(self) -> bool:
        return self.outcome != NOT_ALLOWED


def licences_direction(from_quantity: int, to_quantity: int) -> Licences:
    for quantity in (from_quantity, to_quantity):
        if not isinstance(quantity, int) or quantity < 1:
            raise ValueError(f"a subscription has at least one licence, not {quantity!r}")
    return MORE if to_quantity > from_quantity else FEWER if to_quantity < from_quantity else SAME


def plan_change_decide(
    *, from_plan: str, to_plan: str, from_quantity: int, to_quantity: int, condition: Condition
) -> PlanChangeDecision:
    """Look the change up in POLICY: the exact licences row first, then the row for any number of licences."""
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}")
    licences = licences_direction(from_quantity, to_quantity)
    if from_plan == to_plan and licences == SAME:
        return PlanChangeDecision(NOT_ALLOWED, NOTHING_TO_CHANGE, MSG_NOTHING, "nothing_to_change")
    rule = _INDEX.get((from_plan, to_plan, condition, licences)) or _INDEX.get((from_plan, to_plan, condition, ANY))
    if rule is None:
        return PlanChangeDecision(NOT_ALLOWED, CODES[NOT_ALLOWED], MSG_UNKNOWN, "not_in_policy")
    return PlanChangeDecision(rule.outcome, CODES[rule.outcome], rule.message, rule.reason)


def plan_change_targets(*, from_plan: str, condition: Condition, plans=PLANS) -> tuple[str, ...]:
    """The plans a "Change plan" form may offer: those the policy allows some change to. Adding licences to the
    same plan has its own form, so the same plan is offered only when the policy lets it shrink (standard terms).
    Under the nonprofit discount nothing is left: the page offers only "Add licences"."""
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}")
    targets = []
    for to_plan in plans:
        rows = [
            rule
            for rule in POLICY
            if rule.from_plan == from_plan
            and rule.to_plan == to_plan
            and rule.condition == condition
            and rule.outcome != NOT_ALLOWED
        ]
        if to_plan == from_plan:
            rows = [rule for rule in rows if rule.licences != MORE]
        if rows:
            targets.append(to_plan)
    return tuple(targets)
