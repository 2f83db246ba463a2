from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from billing.catalog import catalog_for_programs
        from programs.catalog import product_catalog_register

        product_catalog_register(catalog_for_programs)  # programs validate and publish their products against it
