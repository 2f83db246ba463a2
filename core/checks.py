"""Configuration warnings shown at start-up and by `manage.py check`."""

from django.conf import settings
from django.core.checks import Warning as CheckWarning
from django.core.checks import register


def generated_key_on_shared_database() -> str:
    """A warning when SECRET_KEY was generated into the data folder while the database can be shared by machines.

    Each machine would generate its own key: coupons hashed on one are not found on the other, and signed links
    and sessions break between them. (Production mode refuses to start without SECRET_KEY; this is the case of a
    shared database outside it.)"""
    if not getattr(settings, "SECRET_KEY_GENERATED", False) or getattr(settings, "USES_SQLITE", True):
        return ""
    return (
        f"SECRET_KEY is not set: using the key generated in {settings.DATA_DIR / 'secret_key'}, on a database "
        "other machines can share. Every machine must use the same key, or coupons issued on one are not found "
        "on another: set SECRET_KEY (or SECRET_KEY_FILE) to the same value everywhere."
    )


@register("security", deploy=False)
def check_shared_secret_key(app_configs, **kwargs):
    message = generated_key_on_shared_database()
    return [CheckWarning(message, id="vouch.W001")] if message else []
