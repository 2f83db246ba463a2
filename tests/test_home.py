import pytest

from programs.demo import program_demo_ensure


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "heading"), [("en", "Programs"), ("fr", "Programmes")])
def test_home_lists_active_programs(client, lang, heading):
    program = program_demo_ensure()
    html = client.get(f"/{lang}/").content.decode()
    name = program.name_fr if lang == "fr" else program.name  # the program's name in the page's language
    assert heading in html and name in html and f"/{lang}/programs/{program.slug}/" in html
