"""The normalised categories every registry's codes are mapped to (the table is in docs/categories.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    PUBLIC_CHARITY = "public_charity", _("Public charity")
    PRIVATE_FOUNDATION = "private_foundation", _("Private foundation")
    RELIGIOUS = "religious", _("Religious organisation")
    SCHOOL = "school", _("School")
    HIGHER_EDUCATION = "higher_education", _("Higher education")
    HEALTH = "health", _("Hospital or health care")
    GOVERNMENT = "government", _("Government body")
    POLITICAL = "political", _("Political organisation")
    MUTUAL = "mutual", _("Mutual or membership organisation")
    PROFESSIONAL = "professional", _("Professional association or union")
    OTHER = "other", _("Other")


_ORDER = [c.value for c in Category if c != Category.OTHER]


def ordered(categories: set[str]) -> list[str]:
    """Categories in a stable order, 'other' only when nothing else applies."""
    chosen = [c for c in _ORDER if c in categories]
    return chosen or [Category.OTHER.value]
