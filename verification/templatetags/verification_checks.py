"""`{% load verification_checks %}`: a check's evidence as labelled lines people can read.

The evidence is what a rule looked at (verification.rules.facts: record, field, value, source, source_date, and the
rule's own keys). Pages (the journey's pre-check, the status page) and emails show it the same way.
"""

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from core.money import format_minor_localized
from registry.categories import Category

register = template.Library()

_LABELS = {
    "record": _("Record"),
    "source": _("Source"),
    "source_date": _("Register imported on"),
    "currency": _("Currency"),
    "period_end": _("Financial year ending"),
    "cap_minor": _("Program cap"),
    "converted_minor": _("Converted"),
    "rate": _("Exchange rate"),
    "supported": _("Countries served"),
    "sanctioned": _("Countries under sanctions"),
    "excluded": _("Kinds of organisation excluded"),
    "education_program_url": _("Education program"),
    "removed_on": _("Removed on"),
    "removal_reason": _("Reason"),
    "reinstated_on": _("Reinstated on"),
    "categories": _("Kinds of organisation"),
    "status": _("Status"),
    "country": _("Country"),
    "income_minor": _("Income"),
    "raw_codes": _("Register codes"),
}
_SHOWN_OTHERWISE = {"field", "value", "cap_currency"}
_ORDER = ("record", "source", "source_date")


def _text(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_text(item)}" for key, item in value.items())
    return str(value)


def _money(amount: Any, currency: Any) -> str | None:
    if isinstance(amount, int) and isinstance(currency, str) and len(currency) == 3:
        return format_minor_localized(amount, currency)
    return None


@register.filter
def evidence_items(evidence: Any) -> list[tuple[str, str]]:
    """[(label, value)]: the field the rule read and its value first, then where it comes from, then the rest."""
    if not isinstance(evidence, dict):
        return []
    items: list[tuple[str, str]] = []
    field = evidence.get("field")
    value = evidence.get("value")
    if field:
        if field == "income_minor":
            shown = _money(value, evidence.get("currency")) or _text(value)
        elif field == "categories":
            labels = dict(Category.choices)
            shown = _text([str(labels.get(code, code)) for code in value or ()])
        else:
            shown = _text(value)
        items.append((str(_LABELS.get(field, field)), shown))
    for key in (*_ORDER, *(key for key in evidence if key not in _ORDER)):
        if key in _SHOWN_OTHERWISE or key == field or key not in evidence:
            continue
        item = evidence[key]
        if item is None or item == "" or item == [] or item == {}:
            continue
        if key in ("cap_minor", "converted_minor"):
            shown = _money(item, evidence.get("cap_currency")) or _text(item)
        elif key == "excluded":
            labels = dict(Category.choices)
            shown = _text([str(labels.get(code, code)) for code in item])
        else:
            shown = _text(item)
        items.append((str(_LABELS.get(key, key)), shown))
    return items
