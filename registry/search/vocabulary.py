"""Typo correction against the index's own vocabulary: one edit (insert, delete, substitute, swap) per word.

SQLite: the vocabulary (from fts5vocab) is held per process, bucketed by length, and scanned with rapidfuzz.
PostgreSQL: the vocabulary table's deletion keys find candidates, rapidfuzz keeps those one edit away.
The cache is reloaded when an import has finished since it was built.
"""

import threading

from django.db import connection
from rapidfuzz import process
from rapidfuzz.distance import OSA

from registry.search.backends import SearchBackend

MIN_CORRECTED_LENGTH = 3  # shorter words have too many neighbours one edit away to correct


class _Cache:
    lock = threading.Lock()
    key: tuple | None = None
    terms: dict[str, int] = {}
    by_length: dict[int, list[str]] = {}


def _index_version() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id), COUNT(*), MAX(finished_at) FROM registry_importrun WHERE status = 'succeeded'")
        return (connection.vendor, connection.settings_dict["NAME"], *cursor.fetchone())


class Vocabulary:
    def __init__(self, backend: SearchBackend):
        self.backend = backend
        if backend.vendor == "sqlite":
            self._load()

    def _load(self) -> None:
        version = _index_version()
        if _Cache.key == version:
            return
        with _Cache.lock:
            if _Cache.key == version:
                return
            terms = dict(self.backend.vocabulary())
            by_length: dict[int, list[str]] = {}
            for term in terms:
                by_length.setdefault(len(term), []).append(term)
            _Cache.terms, _Cache.by_length, _Cache.key = terms, by_length, version

    def known(self, words: list[str]) -> dict[str, int]:
        """The words the index holds, with how many organisations use each."""
        if self.backend.vendor == "sqlite":
            return {w: _Cache.terms[w] for w in words if w in _Cache.terms}
        with connection.cursor() as cursor:
            cursor.execute("SELECT term, doc FROM registry_search_term WHERE term = ANY(%s)", [words])
            return dict(cursor.fetchall())

    def neighbours(self, word: str, *, known: bool = False, limit: int = 6) -> list[tuple[str, int]]:
        """Words of the index one edit away from `word`, with their frequency, the most frequent first.

        Known words are only corrected towards much more frequent ones (see engine._corrections).
        """
        if len(word) < MIN_CORRECTED_LENGTH or word.isdigit():
            return []
        if self.backend.vendor == "sqlite":
            pool = [t for n in (len(word) - 1, len(word), len(word) + 1) for t in _Cache.by_length.get(n, ())]
            found = process.extract(word, pool, scorer=OSA.distance, score_cutoff=1, limit=None)
            scored = [(term, _Cache.terms[term]) for term, distance, _ in found if distance == 1]
        else:
            scored = [(t, d) for t, d in self.backend.similar_terms(word, 40) if OSA.distance(word, t) == 1]
        scored.sort(key=lambda item: -item[1])
        return scored[:limit]
