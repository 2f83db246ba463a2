"""Text that people type: cleaned once, the same way at every front door."""

from django.utils.translation import gettext as _

from core.errors import InvalidInput

LINE_BREAKS = "\r\n\u2028\u2029\x85"


def text_clean(value: str | None, *, field: str, max_chars: int, required: bool = False,
               single_line: bool = False) -> str:
    """Stripped text without control characters (a NUL cannot even be stored by PostgreSQL); `single_line`
    refuses line breaks too (a name on one line of an email header or a certificate)."""
    text = (value or "").strip()
    if any((ord(char) < 32 and char not in "\r\n\t") or ord(char) == 127 or 0xD800 <= ord(char) <= 0xDFFF
           or (single_line and char in LINE_BREAKS) for char in text):
        raise InvalidInput(_("The field %(field)s contains characters that are not allowed.") % {"field": field},
                           code="invalid_input", details={"field": field})
    if required and not text:
        raise InvalidInput(_("The field %(field)s is required.") % {"field": field}, code="invalid_input",
                           details={"field": field})
    if len(text) > max_chars:
        raise InvalidInput(_("The field %(field)s is longer than %(max)s characters.") % {"field": field,
                                                                                         "max": max_chars},
                           code="invalid_input", details={"field": field})
    return text
