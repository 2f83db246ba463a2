"""How names and registry numbers are reduced to the form both the index and the queries use.

The same function runs when a record is imported and when a person types, so what matches is symmetric:
case and accents folded, punctuation dropped, legal-form noise ("Inc", "Ltd", "e.V.", "The"…) removed.
"""

import re
import unicodedata
from functools import lru_cache

# Bump when folding changes: imports fingerprint rows with it, so the next import rewrites every search key.
NORMALISATION_VERSION = 2

# Words that say what legal form an organisation has, not which organisation it is.
NOISE_WORDS = frozenset([
    "the", "inc", "incorporated", "ltd", "limited", "llc", "l3c", "corp", "corporation", "co", "company",
    "plc", "cic", "cio", "scio", "gmbh", "ggmbh", "ag", "asbl", "aisbl", "vzw", "sa", "sarl", "sas",
    "association", "assoc", "assn", "asso",
    "and", "et", "und",  # "&" is a separator too: "Friends & Family" = "Friends and Family" = "Friends et Family"
    "ev", "e", "v",  # "e.V." and "e. V." once punctuation is dropped
])
_SEPARATORS = re.compile(r"[^0-9a-z]+")
_MAX_NAME_CHARS = 300


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case ASCII letters and digits only, single spaces: 'Société Générale!' -> 'societe generale'."""
    text = text[:_MAX_NAME_CHARS * 4]
    if not text.isascii():  # most registry names are plain ASCII: skip the per-character work for them
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower()
    text = text.replace("'", "").replace("\u2019", "")
    return " ".join(_SEPARATORS.split(text)).strip()


def name_tokens(text: str) -> list[str]:
    tokens = [t for t in fold(text).split() if t not in NOISE_WORDS]
    # A name made only of noise ("The Company Ltd") keeps its words rather than vanishing.
    return tokens or fold(text).split()


def normalise_name(text: str) -> str:
    return " ".join(name_tokens(text))[:_MAX_NAME_CHARS]


# org-id prefixes (without dashes), stripped from a number typed with one. Scottish numbers keep their "SC".
_NUMBER_PREFIXES = ("GBCHC", "GBSC", "GBNIC", "USEIN", "AUABN", "FRRNA", "NIC")


def normalise_number(text: str) -> str:
    """A registry number as typed ('03-0413726', 'sc 012345', '11 005 357 522') in its stored form."""
    compact = re.sub(r"[\s\-./]", "", text.strip().upper())
    for prefix in _NUMBER_PREFIXES:
        rest = compact[len(prefix):]
        if compact.startswith(prefix) and rest.isalnum() and any(c.isdigit() for c in rest):
            return ("SC" + rest if prefix == "GBSC" and not rest.startswith("SC") else rest)
    return compact


_NUMBER_SHAPE = re.compile(r"^(?:[A-Z]{0,6}\d[\dA-Z]{3,14})$")


def looks_like_number(text: str) -> bool:
    """True for input shaped like a registry number rather than a name: mostly digits, at most one word."""
    compact = normalise_number(text)
    digits = sum(ch.isdigit() for ch in compact)
    return bool(_NUMBER_SHAPE.match(compact)) and digits >= max(4, len(compact) // 2)
