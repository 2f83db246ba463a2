"""`{% load explanations %}` then `{{ reason|explained }}`: a stored decision reason ({"code", "key", "params",
"message"}) in the active language, the page's or the email's (verification.reasons)."""

from django import template

from verification.reasons import reason_text

register = template.Library()


@register.filter
def explained(reason) -> str:
    return reason_text(reason) if isinstance(reason, dict) else str(reason)
