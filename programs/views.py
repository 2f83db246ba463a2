"""The program's public pages beside the journey: its published rules and its FAQ (thin: read, render)."""

from datetime import datetime

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.money import format_minor_localized
from programs.faq import program_faq
from programs.selectors import program_get, program_rulebook


def _countries_by_verification(countries: list[dict]) -> tuple[list[dict], list[dict]]:
    """The page's view of the rules' country list: each country with a register on its own row, the others grouped
    by the documents they send (a program open to every country would otherwise repeat the same list 240 times)."""
    with_registers = [row for row in countries if row["registers"]]
    groups: dict[tuple[str, ...], dict] = {}
    for row in countries:
        if not row["registers"]:
            key = tuple(doc["code"] for doc in row["documents"])
            groups.setdefault(key, {"documents": row["documents"], "countries": []})["countries"].append(row)
    return with_registers, sorted(groups.values(), key=lambda group: len(group["countries"]))


@require_GET
def rules_page(request, slug: str):
    program = program_get(slug=slug)
    rules = program_rulebook(program)
    register_countries, document_groups = _countries_by_verification(rules["countries"])
    context = {
        "program": program,
        "rules": rules,
        "register_countries": register_countries,
        "document_groups": document_groups,
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
