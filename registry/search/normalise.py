"""How names and registry numbers are reduced to the form both the index and the queries use.

The same functions run when a record is imported (`search_keys`, called by the import writer and by the re-fold
of existing rows) and when a person types, so what matches is symmetric: every script transliterated to ASCII
letters (anyascii: `Œ` -> `oe`, `ß` -> `ss`, `Ł` -> `l`, Cyrillic and Greek to Latin), case and accents folded,
apostrophes of every kind dropped (`d'un` = `d\u2019un` = `dun`), hyphens, dashes and other punctuation read as spaces,
and legal-form noise ("Inc", "Ltd", "e.V.", "The", "Community Interest Company"…) removed.
"""

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

# Bump when folding changes: the stored search keys of every organisation are then re-folded by
# `manage.py migrate` (registry.services.search_index), and imports fingerprint rows with it.
NORMALISATION_VERSION = 3

# Words that say what legal form an organisation has, not which organisation it is. Words that can also name
# the organisation ("Trust", "Foundation", "Society", "Fund", "Church") are not noise: "The Smith Trust" and
# "Smith Foundation" are two different organisations.
NOISE_WORDS = frozenset(
    [
        "the",
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "l3c",
        "llp",
        "pllc",
        "corp",
        "corporation",
        "co",
        "company",
        "plc",
        "pty",
        "cic",
        "cio",
        "scio",
        "gmbh",
        "ggmbh",
        "ag",
        "asbl",
        "aisbl",
        "vzw",
        "sa",
        "sarl",
        "sas",
        "scic",
        "srl",
        "ltda",
        "association",
        "assoc",
        "assn",
        "asso",
        "and",
        "et",
        "und",  # "&" is a separator too: "Friends & Family" = "Friends and Family" = "Friends et Family"
        "ev",
        "e",
        "v",  # "e.V." and "e. V." once punctuation is dropped
    ]
)
# Function words of the languages the registers are written in (English, French, and the Spanish and German of
# many US and French names): part of a name, so exact, prefix, reordered and corrected look-ups keep them, but
# never grounds on their own for the words-anywhere stage, where "du" or "of the" would list half the register.
# Folded forms ("l'" and "d'" are gone with their apostrophe; one letter is never a ground either).
STOP_WORDS = frozenset(
    """
    a an the of in on at to for by with from into onto upon via per and or nor as is are be its it this that
    our your my his her their
    le la les un une des du de au aux en dans sur sous par pour avec sans chez entre vers ou et
    son sa ses leur leurs notre nos votre vos ce cet cette ces qui que
    el los las del y al con
    der das und von zu
    """.split()
)
# Legal forms written out in full, read as their abbreviation (then dropped as noise).
_LEGAL_PHRASES = {
    "community interest company": "cic",
    "charitable incorporated organisation": "cio",
    "charitable incorporated organization": "cio",
    "public limited company": "plc",
    "limited liability company": "llc",
    "proprietary limited": "pty ltd",
    "association loi 1901": "association",
    "loi 1901": "",
    "eingetragener verein": "ev",
}
_PHRASE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _LEGAL_PHRASES), key=len, reverse=True)) + r")\b")
_SEPARATORS = re.compile(r"[^0-9a-z]+")
_APOSTROPHES = ("'", "`")
_MAX_NAME_CHARS = 300


class _FoldTable(dict):
    """str.translate table for non-ASCII characters, filled on first sight of each character: letters and digits
    of any script transliterated (anyascii), combining marks and invisible format characters (soft hyphen,
    zero-width joiner) removed, apostrophes of every kind removed, anything else (dashes, symbols, emoji,
    unusual spaces) a space."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        category = unicodedata.category(char)
        if category[0] in "LN":
            value = anyascii(char)
        elif category[0] == "M" or category == "Cf":
            value = ""
        else:
            value = "" if anyascii(char) in _APOSTROPHES else " "
        if len(self) < 200_000:
            self[code] = value
        return value


_TABLE = _FoldTable()


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case ASCII letters and digits only, single spaces: 'Société Générale!' -> 'societe generale',
    'SŒURS DU CŒUR' -> 'soeurs du coeur'."""
    text = text[: _MAX_NAME_CHARS * 4]
    if not text.isascii():  # most registry names are plain ASCII: skip the per-character work for them
        text = text.translate(_TABLE)
    text = text.lower()
    if "'" in text or "`" in text:
        text = text.replace("'", "").replace("`", "")
    text = " ".join(_SEPARATORS.split(text)).strip()
    if _PHRASE.search(text):
        text = " ".join(_PHRASE.sub(lambda m: _LEGAL_PHRASES[m.group(1)], text).split())
    return text


def name_tokens(text: str) -> list[str]:
    folded = fold(text).split()
    tokens = [t for t in folded if t not in NOISE_WORDS]
    # A name made only of noise ("The Company Ltd") keeps its words rather than vanishing.
    return tokens or folded


def normalise_name(text: str) -> str:
    if text.isascii() and len(text) <= _MAX_NAME_CHARS * 4:
        # Most names, and every import's hot loop: ASCII, folded by one table. Exactly what fold() does with them
        # (tested against it), bar the legal phrases, which the full path rewrites.
        if "'" in text or "`" in text:
            text = text.replace("'", "").replace("`", "")
        words = text.translate(_ASCII_FOLD).split()
        if _PHRASE_STARTS.isdisjoint(words):
            tokens = [word for word in words if word not in NOISE_WORDS]
            return " ".join(tokens or words)[:_MAX_NAME_CHARS]
    return " ".join(name_tokens(text))[:_MAX_NAME_CHARS]


# ASCII letters lower-cased, digits kept, anything else a space: the ASCII half of fold() in one str.translate.
_ASCII_FOLD = {
    code: chr(code).lower() if chr(code).isalnum() else " " for code in range(128) if not chr(code).islower()
}
_PHRASE_STARTS = frozenset(phrase.split()[0] for phrase in _LEGAL_PHRASES)


def search_keys(name: str, other_names: list[dict[str, str]]) -> tuple[str, str]:
    """An organisation's stored search keys: (search_name, search_alt). The one place that decides them."""
    if not other_names:
        return normalise_name(name), ""
    alternatives = dict.fromkeys(n for n in (normalise_name(o["name"]) for o in other_names) if n)
    return normalise_name(name), " | ".join(alternatives)


# org-id prefixes (without dashes), stripped from a number typed with one. Scottish numbers keep their "SC".
_NUMBER_PREFIXES = ("GBCHC", "GBSC", "GBNIC", "USEIN", "AUABN", "FRRNA", "NIC")


def normalise_number(text: str) -> str:
    """A registry number as typed ('03-0413726', 'sc 012345', '11 005 357 522') in its stored form."""
    compact = re.sub(r"[\s\-./]", "", text.strip().upper())
    for prefix in _NUMBER_PREFIXES:
        rest = compact[len(prefix) :]
        if compact.startswith(prefix) and rest.isalnum() and any(c.isdigit() for c in rest):
            return "SC" + rest if prefix == "GBSC" and not rest.startswith("SC") else rest
    return compact


_NUMBER_SHAPE = re.compile(r"^(?:[A-Z]{0,6}\d[\dA-Z]{3,14})$")


def looks_like_number(text: str) -> bool:
    """True for input shaped like a registry number rather than a name: mostly digits, at most one word."""
    compact = normalise_number(text)
    digits = sum(ch.isdigit() for ch in compact)
    return bool(_NUMBER_SHAPE.match(compact)) and digits >= max(4, len(compact) // 2)
