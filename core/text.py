"""Plain text checks shared by every front door (pages, API, admin)."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


def has_control_characters(text: str, *, allow_newlines: bool = False) -> bool:
    """True when the text holds a control or format character (C0/C1 controls, DEL, line and paragraph separators,
    bidirectional overrides, lone surrogates); newlines and tabs only count when allow_newlines is False."""
    for char in text or "":
        if allow_newlines and char in "\r\n\t":
            continue
        if unicodedata.category(char) in {"Cc", "Cs", "Zl", "Zp"} or char in "\u202a\u202b\u202c\u202d\u202e" \
                "\u2066\u2067\u2068\u2069":
            return True
    return False


@deconstructible
class SingleLineValidator:
    """A name or a title: one line, no control characters."""

    message = _("Enter a single line without control characters.")
    code = "single_line"

    def __call__(self, value):
        if has_control_characters(str(value)):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, SingleLineValidator)
