"""Numbers as people type them in their language: "250 000", "250 000,00" (French, with any kind of space,
the narrow no-break space included) or "250,000.00" (English). Input that can honestly be read two ways
("250.000" in French: 250 thousand, or 250?) is refused with a message that says both readings.

Rules, for the active language (its decimal mark: "," in French, "." in English; its grouping mark: a space in
French, "," or a space in English):
- spaces of every kind group thousands (groups of three digits after the first);
- with both "." and "," the last one is the decimal mark and the other groups thousands;
- a mark that appears more than once groups thousands;
- a single "." or "," followed by exactly three digits is the language's thousands grouping when it is one ("," in
  English), ambiguous otherwise; followed by any other count of digits it is the decimal mark.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f\u2002\u2003\u2004\u2005\u2006\u2008\u200a\u205f\u3000']+")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+$")
_GROUP_MARK = {"en": ","}  # languages whose thousands mark is "," (French groups with a space only)
MAX_CHARS = 60


class AmbiguousNumber(ValueError):
    def __init__(self, grouped: Decimal, decimal: Decimal):
        super().__init__(f"{grouped} or {decimal}")
        self.grouped, self.decimal = grouped, decimal


def parse_localized_number(text: str, *, language: str | None = None) -> Decimal:
    """A Decimal from what a person typed; ValueError when it is not a number, AmbiguousNumber when it can be read
    two ways."""
    language = (language or get_language() or "en").split("-")[0]
    text = (text or "").strip().replace("\u2212", "-")
    if not text or len(text) > MAX_CHARS:
        raise ValueError("empty or too long")
    sign = ""
    if text[0] in "+-":
        sign, text = ("-" if text[0] == "-" else ""), text[1:].strip()
    if _SPACES.search(text):
        parts = _SPACES.split(text)
        integer, _sep, fraction = parts[-1].partition(next((m for m in ".," if m in parts[-1]), "\x00"))
        groups = [*parts[:-1], integer]
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            raise ValueError("spaces that do not group thousands")
        text = "".join(groups) + (_sep + fraction if _sep else "")
    if not re.fullmatch(r"[0-9.,]+", text) or not any(c.isdigit() for c in text):
        raise ValueError("not a number")
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal_mark = "." if text.rfind(".") > text.rfind(",") else ","
        group_mark = "," if decimal_mark == "." else "."
        integer, fraction = text.rsplit(decimal_mark, 1)
        if (
            group_mark in fraction
            or not re.fullmatch(r"\d{1,3}(?:\d{3})*", integer.replace(group_mark, ""))
            or not _GROUPED.match(integer.replace(group_mark, ","))
        ):
            raise ValueError("misplaced separators")
        return _decimal(sign + integer.replace(group_mark, "") + "." + fraction)
    if dots or commas:
        mark = "." if dots else ","
        if dots + commas > 1:
            if not _GROUPED.match(text.replace(mark, ",")):
                raise ValueError("misplaced separators")
            return _decimal(sign + text.replace(mark, ""))
        integer, fraction = text.split(mark)
        if len(fraction) == 3 and integer and len(integer) <= 3 and integer != "0":
            if _GROUP_MARK.get(language) == mark:
                return _decimal(sign + integer + fraction)
            raise AmbiguousNumber(_decimal(sign + integer + fraction), _decimal(sign + integer + "." + fraction))
        return _decimal(sign + (integer or "0") + "." + fraction)
    return _decimal(sign + text)


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def _parse_for_field(value, field: forms.Field) -> Decimal:
    from django.utils import formats

    try:
        return parse_localized_number(str(value))
    except AmbiguousNumber as exc:
        raise ValidationError(
            _(
                "“%(value)s” could mean %(grouped)s or %(decimal)s. Type it without a point or a comma between the "
                "thousands (for example %(grouped)s)."
            ),
            code="ambiguous",
            params={
                "value": value,
                "grouped": formats.number_format(exc.grouped, use_l10n=True),
                "decimal": formats.number_format(exc.decimal.normalize(), use_l10n=True),
            },
        ) from exc
    except ValueError as exc:
        raise ValidationError(field.error_messages["invalid"], code="invalid") from exc


class LocalizedDecimalField(forms.DecimalField):
    """A DecimalField that reads numbers as the active language writes them (see the module docstring), in a text
    input: a browser's number input refuses "250 000"."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("localize", True)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int):
            return Decimal(value)
        return _parse_for_field(value, self)


class LocalizedIntegerField(forms.IntegerField):
    """An IntegerField that reads "1 000", "1,000" (English) or "1 000,00"; a fractional value is refused."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("localize", True)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        number = _parse_for_field(value, self)
        if number != number.to_integral_value():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(number)
