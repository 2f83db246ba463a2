from django.apps import AppConfig


class CouponsConfig(AppConfig):
    name = "coupons"

    def ready(self):
        from core.events import event_subscribe
        from coupons.monitoring import coupons_follow, registry_status_changed
        from registry.events import OrganisationStatusChanged
        from registry.watch import organisations_follower_register

        organisations_follower_register(coupons_follow)
        event_subscribe(OrganisationStatusChanged, registry_status_changed)
