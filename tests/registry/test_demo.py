import io

import pytest
from django.core.management import call_command

from programs.models import Program
from registry.models import Organisation
from registry.search.engine import search_organisations


@pytest.mark.django_db
def test_seed_demo_creates_searchable_data_and_the_program_once(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "created 3000" in out.getvalue() and "created 300" in out.getvalue()
    total = Organisation.objects.count()
    assert total == 3300 and Program.objects.filter(slug="workplace-nonprofit").exists()
    from billing.models import Product

    assert Product.objects.filter(code="workplace-pro").exists()

    out = io.StringIO()
    call_command("seed_demo", stdout=out)  # again: nothing changes
    assert "unchanged 3000" in out.getvalue() and "unchanged 300" in out.getvalue()
    assert Organisation.objects.count() == total and Program.objects.count() == 1

    school = search_organisations(query="maple academy", country="US")[0]
    assert school.name == "MAPLE ACADEMY"
    australian = Organisation.objects.filter(country="AU").first()
    assert australian.website.endswith(".org.au") or "org.au" in australian.website
