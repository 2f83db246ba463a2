"""Text that people type: cleaned once, the same way at every front door (pages, API, admin)."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import InvalidInput

LINE_BREAKS = "\r\n\u2028\u2029\x85"
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def has_control_characters(text: str, *, allow_newlines: bool = False) -> bool:
    """True when the text holds a control character (C0/C1 controls, DEL, line and paragraph separators,
    bidirectional overrides, lone surrogates); newlines and tabs only count when allow_newlines is False."""
    for char in text or "":
        if allow_newlines and char in "\r\n\t":
            continue
        if unicodedata.category(char) in {"Cc", "Cs", "Zl", "Zp"} or char in _BIDI_CONTROLS:
            return True
    return False


def text_clean(
    value: str | None, *, field: str, max_chars: int, required: bool = False, single_line: bool = False
) -> str:
    """Stripped text without control characters (a NUL cannot even be stored by PostgreSQL); `single_line`
    refuses line breaks and tabs too (a name on one line of an email header or a certificate)."""
    text = (value or "").strip()
    if has_control_characters(text, allow_newlines=not single_line):
        raise InvalidInput(
            _("The field %(field)s contains characters that are not allowed.") % {"field": field},
            code="invalid_input",
            details={"field": field},
        )
    if required and not text:
        raise InvalidInput(
            _("The field %(field)s is required.") % {"field": field}, code="invalid_input", details={"field": field}
        )
    if len(text) > max_chars:
        raise InvalidInput(
            _("The field %(field)s is longer than %(max)s characters.") % {"field": field, "max": max_chars},
            code="invalid_input",
            details={"field": field},
        )
    return text


@deconstructible
class SingleLineValidator:
    """A model field's validator (so ModelForms and the admin apply it too): one line, no control characters."""

    message = gettext_lazy("Enter a single line without control characters.")
    code = "single_line"

    def __call__(self, value):
        if has_control_characters(str(value)):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, SingleLineValidator)
