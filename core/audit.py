from typing import Any

from core.models import AuditEntry


def audit_record(
    *,
    action: str,
    object_type: str,
    object_id: str | int,
    actor=None,
    actor_label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    label = actor_label or (getattr(actor, "get_username", lambda: "")() if actor else "") or "system"
    return AuditEntry.objects.create(
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=label,
        before=before,
        after=after,
    )
