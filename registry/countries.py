from django.utils.translation import gettext_lazy as _

# Countries whose registers Vouch imports today (see registry/importers).
COUNTRY_NAMES = {
    "AU": _("Australia"),
    "FR": _("France"),
    "GB": _("United Kingdom"),
    "US": _("United States"),
}


def country_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(name)) for code, name in COUNTRY_NAMES.items()), key=lambda item: item[1])
