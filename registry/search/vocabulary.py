"""Typo correction against the index's own vocabulary: one edit (insert, delete, substitute, swap) per word.

The vocabulary lives in the database on both backends (tables rebuilt after each import, see backends.py): its
deletion keys find candidates with a few B-tree look-ups and rapidfuzz keeps those exactly one edit away. Nothing
is held per process, so the first search of a freshly started worker costs what every other one does.
"""

from rapidfuzz.distance import OSA

from registry.search.backends import SearchBackend

MIN_CORRECTED_LENGTH = 3  # shorter words have too many neighbours one edit away to correct
MAX_CORRECTED_LENGTH = 40  # longer words are not keyed (backends.MAX_KEYED)


class Vocabulary:
    def __init__(self, backend: SearchBackend):
        self.backend = backend

    def known(self, words: list[str]) -> dict[str, int]:
        """The words the index holds, with how many organisations use each."""
        return self.backend.known_terms(words)

    def neighbours(self, word: str, *, known: bool = False, limit: int = 6) -> list[tuple[str, int]]:
        """Words of the index one edit away from `word`, with their frequency, the most frequent first.

        Known words are only corrected towards much more frequent ones (see engine._corrections).
        """
        if not MIN_CORRECTED_LENGTH <= len(word) <= MAX_CORRECTED_LENGTH or any(c.isdigit() for c in word):
            return []
        scored = [(t, d) for t, d in self.backend.similar_terms(word, 40) if OSA.distance(word, t) == 1]
        scored.sort(key=lambda item: -item[1])
        return scored[:limit]
