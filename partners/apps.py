from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners and API keys"

    def ready(self):
        from partners.invites import invite_return_url
        from verification.extensions import status_return_link_register

        status_return_link_register(invite_return_url)
