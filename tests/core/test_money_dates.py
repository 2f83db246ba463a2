"""Money and dates as each language writes them, on pages and in emails (Babel's CLDR data, Django's formats)."""

from datetime import date, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from core.money import format_money

NNBSP, NBSP = "\u202f", "\xa0"


@pytest.mark.parametrize(
    ("lang", "minor", "currency", "expected"),
    [
        ("en", 123456, "EUR", "€1,234.56"),
        ("fr", 123456, "EUR", f"1{NNBSP}234,56{NBSP}€"),
        ("en", 1_000_000_000, "USD", "$10,000,000.00"),
        ("fr", 1_000_000_000, "USD", f"10{NNBSP}000{NNBSP}000,00{NBSP}$US"),
        ("en", 1234, "JPY", "¥1,234"),  # no minor unit
        ("fr", 1234567, "BHD", f"1{NNBSP}234,567{NBSP}BHD"),  # three decimals
        ("en", -1199, "USD", "-$11.99"),
    ],
)
def test_money_per_language(lang, minor, currency, expected):
    assert format_money(minor, currency, lang) == expected
    with translation.override(lang):
        assert format_money(minor, currency) == expected
        assert Template("{% load vouch %}{{ a|money:c }}").render(Context({"a": minor, "c": currency})) == expected


@pytest.mark.parametrize(
    ("lang", "day", "moment"),
    [("en", "December 8, 2026", "December 8, 2026, 2:30 p.m."), ("fr", "8 décembre 2026", "8 décembre 2026 14:30")],
)
def test_dates_per_language(lang, day, moment):
    template = Template('{{ d|date:"DATE_FORMAT" }}|{{ t|date:"DATETIME_FORMAT" }}|{{ d }}')
    with translation.override(lang):
        rendered = template.render(Context({"d": date(2026, 12, 8), "t": datetime(2026, 12, 8, 14, 30)}))
    assert rendered == f"{day}|{moment}|{day}"


@pytest.mark.django_db
def test_emails_write_money_and_dates_in_the_recipient_language():
    from notifications.services import email_render

    context = {
        "number": "2026-000001",
        "total": "",
        "issued_at": datetime(2026, 12, 8, 14, 30),
        "period_start": date(2026, 12, 8),
        "period_end": date(2027, 12, 7),
        "invoice_url": "https://x.example/i",
        "pdf_url": "https://x.example/p",
    }
    _subject, text_en, _html = email_render(template="invoice_issued", context=context, language="en")
    _subject, text_fr, _html = email_render(template="invoice_issued", context=context, language="fr")
    assert "December 8, 2026" in text_en and "December 7, 2027" in text_en
    assert "8 décembre 2026" in text_fr and "7 décembre 2027" in text_fr
