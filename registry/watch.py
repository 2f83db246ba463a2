"""Which organisations' status changes the layers above need to hear about, and the import's hook that tells them.

The registry does not know why an organisation is followed (a live coupon, a pending application): the layers
above register a *follower*, a function returning a queryset of the organisation ids they follow, in their
`AppConfig.ready()`. Before an import writes anything, `registry_status_watch()` reads the status of the followed
organisations (a few rows, one query whatever the size of the file); `StatusWatch.finish()` reads them again after
the last write, inside the same transaction, and publishes `OrganisationStatusChanged` for each one that changed.
A failed run rolls back whatever the reactions wrote, with the data.
"""

from collections.abc import Callable

from django.db.models import Q, QuerySet

from core.events import event_publish
from registry.events import OrganisationStatusChanged
from registry.models import Organisation

Follower = Callable[[], QuerySet]
_followers: list[Follower] = []


def organisations_follower_register(follower: Follower) -> None:
    """`follower()` returns a queryset of organisation ids (`.values("organisation_id")` or similar)."""
    if follower not in _followers:
        _followers.append(follower)


def followed_statuses() -> dict[int, str]:
    """{organisation pk: status} for every organisation a layer above follows."""
    if not _followers:
        return {}
    condition = Q()
    for follower in _followers:
        condition |= Q(pk__in=follower())
    return dict(Organisation.objects.filter(condition).values_list("pk", "status"))


class StatusWatch:
    """`watch = registry_status_watch()` before the run writes, `watch.finish(...)` after its last write, in the
    same transaction. Returns what the reactions returned, per changed organisation (for the run's summary)."""

    def __init__(self, before: dict[int, str]):
        self.before = before

    def finish(self, *, actor_label: str) -> list[list[object]]:
        if not self.before:
            return []
        after = followed_statuses()  # the same set: an import changes no coupon or application
        changed = {pk: old for pk, old in self.before.items() if pk in after and after[pk] != old}
        ordered = Organisation.objects.filter(pk__in=list(changed)).order_by("org_id").values_list("pk", flat=True)
        return [
            event_publish(
                OrganisationStatusChanged(organisation_id=pk, old_status=changed[pk], actor_label=actor_label)
            )
            for pk in ordered
        ]


def registry_status_watch() -> StatusWatch:
    return StatusWatch(followed_statuses())
