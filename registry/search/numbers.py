"""Registry numbers as people write them: bare ('03-0413726', 'sc 012345') or with their label ('EIN 12-3456789',
'ein: 123456789', 'ABN 47 900 000 006', 'RNA W9T1002867', 'SIREN 123 456 789', 'charity no. 1234567',
'OSCR SC012345', 'NIC100002'), in any spacing. A label also says the country. python-stdnum compacts and checks
the numbers it knows (EIN, ABN, ACN, SIREN, SIRET) and converts ACN to ABN and SIRET to SIREN.
"""

import re
from dataclasses import dataclass, replace

from stdnum.au import abn, acn
from stdnum.fr import siren, siret
from stdnum.us import ein

from registry.search.normalise import fold, looks_like_number, normalise_number

REGISTRY, SIREN = "registry", "siren"  # what to look the number up by: registry_number, or a French SIREN


@dataclass(frozen=True)
class NumberLookup:
    by: str
    number: str
    country: str | None = None
    # A label with a number of registry length ("charity no. 207237"): the query is a number and nothing else, so
    # when it is not found (or the country filter contradicts the label) no name is looked for in its words.
    certain: bool = False


CERTAIN_DIGITS = 6  # the shortest registry numbers (CCEW, OSCR, CCNI) have six digits; "Charity 2000" is a name


# Label words (folded: lower-case ASCII, punctuation as spaces) -> (kind, country).
_LABELS = {
    "ein": ("ein", "US"),
    "fein": ("ein", "US"),
    "us ein": ("ein", "US"),
    "tin": ("ein", "US"),
    "tax id": ("ein", "US"),
    "employer identification": ("ein", "US"),
    "abn": ("abn", "AU"),
    "australian business": ("abn", "AU"),
    "acn": ("acn", "AU"),
    "rna": ("rna", "FR"),
    "waldec": ("rna", "FR"),
    "siren": ("siren", "FR"),
    "siret": ("siret", "FR"),
    "charity": ("charity", "GB"),
    "registered charity": ("charity", "GB"),
    "reg charity": ("charity", "GB"),
    "charity commission": ("charity", "GB"),
    "ccew": ("charity", "GB"),
    "chc": ("charity", "GB"),
    "oscr": ("oscr", "GB"),
    "scottish charity": ("oscr", "GB"),
    "ccni": ("ccni", "GB"),
    "nic": ("ccni", "GB"),
    "ni charity": ("ccni", "GB"),
    "northern ireland charity": ("ccni", "GB"),
}
_NO = r"(?:number|numero|num|no|nr|n o|n)"  # "no.", "n°", "#" and ":" are gone once folded
_LABEL = re.compile(
    rf"^(?:{_NO} )?(?P<label>" + "|".join(sorted(map(re.escape, _LABELS), key=len, reverse=True)) + ")"
    rf"(?: {_NO})?(?: (?P<number>[a-z0-9][a-z0-9 ]*))$"
)
_MAX_CHARS = 80


def number_lookups(text: str) -> list[NumberLookup]:
    """The look-ups a query shaped like a registry number asks for, most certain first; [] for a name."""
    text = (text or "")[:_MAX_CHARS]
    labelled = _LABEL.match(fold(text.replace("°", "o ")))
    if labelled:
        kind, country = _LABELS[labelled.group("label")]
        number = labelled.group("number").replace(" ", "").upper()
        certain = sum(c.isdigit() for c in number) >= CERTAIN_DIGITS
        return [replace(lookup, certain=certain) for lookup in _labelled(kind, country, number)]
    if not looks_like_number(text):
        return []
    number = normalise_number(text)
    lookups = [NumberLookup(REGISTRY, number)]
    if number.isdigit() and len(number) == 9 and siren.is_valid(number):
        lookups.append(NumberLookup(SIREN, number, "FR"))
    elif number.isdigit() and len(number) == 14 and siret.is_valid(number):
        lookups.append(NumberLookup(SIREN, siret.to_siren(number), "FR"))
    return lookups


def _labelled(kind: str, country: str, number: str) -> list[NumberLookup]:
    if len(number) > 20 or not any(c.isdigit() for c in number):
        return []
    if kind == "ein":
        return [NumberLookup(REGISTRY, ein.compact(number), country)] if number.isdigit() else []
    if kind == "abn":
        return [NumberLookup(REGISTRY, abn.compact(number), country)] if number.isdigit() else []
    if kind == "acn":
        return [NumberLookup(REGISTRY, acn.to_abn(number), country)] if acn.is_valid(number) else []
    if kind in ("siren", "siret"):
        digits = number[:14] if len(number) == 14 else number
        if not digits.isdigit():
            return []
        return [NumberLookup(SIREN, digits[:9], country)]
    if kind == "oscr":
        number = number if number.startswith("SC") else "SC" + number
        return [NumberLookup(REGISTRY, number, country)]
    if kind == "charity" and number.startswith(("SC", "NIC")):  # "charity no. SC012345": the register says which
        return [NumberLookup(REGISTRY, normalise_number(number), country)]
    if kind == "ccni":
        number = number.removeprefix("NIC")
    if kind == "rna" and not number.startswith("W"):
        return []
    return [NumberLookup(REGISTRY, number, country)]
