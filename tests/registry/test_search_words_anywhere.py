"""The relaxed words-anywhere stage: function words ("du", "de la", "of the") and words of one or two letters are
never grounds on their own, in French or English; names sharing a real word still come back."""

import pytest

from registry.search.engine import search_organisations
from registry.search.normalise import STOP_WORDS, fold
from tests.registry.test_search_forgiving import RNA_HEADER, _rna_row

FRENCH = {
    "FR-RNA-W751000011": "SŒURS DU CŒUR",
    "FR-RNA-W751000012": "RESTAURANTS DU COEUR",
    "FR-RNA-W751000013": "AMIS DU LIVRE",
    "FR-RNA-W751000014": "CLUB DE LA PLAGE",
    "FR-RNA-W751000015": "LES AMIS DE LA MUSIQUE",
    "FR-RNA-W751000016": "COMITÉ DES FÊTES ET DU JUMELAGE",
    "FR-RNA-W751000017": "UNION POUR LA DÉFENSE DES USAGERS AU QUARTIER",
}


@pytest.fixture
def french_names(tmp_path, import_files):
    path = tmp_path / "rna_waldec_dpt_75.csv"
    rows = [_rna_row(org_id.removeprefix("FR-RNA-"), "", title) for org_id, title in FRENCH.items()]
    path.write_text("\n".join([RNA_HEADER, *rows]) + "\n", encoding="utf-8")
    _run, summary = import_files("fr-rna", path)
    assert summary.created == len(FRENCH), summary


def names(query: str, **kwargs) -> list[str]:
    return [hit.name for hit in search_organisations(query=query, limit=10, **kwargs)]


def shares_only_weak_words(query: str, name: str) -> bool:
    shared = set(fold(query).split()) & set(fold(name).split())
    return bool(shared) and all(word in STOP_WORDS or len(word) <= 2 for word in shared)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "jardin du zoologue",
        "Maison de la Bretonnerie",
        "Jardinage des Lilas et du Vélo",
        "pour la sauvegarde des moulins",
        "aux amateurs de la",  # the last word as typed, a prefix, would be "la*"
        "de la du des",
    ],
)
def test_french_query_without_a_match_lists_no_name_sharing_only_function_words(french_names, query):
    assert names(query) == [], query


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "zqxvy of the wpkrt",
        "friendz qqqq for the of",  # nothing is one edit from "qqqq"; "friendz" alone is no ground either
        "of the in to",
        "an uk ny",  # one- and two-letter words are no ground either
    ],
)
def test_english_query_without_a_match_lists_no_name_sharing_only_function_words(us_registry, query):
    found = names(query)
    assert not [name for name in found if shares_only_weak_words(query, name)], (query, found)
    assert found == [], (query, found)


@pytest.mark.django_db
def test_names_sharing_a_real_word_still_come_back(french_names):
    # "coeur" is a real word the two names share: what was left out ("zzzz") had no match at all.
    assert set(names("coeur du zzzz")) == {"SŒURS DU CŒUR", "RESTAURANTS DU COEUR"}
    # Function words inside a name still count in every other stage: exact, prefix, reordered, corrected.
    assert names("amis de la musique")[:1] == ["LES AMIS DE LA MUSIQUE"]
    assert names("les amis de")[:1] == ["LES AMIS DE LA MUSIQUE"]
    assert names("club de la plage")[:1] == ["CLUB DE LA PLAGE"]
    assert names("la plage de club")[:1] == ["CLUB DE LA PLAGE"]
    assert names("club de la plafe")[:1] == ["CLUB DE LA PLAGE"]
    assert names("comite des fetes du jumelage")[:1] == ["COMITÉ DES FÊTES ET DU JUMELAGE"]


@pytest.mark.django_db
def test_english_names_sharing_a_real_word_still_come_back(us_registry):
    found = names("anchorage of the mentall health")
    assert found and all("ANCHORAGE" in name and "MENTAL HEALTH" in name for name in found[:2]), found
    assert names("valdez junior of the rifle club")[:1] == ["VALDEZ JUNIOR RIFLE CLUB"]


@pytest.mark.django_db
def test_a_left_out_word_never_leaves_only_function_words(us_registry):
    # Nothing holds all of "house rising sun": a word is left out in turn, and what is left still needs a real
    # word: "HOUSE OF HOPE" may come back (it shares "house"), a name sharing only "of" or "the" may not.
    found = names("house of the rising sun")
    assert found and all("HOUSE" in name for name in found), found
