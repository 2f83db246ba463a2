"""Typo correction against the index's own vocabulary: one edit (insert, delete, substitute, swap) per word.

The vocabulary lives in the database on both backends (tables rebuilt after each import, see backends.py): its
deletion keys find candidates with B-tree look-ups, all the query's words in one round trip, and rapidfuzz keeps
those exactly one edit away. Nothing is held per process, so the first search of a freshly started worker costs
what every other one does.
"""

from dataclasses import dataclass

from rapidfuzz.distance import OSA

from registry.search.backends import SearchBackend

MIN_CORRECTED_LENGTH = 3  # shorter words have too many neighbours one edit away to correct
MAX_CORRECTED_LENGTH = 40  # longer words are not keyed (backends.MAX_KEYED)


def correctable(word: str) -> bool:
    return MIN_CORRECTED_LENGTH <= len(word) <= MAX_CORRECTED_LENGTH and not any(c.isdigit() for c in word)


@dataclass(frozen=True)
class Terms:
    known: dict[str, int]  # the query's words the index holds, with how many organisations use each
    near: list[tuple[str, int]]  # terms that may be one edit from one of them, most used first

    def neighbours(self, word: str, *, limit: int = 6) -> list[tuple[str, int]]:
        """Words of the index one edit away from `word`, with their frequency, the most frequent first."""
        if not correctable(word):
            return []
        return [(t, d) for t, d in self.near if t != word and OSA.distance(word, t) == 1][:limit]


class Vocabulary:
    def __init__(self, backend: SearchBackend):
        self.backend = backend

    def lookup(self, words: list[str]) -> Terms:
        """The words the index knows and their neighbours, in one query."""
        words = list(dict.fromkeys(words))
        rows = self.backend.terms_near(words, [w for w in words if correctable(w)])
        wanted = set(words)
        rows.sort(key=lambda item: (-item[1], item[0]))
        return Terms(known={t: d for t, d in rows if t in wanted}, near=rows)
