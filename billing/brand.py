"""The vendor's brand and identity (settings.VENDOR_*): on the store's pages (a context processor), in the store's
emails (billing.accounts.store_email_queue) and as the seller on invoices. The verification pages keep the
verifier's (Vouch's) brand: the base template shows the vendor only where a store template asks for it."""

import re

from django.conf import settings
from django.templatetags.static import static

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOUR = "#5b2a86"


def _logo_url(value: str) -> str:
    if not value:
        return ""
    return value if value.startswith(("https://", "http://", "/")) else static(value)


def vendor_brand() -> dict:
    colour = getattr(settings, "VENDOR_BRAND_COLOUR", "") or DEFAULT_COLOUR
    return {
        "name": getattr(settings, "VENDOR_NAME", "") or "Workplace",
        "legal_name": getattr(settings, "VENDOR_LEGAL_NAME", "") or getattr(settings, "VENDOR_NAME", ""),
        "address": list(getattr(settings, "VENDOR_ADDRESS", []) or []),
        "tax_id": getattr(settings, "VENDOR_TAX_ID", ""),
        "logo_url": _logo_url(getattr(settings, "VENDOR_LOGO", "")),
        "colour": colour if _COLOUR.match(colour) else DEFAULT_COLOUR,
        "support_contact": getattr(settings, "VENDOR_SUPPORT_CONTACT", ""),
    }


def vendor_context(request) -> dict:
    """Templates get `vendor` (used by the store's templates only)."""
    return {"vendor": vendor_brand()}


def vendor_email_context() -> dict:
    """What the email base template needs to sign a store email with the vendor's name instead of Vouch's."""
    brand = vendor_brand()
    absolute_logo = brand["logo_url"]
    if absolute_logo.startswith("/"):
        absolute_logo = settings.PUBLIC_BASE_URL + absolute_logo
    return {
        "store_vendor": brand["name"],
        "store_colour": brand["colour"],
        "store_logo_url": absolute_logo,
        "store_support": brand["support_contact"],
    }
