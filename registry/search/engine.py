"""Organisation search: what a person types -> ranked organisations.

Candidates come from the backend in stages, cheapest and most certain first:
  1. a registry number in any common form, with or without its label (registry.search.numbers);
  2. the normalised legal name, exactly, then as a prefix (autocomplete), and its words in every other order;
  3. the same after correcting each word to the index's vocabulary (one typo per word);
  4. full text: every word (or a correction of it) anywhere in any name, the last word as a prefix; function
     words and words of one or two letters are never grounds for it.
Then one ranking in Python: stage (exact > prefix > reordered > corrected > full text), active before removed,
similarity to the query, and the organisation's income as the tie-breaker.
"""

from dataclasses import dataclass
from itertools import combinations, islice, permutations

from django.conf import settings
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from registry.search.backends import NameLookup, SearchBackend, get_backend
from registry.search.normalise import NOISE_WORDS, STOP_WORDS, name_tokens
from registry.search.numbers import SIREN, number_lookups
from registry.search.vocabulary import Vocabulary

NUMBER, EXACT, PREFIX, REORDERED, CORRECTED_EXACT, CORRECTED_PREFIX, FULLTEXT = range(7)
MATCH_LABELS = ["number", "exact", "prefix", "reordered", "typo", "typo_prefix", "words"]
MAX_TOKENS = 12
MAX_TOKEN_CHARS = 40
MAX_VARIANTS = 32
MAX_REORDERED_WORDS = 5  # every order of up to 5 words (120) is looked up exactly; longer names go to full text
NEIGHBOURS = 8  # known words one typo away tried per word, the most frequent first
# Rows fetched for several spellings at once, per result wanted: a frequent spelling ("JOYCE FAMILY FOUNDATION")
# must not crowd out the one closest to what was typed ("ROYCE …") before the ranking sees it.
SPELLING_ROWS = 8
FULLTEXT_CANDIDATES = 200
RARE_WORD_DOCS = 3  # a word this rare that is one typo from a legal-form word is taken for that word
COMMON_WORD_DOCS = 500  # a word this common is taken as meant, not as a typo
FULLTEXT_WORDS = 3  # the full-text stage looks for this many of the query's rarest words
FULLTEXT_COMMON_DOCS = 20_000  # a word this common is left out of full-text matching while rarer ones remain
MAX_WEAK_CHARS = 2  # a word this short is never grounds for the words-anywhere stage (nor is a function word)
MORE_FREQUENT = 5  # a known word's neighbour is tried when it is at least this many times as frequent


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

    def add_tagged(self, rows: list[tuple[int, dict]]) -> None:
        for stage, row in rows:
            self.add(stage, [row])

    def __len__(self) -> int:
        return len(self.rows)

    def has(self, stage: int) -> bool:
        return any(found_stage == stage for found_stage, _ in self.rows.values())


def search_organisations(
    *, query: str, country: str | None = None, limit: int = 10, backend: SearchBackend | None = None
) -> list[SearchHit]:
    """Rank organisations for `query`. Never raises on odd input: unusable input gives no results."""
    backend = backend or get_backend()
    limit = max(1, min(int(limit), settings.SEARCH_MAX_LIMIT))
    query = (query or "")[: settings.SEARCH_MAX_QUERY_CHARS]
    country = (country or "").upper()[:2] or None
    found = _Candidates()

    lookups = number_lookups(query)
    for lookup in lookups:
        if country and lookup.country and lookup.country != country:
            continue
        where = country or lookup.country
        found.add(
            NUMBER,
            backend.by_siren(lookup.number, where) if lookup.by == SIREN else backend.by_number(lookup.number, where),
        )
    if found or any(lookup.certain for lookup in lookups):  # a registry number: no name resembles it better
        return _rank(found, "", limit)

    tokens = [t[:MAX_TOKEN_CHARS] for t in name_tokens(query)][:MAX_TOKENS]
    if tokens:
        text = " ".join(tokens)
        # One round trip: the name exactly, as a prefix, and every other order of its words (ranked after the
        # names that start as typed, but looked up even when some do: "fiddlers community" is also "COMMUNITY
        # FIDDLERS").
        requests = [NameLookup(EXACT, [text], limit), NameLookup(PREFIX, [text], limit * 2, prefix=True)]
        if 2 <= len(tokens) <= MAX_REORDERED_WORDS:
            orders = dict.fromkeys(" ".join(p) for p in islice(permutations(tokens), 1, None))
            requests.append(NameLookup(REORDERED, [o for o in orders if o != text], limit * SPELLING_ROWS))
        found.add_tagged(backend.names(requests, country))
        if not found:  # what was typed matches: no need to guess
            _search_corrected(backend, tokens, country, limit, found)
    return _rank(found, " ".join(tokens), limit)


def _search_corrected(
    backend: SearchBackend, tokens: list[str], country: str | None, limit: int, found: "_Candidates"
) -> None:
    """Typo-corrected spellings first; full text (any word order) only when no corrected spelling is a whole name
    and too few were found."""
    words = _corrections(tokens, Vocabulary(backend))
    groups = [word.spellings for word in words]
    # The first spelling of every word is a spelling to try when it is not what was typed: an unknown word's
    # likeliest correction, or the words left once a misspelt legal-form word was dropped.
    variants = _variants(groups, with_base=_joined(w.spellings[0] for w in words if w.spellings) != " ".join(tokens))
    if variants:
        # Each spelling its own rows: a frequent one ("FAMILY FOUNDATION") must not crowd out the one closest to
        # what was typed ("SARLA FAMILY FOUNDATION") before the ranking sees it.
        requests = [NameLookup(CORRECTED_EXACT, [variant], limit * 2) for variant in variants]
        requests += [NameLookup(CORRECTED_PREFIX, [variant], limit, prefix=True) for variant in variants[:3]]
        found.add_tagged(backend.names(requests, country))
    if found.has(CORRECTED_EXACT) or len(found) >= limit:
        return  # a corrected spelling is a whole name, or there are enough: words anywhere would rank below them
    # Words nothing in the index resembles are left out rather than emptying the result; so are very common
    # words while rarer ones remain: they select little and cost the most (their posting lists are the longest).
    # Function words and words of one or two letters ("du", "de la", "of the", "pi") are never grounds here: they
    # may narrow the candidates beside a real word ("ETA PI FRATERNITY"), but a name sharing only them with the
    # query is no answer. A single letter narrows nothing.
    # A misspelt legal-form word ("ASSOCIATIO") is not looked for either: the names hold none; nor is a common
    # function word ("of" is in a fifth of the names: reading its posting list costs more than it narrows).
    usable = [
        w
        for w in words
        if w.spellings
        and not w.optional
        and (len(w.spellings[0]) > 1 or w.spellings[0].isdigit())
        and not (w.weak and w.documents >= FULLTEXT_COMMON_DOCS)
    ]
    grounds = [w for w in usable if not w.weak]
    if not grounds or len(grounds) < min(2, sum(not w.weak and not w.optional for w in words)):
        return
    # The rarest words alone narrow the candidates as well as all of them would, at a fraction of the cost
    # (every word's whole posting list is read); the ranking then weighs every word against each candidate.
    # Past the first two, a very common word is left out: it selects little and its posting list is the longest.
    ordered = sorted(usable, key=lambda w: (w.prefix, w.documents))
    rarest = ordered[:2] + [w for w in ordered[2:FULLTEXT_WORDS] if w.documents < FULLTEXT_COMMON_DOCS]
    if all(w.weak for w in rarest):
        rarest = [min(grounds, key=lambda w: (w.prefix, w.documents)), *rarest[: FULLTEXT_WORDS - 1]]
    if _fulltext(backend, rarest, country, found) >= FULLTEXT_CANDIDATES:
        # So many names hold those words that the right one may not be among the candidates: one more word.
        more = [w for w in ordered if w not in rarest][:1]
        if more:
            _fulltext(backend, rarest + more, country, found)
    # Too few: one of those words may be a typo that landed on another real word ("FAM" for "FARM"), or a word
    # the name does not have. Each word left out in turn (rarest words still narrow the candidates), as long as
    # a real word remains, and one that is not very common: 200 of the 30,000 names holding "friends" are no
    # better than none, and reading that posting list is the slowest thing a search could do.
    if len(found) < limit and len(rarest) >= 2:
        for skipped in range(len(rarest)):
            rest = rarest[:skipped] + rarest[skipped + 1 :]
            if not all(w.weak for w in rest) and any(w.documents < FULLTEXT_COMMON_DOCS for w in rest):
                _fulltext(backend, rest, country, found)


def _fulltext(backend: SearchBackend, words: list["_Word"], country: str | None, found: "_Candidates") -> int:
    words = sorted(words, key=lambda w: w.prefix)  # the backend takes the prefix word last
    rows = backend.fulltext([w.spellings for w in words], words[-1].prefix, country, FULLTEXT_CANDIDATES)
    found.add(FULLTEXT, rows)
    return len(rows)


@dataclass
class _Word:
    spellings: list[str]  # the word as typed (when usable) first, then corrections
    documents: int  # how many organisations use one of the spellings
    prefix: bool  # the last word, possibly unfinished: match it as a prefix
    weak: bool = False  # a function word or one of one or two letters: never grounds for the words-anywhere stage
    optional: bool = False  # possibly a misspelt legal-form word: "" (dropped) is one of its spellings


def _corrections(tokens: list[str], vocabulary: Vocabulary) -> list[_Word]:
    """For each word, the spellings to look for: the word itself first when the index knows it (or, for the
    last word, which may be unfinished, as typed), then known words one typo away.

    A known word may itself be a typo: real registers hold misspelt names ("FOUDATION"), so a neighbour many
    times more frequent is tried as well. A word one edit from a legal-form word ("ASSOCIATOIN", "ASSOCIATIO",
    "SARAL" for "SARL") may be dropped like that word: the empty spelling, first when the word is rare.
    """
    terms = vocabulary.lookup(tokens)
    known = terms.known
    words = []
    for position, token in enumerate(tokens):
        docs = known.get(token, 0)
        last = position == len(tokens) - 1
        noise_typo = docs < COMMON_WORD_DOCS and _is_noise_typo(token)
        spellings = [token] if docs or (last and len(token) >= 2) else []
        total = docs
        if docs < COMMON_WORD_DOCS:
            for term, count in terms.neighbours(token, limit=NEIGHBOURS if len(token) > 4 else NEIGHBOURS * 2):
                if term != token and count >= docs * MORE_FREQUENT:
                    spellings.append(term)
                    total += count
        if noise_typo:
            spellings = ["", *spellings] if docs < RARE_WORD_DOCS else [*spellings, ""]
        # A common complete word is not expanded as a prefix ("foundation*" adds nothing but cost), nor are one
        # or two letters ("w*" is half the register).
        prefix = last and len(token) >= 3 and docs < FULLTEXT_COMMON_DOCS
        words.append(_Word(spellings, total, prefix, _is_weak(token), noise_typo))
    return words


def _is_weak(token: str) -> bool:
    return token in STOP_WORDS or (len(token) <= MAX_WEAK_CHARS and not token.isdigit())


def _is_noise_typo(token: str) -> bool:
    return len(token) >= 4 and any(len(word) >= 4 and OSA.distance(token, word) == 1 for word in NOISE_WORDS)


def _variants(groups: list[list[str]], *, with_base: bool = False) -> list[str]:
    """Corrected spellings of the whole query, one correction first, then two, up to MAX_VARIANTS."""
    if not all(groups):
        return []
    base = [group[0] for group in groups]
    variants: list[str] = [_joined(base)] if with_base else []
    singles = [(i, alt) for i, group in enumerate(groups) for alt in group[1:]]
    for i, alt in singles:
        variants.append(_joined([*base[:i], alt, *base[i + 1 :]]))
    for (i, a), (j, b) in combinations(singles, 2):
        if len(variants) >= MAX_VARIANTS:
            break
        if i != j:
            words = list(base)
            words[i], words[j] = a, b
            variants.append(_joined(words))
    return [v for v in dict.fromkeys(variants) if v][:MAX_VARIANTS]


def _joined(words) -> str:
    return " ".join(word for word in words if word)  # an empty spelling is a dropped word


def _rank(found: _Candidates, text: str, limit: int) -> list[SearchHit]:
    scored = []
    for stage, row in found.rows.values():
        similarity = (
            max(
                fuzz.token_sort_ratio(text, row["search_name"]),
                max((fuzz.token_sort_ratio(text, alt) for alt in row["search_alt"].split(" | ") if alt), default=0),
            )
            if text
            else 100.0
        )
        removed = row["status"] != "active"
        scored.append(((stage, removed, -round(similarity), -(row["income_minor"] or 0)), similarity, stage, row))
    scored.sort(key=lambda item: item[0])
    hits = []
    for key, similarity, stage, row in scored[:limit]:
        band = stage * 2 + key[1]  # bands never overlap, so scores fall as the ranking does
        score = round(1 - (band + 1 - similarity / 100) / (len(MATCH_LABELS) * 2), 4)
        hits.append(
            SearchHit(
                org_id=row["org_id"],
                name=row["name"],
                status=row["status"],
                city=row["city"] or "",
                region=row["region"] or "",
                country=row["country"],
                registry_number=row["registry_number"],
                score=score,
                match=MATCH_LABELS[stage],
            )
        )
    return hits
