"""What the registry announces to the layers above (core.events)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class OrganisationStatusChanged:
    """An import changed the registry status of an organisation that a layer above follows (see
    registry.watch). Published inside the import's transaction, after its last write."""

    organisation_id: int
    old_status: str
    actor_label: str
