"""Numbers typed as each language writes them (core.number_input), with a clear refusal of ambiguous input."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from core.number_input import AmbiguousNumber, LocalizedDecimalField, LocalizedIntegerField, parse_localized_number

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("250 000", "250000"),
        ("250 000,00", "250000.00"),
        (f"250{NNBSP}000", "250000"),
        (f"1{NBSP}250{NBSP}000,5", "1250000.5"),
        ("250000", "250000"),
        ("250,5", "250.5"),
        ("0,75", "0.75"),
        ("250.000,00", "250000.00"),
        ("1.250.000", "1250000"),
        ("250,000.00", "250000.00"),
        ("250.50", "250.50"),
        ("  12 345  ", "12345"),
        ("-3", "-3"),
    ],
)
def test_french(text, value):
    assert parse_localized_number(text, language="fr") == Decimal(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("250,000", "250000"),
        ("250,000.00", "250000.00"),
        ("1,250,000.5", "1250000.5"),
        ("250000.5", "250000.5"),
        ("250 000", "250000"),
        (f"250{NNBSP}000.00", "250000.00"),
        ("250.000,00", "250000.00"),
        ("0.5", "0.5"),
    ],
)
def test_english(text, value):
    assert parse_localized_number(text, language="en") == Decimal(value)


@pytest.mark.parametrize(("text", "language"), [("250.000", "fr"), ("250,000", "fr"), ("1.500", "en")])
def test_ambiguous(text, language):
    with pytest.raises(AmbiguousNumber):
        parse_localized_number(text, language=language)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "lots",
        "1e400",
        "12 34",
        "1,2,3",
        "1.000,000,00",
        "250 000 0",
        "--1",
        "1-",
        "0x10",
        "NaN",
        "Infinity",
        "١٢٣",
        "1" * 100,
    ],
)
def test_invalid(text):
    for language in ("fr", "en"):
        with pytest.raises(ValueError):
            parse_localized_number(text, language=language)


class _Form(forms.Form):
    amount = LocalizedDecimalField(decimal_places=2, max_digits=18, min_value=Decimal(0))
    count = LocalizedIntegerField(min_value=1, max_value=100_000, required=False)


def test_fields_follow_the_active_language_and_explain_ambiguity():
    with translation.override("fr"):
        form = _Form({"amount": "250 000,00", "count": "1 000"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data == {"amount": Decimal("250000.00"), "count": 1000}
        form = _Form({"amount": "250.000", "count": "1,5"})
        assert not form.is_valid()
        assert form.errors.as_data()["amount"][0].code == "ambiguous"
        assert "pourrait signifier 250000 ou 250." in form.errors["amount"][0]  # both readings, in French
        assert form.errors.as_data()["count"][0].code == "invalid"  # not a whole number
        html = str(_Form()["amount"])
        assert 'type="text"' in html and 'inputmode="decimal"' in html  # a number input refuses "250 000"
    with translation.override("en"):
        form = _Form({"amount": "250,000.00", "count": "1,000"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data == {"amount": Decimal("250000.00"), "count": 1000}
        form = _Form({"amount": "1.500"})
        assert not form.is_valid() and "could mean 1500 or 1.5" in form.errors["amount"][0]
