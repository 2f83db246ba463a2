"""The program's public pages beside the journey: its published rules and its FAQ (thin: read, render)."""

from datetime import datetime

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.money import format_minor_localized
from programs.faq import program_faq
from programs.selectors import program_get, program_rulebook


@require_GET
def rules_page(request, slug: str):
    program = program_get(slug=slug)
    rules = program_rulebook(program)
    context = {
        "program": program,
        "rules": rules,
        "cap": format_minor_localized(rules["budget_cap"]["amount_minor"], rules["budget_cap"]["currency"]),
        "published_at": datetime.fromisoformat(rules["published_at"]) if rules["published_at"] else None,
        "api_url": reverse("api-v1:program_rules", kwargs={"slug": program.slug}),
    }
    return render(request, "programs/rules.html", context)


@require_GET
def faq_page(request, slug: str):
    program = program_get(slug=slug)
    answers = program_faq(program, program_rulebook(program))
    return render(request, "programs/faq.html", {"program": program, "answers": answers})
