"""`{% load registry_tags %}`: registry category codes as their names in the active language."""

from django import template

from registry.categories import Category

register = template.Library()


@register.filter
def category_labels(codes) -> str:
    """Category codes (registry.categories.Category) as their translated names, joined with commas."""
    labels = dict(Category.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes or ())
