from core.errors import NotFound
from registry.models import Organisation


def organisation_get(*, org_id: str) -> Organisation:
    organisation = (
        Organisation.objects.select_related("source").filter(org_id=(org_id or "").strip().upper()[:48]).first()
    )
    if organisation is None:
        raise NotFound(f"no organisation with id {org_id[:60]!r}", code="organisation_not_found")
    return organisation


def supported_countries() -> list[str]:
    return sorted(Organisation.objects.values_list("country", flat=True).distinct())
