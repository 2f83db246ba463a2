"""Template filters shared by every app's pages and emails: money and prose.

`{% load vouch %}` then `{{ amount_minor|money:currency }}` (core.money's localized form) or
`{{ text|paragraphs }}` for texts written with hard line wraps (terms, privacy notices).
"""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.masking import email_mask
from core.money import format_minor_localized

register = template.Library()

_ITEM = re.compile(r"^(\d+[.)]|[-*•])\s")


@register.filter
def money(amount_minor, currency: str) -> str:
    """Minor units and a currency as the active language writes money ("34,742.00 USD", "34 742,00 USD")."""
    if amount_minor is None or amount_minor == "" or not currency:
        return ""
    return format_minor_localized(int(amount_minor), str(currency))


def prose_blocks(text: str) -> list[str]:
    """The paragraphs of a hard-wrapped text. A blank line, a numbered or bulleted line starts a new paragraph; any
    other line continues the one before it (its line break was only the author's wrapping)."""
    blocks: list[list[str]] = []
    starting = True
    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            starting = True
            continue
        if starting or _ITEM.match(line):
            blocks.append([line])
        else:
            blocks[-1].append(line)
        starting = False
    return [" ".join(block) for block in blocks]


@register.filter(is_safe=True)
def paragraphs(text: str) -> str:
    """A hard-wrapped text as HTML paragraphs, never breaking a sentence where the author's editor wrapped it."""
    return mark_safe("\n".join(f"<p>{escape(block)}</p>" for block in prose_blocks(text)))  # noqa: S308 escaped


@register.filter
def masked_email(email: str) -> str:
    """ "director@example.org" -> "d•••••r@example.org" (core.masking)."""

    return email_mask(email)
