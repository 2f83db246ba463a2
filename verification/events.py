"""What verification announces to the edges above it (core.events): the webhooks app turns a PartnerEvent into
signed deliveries. Verification is where an event learns which partners it concerns: the application knows its
program and the partner that brought it; a coupon or a registry change learns it from the applications."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PartnerEvent:
    """Something partners hear about. Routing (docs/webhooks.md, "Who receives what"): the active partners that see
    every application of one of `program_ids` (the program's vendor), and the partners in `partner_ids` (those that
    brought the application or applications concerned)."""

    type: str  # a webhooks.models.EventType value: "application.approved", "coupon.redeemed", ...
    data: dict
    program_ids: tuple[int, ...]
    partner_ids: tuple[int, ...]
    application_id: int | None = None
    coupon_id: int | None = None
    org_id: str = ""
