from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners and API keys"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from partners.invites import invite_return_url
        from partners.models import ApiKey, Partner
        from programs.models import Program
        from verification.extensions import status_return_link_register

        status_return_link_register(invite_return_url)
        # A key, partner or program saved or deleted (revoked, deactivated, edited in the admin): this process
        # forgets the keys it remembered with their partner and program (partners.services: others do within
        # API_KEY_CACHE_SECONDS).
        for model in (ApiKey, Partner, Program):
            post_save.connect(_forget_keys, sender=model, dispatch_uid=f"forget-keys-save-{model.__name__}")
            post_delete.connect(_forget_keys, sender=model, dispatch_uid=f"forget-keys-delete-{model.__name__}")


def _forget_keys(**_kwargs):
    from partners.services import api_keys_forget

    api_keys_forget()
