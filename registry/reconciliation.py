"""Reconciliation (the W3C Entity Reconciliation API 0.2): one query -> scored candidate organisations.

Retrieval reuses the organisation search (names in any form, registry numbers in any form); scoring and the
match decision are pure functions over plain values, written down in docs/reconciliation.md.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from rapidfuzz import fuzz

from core.errors import InvalidInput
from registry.models import Organisation, OrganisationStatus
from registry.search.engine import search_organisations
from registry.search.normalise import normalise_name, normalise_number

PROPERTY_COUNTRY = "country"
PROPERTY_REGISTRY_NUMBER = "registry_number"
PROPERTY_POSTCODE = "postcode"
PROPERTIES = (PROPERTY_COUNTRY, PROPERTY_REGISTRY_NUMBER, PROPERTY_POSTCODE)

MAX_VALUES_PER_PROPERTY = 5
MAX_PROPERTIES = 10
MAX_LIMIT = 25
DEFAULT_LIMIT = 10
EIN_DIGITS = 9  # spreadsheets drop an EIN's leading zeros: 010564885 arrives as 10564885

NUMBER_AGREES = 100.0
SCORE_CEILING = 99.0  # only an identifier agreeing reaches 100
POSTCODE_AGREES = 10.0
POSTCODE_DIFFERS = -10.0
NUMBER_DIFFERS = -30.0
REMOVED = -5.0
_COUNTRY = re.compile(r"[A-Za-z]{2}")


class InvalidReconciliationQuery(InvalidInput):
    code = "invalid_reconciliation_query"


@dataclass(frozen=True)
class ReconciliationQuery:
    text: str = ""
    limit: int = DEFAULT_LIMIT
    countries: tuple[str, ...] = ()
    registry_numbers: tuple[str, ...] = ()
    postcodes: tuple[str, ...] = ()


@dataclass
class Candidate:
    org_id: str
    name: str
    country: str
    city: str
    region: str
    registry_number: str
    removed: bool
    score: float = 0.0
    match: bool = False
    name_similarity: float | None = None
    number_agrees: bool | None = None  # None: the query supplied no registry number
    postcode_agrees: bool | None = None  # None: no postcode supplied, or none on record
    features: list[tuple[str, bool | float]] = field(default_factory=list)


def reconciliation_query_build(*, text: str, limit: int, properties: list[tuple[str, list]]) -> ReconciliationQuery:
    """A query from its wire form; property values are checked here so a bad one is a clear 400, not no result."""
    if len(properties) > MAX_PROPERTIES:
        raise InvalidReconciliationQuery(f"at most {MAX_PROPERTIES} properties per query")
    values: dict[str, list[str]] = {pid: [] for pid in PROPERTIES}
    for pid, raw_values in properties:
        if pid not in values:
            raise InvalidReconciliationQuery(
                f"unknown property {pid[:40]!r}", details={"property": pid[:40], "known": list(PROPERTIES)}
            )
        if len(raw_values) > MAX_VALUES_PER_PROPERTY:
            raise InvalidReconciliationQuery(
                f"at most {MAX_VALUES_PER_PROPERTY} values per property", details={"property": pid}
            )
        values[pid].extend(_property_text(pid, raw) for raw in raw_values)
    for country in values[PROPERTY_COUNTRY]:
        if not _COUNTRY.fullmatch(country):
            raise InvalidReconciliationQuery(
                f"country must be an ISO 3166-1 alpha-2 code, not {country[:20]!r}", details={"property": "country"}
            )
    numbers = (normalise_number(v) for v in values[PROPERTY_REGISTRY_NUMBER])
    postcodes = (_postcode(v) for v in values[PROPERTY_POSTCODE])
    return ReconciliationQuery(
        text=text[: settings.SEARCH_MAX_QUERY_CHARS],
        limit=max(1, min(int(limit), MAX_LIMIT)),
        countries=_first_distinct(v.upper() for v in values[PROPERTY_COUNTRY]),
        registry_numbers=_first_distinct(numbers),
        postcodes=_first_distinct(postcodes),
    )


def _first_distinct(values) -> tuple[str, ...]:
    """Repeating a property can bring more values than one may hold: the first few distinct ones are used."""
    return tuple(dict.fromkeys(v for v in values if v))[:MAX_VALUES_PER_PROPERTY]


def _property_text(pid: str, raw) -> str:
    if isinstance(raw, dict):  # an entity reconciled earlier: its id is the value
        raw = raw.get("id", "")
    if isinstance(raw, bool):
        raise InvalidReconciliationQuery(f"{pid} cannot be true or false", details={"property": pid})
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw)[:64]


def _postcode(text: str) -> str:
    compact = re.sub(r"[^0-9A-Z]", "", text.upper())
    # US ZIP codes: ZIP+4 and a ZIP that lost its leading zero in a spreadsheet compare on the five digits.
    if compact.isdigit():
        return compact.zfill(5) if len(compact) <= 5 else compact[:5]
    return compact


def _numbers_agree(supplied: str, recorded: str) -> bool:
    if supplied == recorded:
        return True
    return supplied.isdigit() and recorded.isdigit() and supplied.lstrip("0") == recorded.lstrip("0")


# Retrieval ---------------------------------------------------------------------------------------------------


def reconciliation_candidates(*, query: ReconciliationQuery) -> list[Candidate]:
    """Candidates for one query, best first, at most query.limit of them; at most one has match=True."""
    ranked: dict[str, int] = {}  # org_id -> retrieval rank, the tie-breaker after the score
    fetch = min(settings.SEARCH_MAX_LIMIT, max(query.limit * 3, 10))
    for country in query.countries or (None,):
        for number in query.registry_numbers:
            for variant in _number_variants(number):
                for hit in search_organisations(query=variant, country=country, limit=5):
                    if hit.match == "number":
                        ranked.setdefault(hit.org_id, len(ranked))
        if query.text.strip():
            for hit in search_organisations(query=query.text, country=country, limit=fetch):
                ranked.setdefault(hit.org_id, len(ranked))
            for org_id in _namesakes_at(query.text, country, query.postcodes):
                ranked.setdefault(org_id, len(ranked))
    if not ranked:
        return []
    rows = Organisation.objects.filter(org_id__in=list(ranked)).values(
        "org_id",
        "name",
        "country",
        "city",
        "region",
        "registry_number",
        "status",
        "postcode",
        "search_name",
        "search_alt",
    )
    candidates = [candidate_score(_candidate(row, query)) for row in rows]
    candidates.sort(key=lambda c: (-c.score, ranked[c.org_id]))
    candidates = candidates[: query.limit]
    matches_decide(candidates)
    return candidates


def _number_variants(number: str) -> list[str]:
    variants = [number]
    if number.isdigit() and len(number) < EIN_DIGITS:
        variants.append(number.zfill(EIN_DIGITS))
    return variants


def _namesakes_at(text: str, country: str | None, postcodes: tuple[str, ...]) -> list[str]:
    """Organisations named exactly so at one of the postcodes: the search caps namesakes ("ROTARY INTERNATIONAL"
    has dozens), so the one at the supplied address may not be among them."""
    name = normalise_name(text)
    if not postcodes or not name:
        return []
    found: list = []
    for postcode in postcodes[:MAX_VALUES_PER_PROPERTY]:
        rows = Organisation.objects.filter(search_name=name, postcode__istartswith=postcode[:5])
        if country:
            rows = rows.filter(country=country)
        found.extend(rows.values_list("org_id", flat=True)[:10])
    return found


def _candidate(row: Mapping[str, Any], query: ReconciliationQuery) -> Candidate:
    candidate = Candidate(
        org_id=row["org_id"],
        name=row["name"],
        country=row["country"],
        city=row["city"] or "",
        region=row["region"] or "",
        registry_number=row["registry_number"],
        removed=row["status"] != OrganisationStatus.ACTIVE,
    )
    typed = normalise_name(query.text) if query.text.strip() else ""
    if typed:
        names = [row["search_name"], *(alt for alt in (row["search_alt"] or "").split(" | ") if alt)]
        candidate.name_similarity = float(max(fuzz.token_sort_ratio(typed, name) for name in names))
        if normalise_number(query.text) == row["registry_number"] or query.text.strip().upper() == row["org_id"]:
            candidate.number_agrees = True  # the identifier itself was typed as the name
    if query.registry_numbers:
        agrees = any(_numbers_agree(n, row["registry_number"]) for n in query.registry_numbers)
        candidate.number_agrees = bool(candidate.number_agrees) or agrees
    recorded = _postcode(row["postcode"] or "")
    if query.postcodes and recorded:
        candidate.postcode_agrees = recorded in query.postcodes
    return candidate


# Scoring: pure functions --------------------------------------------------------------------------------------


def candidate_score(candidate: Candidate) -> Candidate:
    """0-100: name similarity, moved by what the supplied properties say; 100 only for an agreeing identifier."""
    features: list[tuple[str, bool | float]] = []
    if candidate.name_similarity is not None:
        features.append(("name_similarity", candidate.name_similarity))
    if candidate.number_agrees is not None:
        features.append(("registry_number_match", candidate.number_agrees))
    if candidate.postcode_agrees is not None:
        features.append(("postcode_match", candidate.postcode_agrees))
    features.append(("active", not candidate.removed))
    candidate.features = features
    if candidate.number_agrees:
        candidate.score = NUMBER_AGREES
        return candidate
    score = candidate.name_similarity or 0.0
    if candidate.postcode_agrees is not None:
        score += POSTCODE_AGREES if candidate.postcode_agrees else POSTCODE_DIFFERS
    if candidate.number_agrees is False:
        score += NUMBER_DIFFERS
    if candidate.removed:
        score += REMOVED
    candidate.score = round(max(0.0, min(SCORE_CEILING, score)), 1)
    return candidate


def matches_decide(candidates: list[Candidate]) -> None:
    """match=True for at most one candidate: the only one whose identifier agrees, else the only exact name that
    nothing supplied contradicts, else among exact namesakes the only one whose postcode agrees."""
    for candidate in candidates:
        candidate.match = False
    by_number = [c for c in candidates if c.number_agrees]
    if by_number:
        if len(by_number) == 1:
            by_number[0].match = True
        return
    exact = [
        c
        for c in candidates
        if c.name_similarity == 100.0 and c.number_agrees is not False and c.postcode_agrees is not False
    ]
    if len(exact) > 1:
        exact = [c for c in exact if c.postcode_agrees]
    if len(exact) == 1:
        exact[0].match = True


def entity_description(*, city: str, region: str, country: str, registry_number: str, removed: bool) -> str:
    """One line that tells namesakes apart: where they are, their number, whether the register still lists them."""
    place = ", ".join(part for part in (city, region, country) if part)
    text = " · ".join(part for part in (place, registry_number) if part)
    if removed:
        text = f"{text} · {gettext('removed from the register')}" if text else gettext("removed from the register")
    return text


def entity_suggestions(*, prefix: str, cursor: int, page: int) -> list:
    """Search hits for autocomplete, `page` of them after the first `cursor`; the search caps how deep one goes.

    Always the same depth: a smaller limit can retrieve a different set of equally ranked namesakes, and pages
    would then overlap.
    """
    if not prefix.strip() or cursor >= settings.SEARCH_MAX_LIMIT:
        return []
    return search_organisations(query=prefix, limit=settings.SEARCH_MAX_LIMIT)[cursor : cursor + page]
