from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _refold_search_keys(sender, using="default", **kwargs) -> None:
    """After migrate: stored search keys folded with an older normalisation are folded again (registry.search
    .refold), so a release that changes the folding needs no separate step."""
    from django.db import connections

    from registry.search.refold import search_keys_refold

    if using != "default" or "registry_searchindexstate" not in connections[using].introspection.table_names():
        return
    search_keys_refold()


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Registries and organisations"

    def ready(self) -> None:
        post_migrate.connect(_refold_search_keys, sender=self, dispatch_uid="registry_refold_search_keys")
