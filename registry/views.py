from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from registry.countries import country_choices
from registry.search.engine import search_organisations
from registry.selectors import organisation_get


class SearchForm(forms.Form):
    country = forms.ChoiceField(label=_("Country or region where the organisation is registered"), required=False)
    q = forms.CharField(label=_("Legal name or registry number"), required=False,
                        max_length=settings.SEARCH_MAX_QUERY_CHARS, strip=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries")), *country_choices()]


def organisation_search(request):
    form = SearchForm(request.GET or None)
    hits, searched = [], False
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        searched = True
        hits = search_organisations(query=form.cleaned_data["q"], country=form.cleaned_data["country"], limit=20)
    return render(request, "registry/search.html", {"form": form, "hits": hits, "searched": searched})


def organisation_detail(request, org_id: str):
    return render(request, "registry/detail.html", {"org": organisation_get(org_id=org_id)})
