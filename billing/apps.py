from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from billing.catalog import catalog_for_programs
        from programs.catalog import product_catalog_register

        product_catalog_register(catalog_for_programs)  # programs validate and publish their products against it

        from django.db.models.signals import post_delete, post_save

        from billing.models import Price, Product
        from billing.plans import plans_forget
        from programs.models import Program

        # The plans page's cached catalog (billing.plans) is forgotten when what it shows changes.
        for model in (Product, Price, Program):
            post_save.connect(plans_forget, sender=model, dispatch_uid=f"plans-forget-save-{model.__name__}")
            post_delete.connect(plans_forget, sender=model, dispatch_uid=f"plans-forget-delete-{model.__name__}")
