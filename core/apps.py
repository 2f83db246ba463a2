import logging

from django.apps import AppConfig

logger = logging.getLogger("vouch.configuration")


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Vouch core"

    def ready(self):
        from core import checks

        message = checks.generated_key_on_shared_database()
        if message:  # every process says it at start-up (web workers, task worker, commands), not only `check`
            logger.warning(message)
