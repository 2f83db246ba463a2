"""Organisation search: what a person types -> ranked organisations.

Candidates come from the backend in stages, cheapest and most certain first:
  1. a registry number in any common form;
  2. the normalised legal name, exactly, then as a prefix (autocomplete);
  3. the same after correcting each word to the index's vocabulary (one typo per word);
  4. full text: every word (or a correction of it) anywhere in any name, the last word as a prefix.
Then one ranking in Python: stage (exact > prefix > corrected > full text), active before removed,
similarity to the query, and the organisation's income as the tie-breaker.
"""

from dataclasses import dataclass
from itertools import product

from django.conf import settings
from rapidfuzz import fuzz

from registry.search.backends import SearchBackend, get_backend
from registry.search.normalise import looks_like_number, name_tokens, normalise_number
from registry.search.vocabulary import Vocabulary

NUMBER, EXACT, PREFIX, CORRECTED_EXACT, CORRECTED_PREFIX, FULLTEXT = range(6)
MATCH_LABELS = ["number", "exact", "prefix", "typo", "typo_prefix", "words"]
MAX_TOKENS = 12
MAX_TOKEN_CHARS = 40
MAX_VARIANTS = 24
FULLTEXT_CANDIDATES = 200
RARE_WORD_DOCS = 3


@dataclass(frozen=True)
class SearchHit:
    org_id: str
    name: str
    status: str
    city: str
    region: str
    country: str
    registry_number: str
    score: float
    match: str


class _Candidates:
    def __init__(self):
        self.rows: dict[int, tuple[int, dict]] = {}

    def add(self, stage: int, rows: list[dict]) -> None:
        for row in rows:
            known = self.rows.get(row["id"])
            if known is None or stage < known[0]:
                self.rows[row["id"]] = (stage, row)

    def __len__(self) -> int:
        return len(self.rows)


def search_organisations(*, query: str, country: str | None = None, limit: int = 10,
                         backend: SearchBackend | None = None) -> list[SearchHit]:
    """Rank organisations for `query`. Never raises on odd input: unusable input gives no results."""
    backend = backend or get_backend()
    limit = max(1, min(int(limit), settings.SEARCH_MAX_LIMIT))
    query = (query or "")[: settings.SEARCH_MAX_QUERY_CHARS]
    country = (country or "").upper()[:2] or None
    found = _Candidates()

    if looks_like_number(query):
        found.add(NUMBER, backend.by_number(normalise_number(query), country))

    tokens = [t[:MAX_TOKEN_CHARS] for t in name_tokens(query)][:MAX_TOKENS]
    if tokens:
        text = " ".join(tokens)
        found.add(EXACT, backend.exact([text], country, limit))
        found.add(PREFIX, backend.prefix(text, country, limit * 2))
        groups = _corrections(tokens, Vocabulary(backend))
        variants = _variants(groups, tokens)
        if variants:
            found.add(CORRECTED_EXACT, backend.exact(variants, country, limit))
            for variant in variants[:3]:
                found.add(CORRECTED_PREFIX, backend.prefix(variant, country, limit))
        if len(found) < limit * 3 and all(groups):
            found.add(FULLTEXT, backend.fulltext(groups, True, country, FULLTEXT_CANDIDATES))
    return _rank(found, " ".join(tokens), limit)


def _corrections(tokens: list[str], vocabulary: Vocabulary) -> list[list[str]]:
    """For each word: itself when the index knows it, and the known words one typo away.

    The last word may be unfinished (typing): it stays as typed, searched as a prefix.
    """
    known = vocabulary.known(tokens)
    groups = []
    for position, token in enumerate(tokens):
        last = position == len(tokens) - 1
        alternatives = [token] if token in known or (last and len(token) >= 2) else []
        # A rare word may itself be a typo that happens to exist (real registers hold misspelt names).
        if known.get(token, 0) < RARE_WORD_DOCS:
            alternatives += [n for n in vocabulary.neighbours(token) if n != token]
        groups.append(alternatives)
    return groups


def _variants(groups: list[list[str]], tokens: list[str]) -> list[str]:
    """Corrected spellings of the whole query, fewest corrections first."""
    if not all(groups) or all(group == [token] for group, token in zip(groups, tokens, strict=True)):
        return []
    variants = []
    for combination in product(*groups):
        if len(variants) >= MAX_VARIANTS:
            break
        variants.append(" ".join(combination))
    original = " ".join(tokens)
    variants = [v for v in variants if v != original]
    variants.sort(key=lambda v: sum(a != b for a, b in zip(v.split(), tokens, strict=False)))
    return variants


def _rank(found: _Candidates, text: str, limit: int) -> list[SearchHit]:
    scored = []
    for stage, row in found.rows.values():
        similarity = max(fuzz.token_sort_ratio(text, row["search_name"]),
                         max((fuzz.token_sort_ratio(text, alt) for alt in row["search_alt"].split(" | ") if alt),
                             default=0)) if text else 100.0
        removed = row["status"] != "active"
        scored.append(((stage, removed, -round(similarity), -(row["income_minor"] or 0)), similarity, stage, row))
    scored.sort(key=lambda item: item[0])
    hits = []
    for key, similarity, stage, row in scored[:limit]:
        band = stage * 2 + key[1]  # bands never overlap, so scores fall as the ranking does
        score = round(1 - (band + 1 - similarity / 100) / (len(MATCH_LABELS) * 2), 4)
        hits.append(SearchHit(
            org_id=row["org_id"], name=row["name"], status=row["status"], city=row["city"] or "",
            region=row["region"] or "", country=row["country"], registry_number=row["registry_number"],
            score=score, match=MATCH_LABELS[stage],
        ))
    return hits
