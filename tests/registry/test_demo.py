import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from programs.demo import DEMO_VALUES
from programs.models import Program
from registry.countries import REGISTER_COUNTRIES
from registry.models import Organisation
from registry.search.engine import search_organisations
from tests.conftest import ROOT

DEMO_SOURCES = {"us-irs-bmf": 3000, "au-acnc": 300, "gb-oscr": 300, "fr-rna": 300}


@pytest.fixture
def demo(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_creates_searchable_data_and_the_program_once(demo):
    for source, count in DEMO_SOURCES.items():
        assert f"demo {source}: created {count}, unchanged 0" in demo
    total = Organisation.objects.count()
    assert total == sum(DEMO_SOURCES.values()) and Program.objects.filter(slug="workplace-nonprofit").exists()
    from billing.models import Product

    assert Product.objects.filter(code="workplace-pro").exists()

    out = io.StringIO()
    call_command("seed_demo", stdout=out)  # again: nothing changes
    for source, count in DEMO_SOURCES.items():
        assert f"demo {source}: created 0, unchanged {count}" in out.getvalue()
    assert Organisation.objects.count() == total and Program.objects.count() == 1

    school = search_organisations(query="maple academy", country="US")[0]
    assert school.name == "MAPLE ACADEMY"
    australian = Organisation.objects.filter(country="AU").first()
    assert australian.website.endswith(".org.au") or "org.au" in australian.website


@pytest.mark.django_db
def test_demo_covers_every_country_with_a_register(demo):
    """The demo program takes every country; the demo registers cover each country whose register Vouch imports
    (the others apply by hand)."""
    countries = set(Organisation.objects.filter(status="active").values_list("country", flat=True).distinct())
    assert DEMO_VALUES["supported_countries"] == []
    assert countries == REGISTER_COUNTRIES
    for country in sorted(REGISTER_COUNTRIES):
        # A visitor of each country finds an organisation by typing a word of the demo's names.
        some = Organisation.objects.filter(country=country, status="active").order_by("org_id").first()
        assert search_organisations(query=some.name, country=country)[0].org_id == some.org_id


def page_hints() -> list[str]:
    """The examples the pages give ("For example: A, B or C."), from every template."""
    examples = []
    for template in (ROOT / "templates").rglob("*.html"):
        for hint in re.findall(r'translate "For example: ([^"]+?)\."', template.read_text()):
            examples += [e.strip() for e in re.split(r",| or ", hint) if e.strip()]
    return examples


def readme_examples() -> list[tuple[str, str | None]]:
    """The searches the README shows: search_registry's query and the API's q parameter, with their country."""
    readme = (ROOT / "README.md").read_text()
    found = [
        (query, country) for country, query in re.findall(r'search_registry (?:--country (\w\w) )?"([^"]+)"', readme)
    ]
    for url in re.findall(r"'(http://[^']*/organisations\?[^']*)'", readme):
        params = parse_qs(urlsplit(url).query)
        found.append((params["q"][0], params.get("country", [None])[0]))
    return found


def test_the_examples_are_found_where_this_test_looks():
    assert {"American Red Cross", "53-0196605", "SC012345", "W9T1002867"} <= set(page_hints())
    assert ("american red cross", "US") in readme_examples() and ("american red cros", "US") in readme_examples()


@pytest.mark.django_db
def test_every_example_on_the_pages_and_in_the_readme_finds_something_in_the_demo(demo):
    for query, country in [(hint, None) for hint in page_hints()] + readme_examples():
        hits = search_organisations(query=query, country=country)
        assert hits, f"the example {query!r} finds nothing in the demo"
        digits = re.sub(r"\W", "", query)
        if any(ch.isdigit() for ch in digits):  # a registry number: that organisation, first
            assert hits[0].registry_number.replace("-", "") == digits, (query, hits[0])
        else:
            # A name: each word typed (the last one perhaps cut short, as in the README's "cros") is in the first hit.
            name = hits[0].name.upper().split()
            assert all(any(n.startswith(w) for n in name) for w in query.upper().split()), (query, hits[0].name)
