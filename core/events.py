"""Events: how a lower layer tells the layers above it that something happened, without importing them.

The publisher defines the event (a frozen dataclass in its own `events.py`) and calls `event_publish(event)`; the
layers above subscribe in their `AppConfig.ready()` with `event_subscribe(EventClass, handler)`. Handlers run
synchronously, in subscription order, inside the publisher's transaction: what they write (a flag, an audit entry,
a webhook outbox row) commits or rolls back with the change that caused it. A handler that must not run twice for
one change stays idempotent; one that needs work outside the transaction queues a task (transaction.on_commit).

    registry OrganisationStatusChanged -> coupons flag live coupons -> coupons OrganisationCouponsReviewed
    coupons OrganisationCouponsReviewed, CouponChanged -> verification adds its applications -> PartnerEvent
    verification PartnerEvent (also from each transition) -> webhooks write outbox rows for partners

See ARCHITECTURE.md ("Events").
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

_handlers: dict[type, list[Callable[[Any], object]]] = defaultdict(list)


def event_subscribe[E](event_type: type[E], handler: Callable[[E], object]) -> None:
    """Call `handler(event)` for every published event of `event_type`. Subscribing twice is a no-op (ready() may
    run more than once in tests)."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def event_publish(event: object) -> list[object]:
    """Run the handlers of this event's type, in order; returns what they returned. An exception propagates to the
    publisher (and rolls its transaction back): a reaction that failed must not be silently lost."""
    return [handler(event) for handler in list(_handlers.get(type(event), ()))]


def event_handlers(event_type: type) -> list[Callable[[Any], object]]:
    """The handlers subscribed to `event_type` (for tests and for the architecture documentation)."""
    return list(_handlers.get(event_type, ()))
