"""Folding names and queries, and reading registry numbers with their labels (no database)."""

import csv
import random
import string
from dataclasses import replace

import pytest

from registry.search.normalise import fold, name_tokens, normalise_name, search_keys
from registry.search.numbers import REGISTRY, SIREN, NumberLookup, number_lookups
from tests.conftest import REGISTRIES


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("SŒURS DU CŒUR", "soeurs du coeur"),
        ("Restaurants du Cœur", "restaurants du coeur"),
        ("ÆGIR STRAẞE Straße", "aegir strasse strasse"),
        ("Łódź Ørsted Þór", "lodz orsted thor"),
        ("ﬁnance ﬂow", "finance flow"),
        ("e\u0301cole", "ecole"),  # a combining accent, as macOS writes it
        ("Москва", "moskva"),
        ("ΕΛΛΗΝΙΚΗ", "elliniki"),
        ("Ｆｕｌｌｗｉｄｔｈ", "fullwidth"),
    ],
)
def test_transliteration_and_ligatures(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize("apostrophe", ["'", "\u2019", "\u2018", "\u02bc", "`", "\u00b4", "\uff07"])
def test_apostrophes_of_every_kind_are_dropped(apostrophe):
    assert normalise_name(f"L{apostrophe}École d{apostrophe}Été") == "lecole dete"


@pytest.mark.parametrize("dash", ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212", "\ufe63"])
def test_hyphens_and_dashes_of_every_kind_separate_words(dash):
    assert normalise_name(f"Saint{dash}Jean{dash}de{dash}Luz") == "saint jean de luz"


def test_invisible_and_symbol_characters():
    assert normalise_name("Hope\u00adful\u200b Trust") == "hopeful trust"  # soft hyphen, zero-width space
    assert normalise_name("Food\u00a0Bank\u202fNorth") == "food bank north"  # no-break spaces
    assert normalise_name("🙂 Smile ★ Club") == "smile club"
    assert fold("🙂🙂") == ""


def test_legal_forms_dropped_written_out_or_abbreviated():
    base = normalise_name("Green Shoots")
    for form in (
        "Green Shoots CIC",
        "Green Shoots Community Interest Company",
        "Green Shoots Limited",
        "The Green Shoots Pty Ltd",
        "Green Shoots, Inc.",
        "Green Shoots Charitable Incorporated Organisation",
        "Green Shoots LLP",
        "Association Green Shoots",
        "Green Shoots e.V.",
        "Green Shoots (loi 1901)",
    ):
        assert normalise_name(form) == base, form
    # Words that can name the organisation are kept.
    assert normalise_name("The Green Shoots Trust") == "green shoots trust"
    assert normalise_name("Green Shoots Foundation") == "green shoots foundation"
    assert normalise_name("The Company Ltd") == "the company ltd"  # nothing but noise: kept rather than vanishing


def test_search_keys_fold_other_names_once_each():
    assert search_keys(
        "SŒURS DU CŒUR",
        [{"kind": "short", "name": "Sœurs"}, {"kind": "x", "name": "SOEURS"}, {"kind": "y", "name": "!!"}],
    ) == ("soeurs du coeur", "soeurs")
    assert search_keys("A B", []) == ("a b", "")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("EIN 12-3456789", [NumberLookup(REGISTRY, "123456789", "US")]),
        ("ein: 123456789", [NumberLookup(REGISTRY, "123456789", "US")]),
        ("EIN #12 345 6789", [NumberLookup(REGISTRY, "123456789", "US")]),
        ("Employer Identification Number 12-3456789", [NumberLookup(REGISTRY, "123456789", "US")]),
        ("ABN 47 900 000 006", [NumberLookup(REGISTRY, "47900000006", "AU")]),
        ("ACN 004 085 616", [NumberLookup(REGISTRY, "53004085616", "AU")]),  # converted to its ABN (python-stdnum)
        ("RNA W9T1002867", [NumberLookup(REGISTRY, "W9T1002867", "FR")]),
        ("N° RNA : W9T1002867", [NumberLookup(REGISTRY, "W9T1002867", "FR")]),
        ("SIREN 732 829 320", [NumberLookup(SIREN, "732829320", "FR")]),
        ("siret 732 829 320 00074", [NumberLookup(SIREN, "732829320", "FR")]),
        ("charity no. 1234567", [NumberLookup(REGISTRY, "1234567", "GB")]),
        ("Registered Charity Number: 1234567", [NumberLookup(REGISTRY, "1234567", "GB")]),
        ("charity no SC012345", [NumberLookup(REGISTRY, "SC012345", "GB")]),
        ("OSCR 012345", [NumberLookup(REGISTRY, "SC012345", "GB")]),
        ("SC012345", [NumberLookup(REGISTRY, "SC012345")]),
        ("NIC100002", [NumberLookup(REGISTRY, "100002")]),
        ("CCNI NIC100002", [NumberLookup(REGISTRY, "100002", "GB")]),
        # A bare 9-digit number that passes the SIREN check (Luhn) is also looked up as a SIREN.
        ("732 829 320", [NumberLookup(REGISTRY, "732829320"), NumberLookup(SIREN, "732829320", "FR")]),
        ("010564885", [NumberLookup(REGISTRY, "010564885")]),
    ],
)
def test_numbers_with_labels_and_unusual_spacing(query, expected):
    assert [replace(lookup, certain=False) for lookup in number_lookups(query)] == expected


@pytest.mark.parametrize(
    ("query", "certain"),
    [
        ("EIN 12-3456789", True),
        ("charity no. 1234567", True),
        ("CCNI NIC100002", True),
        ("RNA W9T1002867", True),
        ("Charity 2000", False),  # a label and a short number: also a name ("CHARITY 2000 FOUNDATION")
        ("ein 1234", False),
        ("010564885", False),  # a bare number may be part of a name: names are searched when it is not found
        ("SC012345", False),
    ],
)
def test_a_labelled_number_of_registry_length_is_certain(query, certain):
    lookups = number_lookups(query)
    assert lookups and all(lookup.certain == certain for lookup in lookups)


@pytest.mark.parametrize(
    "query",
    [
        "rna society",
        "ein",
        "charity commission",
        "ACN 123 456 789",
        "abn abc",
        "SIREN ABC",
        "valdez rifle club",
        "",
        "EIN " + "9" * 500,
        "🙂",
    ],
)
def test_names_and_invalid_labelled_numbers_are_not_numbers(query):
    assert number_lookups(query) == []


def test_corrected_spellings_start_with_each_words_likeliest_spelling():
    from registry.search.engine import _variants

    # "embassador blue": the unknown word's only correction is the spelling to try, alone.
    assert _variants([["ambassador"], ["blue"]], with_base=True) == ["ambassador blue"]
    assert _variants([["ambassador"], ["blue"]]) == []
    assert _variants([["rhode"], ["island", "land"], ["women", "home"]], with_base=True) == [
        "rhode island women",
        "rhode land women",
        "rhode island home",
        "rhode land home",
    ]
    assert _variants([["a"], []], with_base=True) == []  # a word nothing resembles: no whole-name spelling


def test_ascii_fast_path_folds_as_the_full_path():
    """normalise_name() folds ASCII names with one table; fold() and name_tokens() stay the definition."""

    def reference(text: str) -> str:
        return " ".join(name_tokens(text))[:300]

    names = []
    for path in sorted((REGISTRIES / "us" / "irs_eo_bmf").glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                names += [row["NAME"], row["SORT_NAME"]]
    rng = random.Random(16)
    words = ["THE", "Inc.", "community", "Interest", "COMPANY", "loi", "1901", "association", "e.V.", "d'un", "O`Neil"]
    words += ["x-y", "a--b", "\t", "co", "Eingetragener", "verein", "Proprietary", "Limited", "public", "&", "--"]
    names += [" ".join(rng.choice(words) for _ in range(rng.randrange(6))) for _ in range(5000)]
    names += ["".join(rng.choice(string.printable) for _ in range(rng.randrange(40))) for _ in range(5000)]
    names += ["A " * 700, "Société Générale", "THE LTD INC", ""]
    assert len(names) > 16000
    assert [normalise_name(n) for n in names] == [reference(n) for n in names]
