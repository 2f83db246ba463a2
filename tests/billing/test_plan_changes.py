"""The plan-change policy table, row by row, and its lookup."""

import itertools

import pytest
from django.utils import translation

from billing.plan_changes import (
    ALLOWED_NOW,
    AT_TERM_END,
    CONDITIONS,
    NOT_ALLOWED,
    PLANS,
    POLICY,
    licences_direction,
    plan_change_decide,
)

PRO, BUSINESS = "workplace-pro", "workplace-business"

# (from plan, to plan, from licences, to licences, condition) -> (outcome, code, reason)
TABLE = [
    # Under the nonprofit discount: only adding licences to the same plan.
    (PRO, PRO, 10, 12, "nonprofit_discount", ALLOWED_NOW, "plan_change_allowed", "nonprofit_add_licences"),
    (BUSINESS, BUSINESS, 3, 4, "nonprofit_discount", ALLOWED_NOW, "plan_change_allowed", "nonprofit_add_licences"),
    (PRO, PRO, 10, 9, "nonprofit_discount", NOT_ALLOWED, "plan_change_not_allowed", "nonprofit_remove_licences"),
    (
        BUSINESS,
        BUSINESS,
        4,
        1,
        "nonprofit_discount",
        NOT_ALLOWED,
        "plan_change_not_allowed",
        "nonprofit_remove_licences",
    ),
    (PRO, BUSINESS, 10, 10, "nonprofit_discount", NOT_ALLOWED, "plan_change_not_allowed", "nonprofit_pro_to_business"),
    (PRO, BUSINESS, 10, 20, "nonprofit_discount", NOT_ALLOWED, "plan_change_not_allowed", "nonprofit_pro_to_business"),
    (PRO, BUSINESS, 10, 5, "nonprofit_discount", NOT_ALLOWED, "plan_change_not_allowed", "nonprofit_pro_to_business"),
    (BUSINESS, PRO, 10, 10, "nonprofit_discount", NOT_ALLOWED, "plan_change_not_allowed", "nonprofit_business_to_pro"),
    (BUSINESS, PRO, 10, 11, "nonprofit_discount", NOT_ALLOWED, "plan_change_not_allowed", "nonprofit_business_to_pro"),
    (BUSINESS, PRO, 10, 2, "nonprofit_discount", NOT_ALLOWED, "plan_change_not_allowed", "nonprofit_business_to_pro"),
    # Standard subscriptions.
    (PRO, PRO, 1, 2, "standard", ALLOWED_NOW, "plan_change_allowed", "add_licences"),
    (BUSINESS, BUSINESS, 5, 50, "standard", ALLOWED_NOW, "plan_change_allowed", "add_licences"),
    (PRO, PRO, 2, 1, "standard", AT_TERM_END, "plan_change_at_term_end", "remove_licences"),
    (BUSINESS, BUSINESS, 50, 5, "standard", AT_TERM_END, "plan_change_at_term_end", "remove_licences"),
    (PRO, BUSINESS, 5, 5, "standard", ALLOWED_NOW, "plan_change_allowed", "upgrade"),
    (PRO, BUSINESS, 5, 8, "standard", ALLOWED_NOW, "plan_change_allowed", "upgrade"),
    (PRO, BUSINESS, 5, 3, "standard", AT_TERM_END, "plan_change_at_term_end", "upgrade_with_fewer_licences"),
    (BUSINESS, PRO, 5, 5, "standard", AT_TERM_END, "plan_change_at_term_end", "downgrade"),
    (BUSINESS, PRO, 5, 9, "standard", AT_TERM_END, "plan_change_at_term_end", "downgrade"),
    (BUSINESS, PRO, 5, 1, "standard", AT_TERM_END, "plan_change_at_term_end", "downgrade"),
]


@pytest.mark.parametrize(("from_plan", "to_plan", "from_q", "to_q", "condition", "outcome", "code", "reason"), TABLE)
def test_policy_row(from_plan, to_plan, from_q, to_q, condition, outcome, code, reason):
    decision = plan_change_decide(
        from_plan=from_plan, to_plan=to_plan, from_quantity=from_q, to_quantity=to_q, condition=condition
    )
    assert (decision.outcome, decision.code, decision.reason) == (outcome, code, reason)
    assert decision.allowed is (outcome != NOT_ALLOWED)
    assert str(decision.message)


def test_every_plan_change_is_in_the_table():
    """Each plan pair, licences direction and condition is decided by a row (never by the default deny)."""
    for from_plan, to_plan, (from_q, to_q), condition in itertools.product(
        PLANS, PLANS, [(2, 3), (2, 2), (3, 2)], CONDITIONS
    ):
        decision = plan_change_decide(
            from_plan=from_plan, to_plan=to_plan, from_quantity=from_q, to_quantity=to_q, condition=condition
        )
        assert decision.reason != "not_in_policy", (from_plan, to_plan, from_q, to_q, condition)


def test_rows_are_unique():
    keys = [(r.from_plan, r.to_plan, r.condition, r.licences) for r in POLICY]
    assert len(keys) == len(set(keys))


def test_nonprofit_messages_explain():
    with translation.override("en"):
        removing = plan_change_decide(
            from_plan=PRO, to_plan=PRO, from_quantity=5, to_quantity=4, condition="nonprofit_discount"
        )
        assert "only increasing the number of licences" in str(removing.message)
        upgrading = plan_change_decide(
            from_plan=PRO, to_plan=BUSINESS, from_quantity=5, to_quantity=5, condition="nonprofit_discount"
        )
        assert "Switching from Workplace Pro to Workplace Business is not possible" in str(upgrading.message)


def test_nothing_to_change():
    decision = plan_change_decide(from_plan=PRO, to_plan=PRO, from_quantity=3, to_quantity=3, condition="standard")
    assert (decision.outcome, decision.code) == (NOT_ALLOWED, "plan_change_nothing_to_change")


@pytest.mark.parametrize(
    ("from_plan", "to_plan"),
    [
        (PRO, "webinars"),
        ("webinars", PRO),
        ("room-connector", "room-connector"),
        ("workplace-enterprise", BUSINESS),
    ],
)
def test_changes_the_table_does_not_name_are_refused(from_plan, to_plan):
    decision = plan_change_decide(
        from_plan=from_plan, to_plan=to_plan, from_quantity=1, to_quantity=2, condition="standard"
    )
    assert (decision.outcome, decision.code, decision.reason) == (
        NOT_ALLOWED,
        "plan_change_not_allowed",
        "not_in_policy",
    )


@pytest.mark.parametrize(("from_q", "to_q"), [(0, 1), (1, 0), (-1, 2), (1, 1.5)])
def test_quantities_are_at_least_one_licence(from_q, to_q):
    with pytest.raises(ValueError):
        licences_direction(from_q, to_q)


def test_unknown_condition_is_a_programming_error():
    with pytest.raises(ValueError):
        plan_change_decide(from_plan=PRO, to_plan=PRO, from_quantity=1, to_quantity=2, condition="legacy")


def test_the_documented_table_names_every_rule():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "billing.md").read_text(encoding="utf-8")
    table = {line for line in doc.splitlines() if line.startswith("|")}
    for rule in POLICY:
        assert any(f"`{rule.reason}`" in line and rule.outcome in line and rule.condition in line for line in table), (
            rule.reason
        )
