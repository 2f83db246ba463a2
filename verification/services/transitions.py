"""The one way an application changes state: a conditional UPDATE, its row count checked, and an audit entry.

`UPDATE application SET state = new … WHERE id = ? AND state = old` succeeds for exactly one of several requests
racing on the same application (two reviewers, a reviewer and the expiry job, a double-clicked submit): the
database serialises the updates and the losers see 0 rows. They get Conflict `application_state_changed` and
their transaction (coupon, email) rolls back with it. See docs/verification.md, "Locking".
"""

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.business_days import add_business_days
from core.errors import Conflict, PermissionDenied
from core.models import AuditEntry
from programs.services import program_rules_publish
from verification.models import Application, ApplicationState
from verification.partner_events import application_changed_announce


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Model):
        return value.pk
    return value


DECISIONS = (ApplicationState.APPROVED, ApplicationState.REJECTED)


def transition(
    *,
    application: Application,
    to: str,
    allowed: Iterable[str],
    action: str,
    actor=None,
    actor_label: str = "",
    fields: dict[str, Any] | None = None,
) -> AuditEntry:
    """Move `application` from its current state (which must be in `allowed`) to `to`, writing `fields` with it."""
    old = application.state
    if old not in tuple(allowed):
        raise Conflict(
            _("This action is not possible while the application is %(state)s.")
            % {"state": application.get_state_display()},
            code="application_state_invalid",
            details={"state": old, "action": action},
        )
    fields = dict(fields or {})
    if to in DECISIONS and "rules_version" not in fields:
        # Every decision records the program's rules version it applied (the one in force now).
        fields["rules_version"] = program_rules_publish(program=application.program, actor_label="system")
    if not Application.objects.filter(pk=application.pk, state=old).update(state=to, **fields):
        raise Conflict(
            _("The application was changed in the meantime. Reload it and try again."),
            code="application_state_changed",
            details={"state": old, "action": action},
        )
    before = {"state": old, **{name: jsonable(getattr(application, name)) for name in fields}}
    application.state = to
    for name, value in fields.items():
        setattr(application, name, value)
    entry = audit_record(
        action=f"application.{action}",
        object_type="application",
        object_id=application.pk,
        actor=actor,
        actor_label=actor_label,
        before=before,
        after={
            "state": to,
            "reference": application.reference,
            **{name: jsonable(value) for name, value in fields.items()},
        },
    )
    application_changed_announce(application=application, action=action)  # partners' webhooks (an outbox row)
    return entry


def require_reviewer(actor) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.is_active and actor.is_staff):
        raise PermissionDenied(_("Only verifier staff can do this."), code="reviewer_only")


def organisation_country(application: Application) -> str:
    return application.organisation.country if application.organisation is not None else application.country


def review_due_at(*, application: Application, now: datetime) -> datetime:
    """End of the day (in the deployment's time zone) `review_sla_business_days` business days of the
    organisation's country after `now`: weekends and its public holidays do not count."""
    day = add_business_days(
        timezone.localdate(now), application.program.review_sla_business_days, organisation_country(application) or "US"
    )
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))
