from dataclasses import asdict

from django import forms
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from registry.countries import register_country_choices
from registry.search.engine import search_organisations
from registry.selectors import organisation_get


class SearchForm(forms.Form):
    country = forms.ChoiceField(label=_("Country or region where the organisation is registered"), required=False)
    q = forms.CharField(
        label=_("Legal name or registry number"), required=False, max_length=settings.SEARCH_MAX_QUERY_CHARS, strip=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries")), *register_country_choices()]


def organisation_search(request):
    form = SearchForm(request.GET or None)
    hits, searched = [], False
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        searched = True
        hits = search_organisations(query=form.cleaned_data["q"], country=form.cleaned_data["country"], limit=20)
    return render(request, "registry/search.html", {"form": form, "hits": hits, "searched": searched})


def organisation_detail(request, org_id: str):
    return render(request, "registry/detail.html", {"org": organisation_get(org_id=org_id)})


@require_GET
def organisation_suggest(request):
    """The pages' autocomplete (same origin, no API key): the search as JSON, at most SEARCH_MAX_LIMIT hits."""
    query = request.GET.get("q", "")[: settings.SEARCH_MAX_QUERY_CHARS]
    try:
        limit = min(max(int(request.GET.get("limit", 8)), 1), settings.SEARCH_MAX_LIMIT)
    except ValueError:
        limit = 8
    country = request.GET.get("country", "")[:2] or None
    hits = search_organisations(query=query, country=country, limit=limit) if query.strip() else []
    return JsonResponse({"query": query, "results": [asdict(hit) for hit in hits]})
