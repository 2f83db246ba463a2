"""The ids a run has seen, and the line each was first seen on, in flat arrays rather than a dict.

A run keeps every id it reads (for de-duplication, and for the snapshot's "no longer listed"). As a dict of
strings to line numbers, 2 million ids took ~255 MB, the largest part of an import's memory; here they take
24 bytes a slot (~100 MB at 2 million, sized from the run's row estimate so that it seldom grows).

An id is kept as two 64-bit hashes of it (of the id and of the id reversed; Python's keyed string hash, stable
within the process, which is the only place these live), so two different ids are mistaken for each other with a
probability of about 2^-128 per pair: the trust the content fingerprints (128-bit BLAKE2b) already ask for.
Open addressing with linear probing; a slot whose first hash is 0 is empty (a hash of 0 is stored as 1).
"""

from array import array

_LOAD = 2 / 3  # grow past this share of slots used


def _slots_for(count: int) -> int:
    slots = 1 << 10
    while slots * _LOAD < count:
        slots <<= 1
    return slots


class SeenIds:
    def __init__(self, expected: int = 0):
        self._allocate(_slots_for(max(expected, 1)))
        self._count = 0

    def _allocate(self, slots: int) -> None:
        self._mask = slots - 1
        self._keys = array("q", bytes(8 * slots))
        self._checks = array("q", bytes(8 * slots))
        self._lines = array("q", bytes(8 * slots))

    def __len__(self) -> int:
        return self._count

    def _find(self, org_id: str) -> tuple[int, bool, int, int]:
        """(slot, found, key, check): the slot holding org_id, or the empty slot where it would go."""
        key = hash(org_id) or 1
        check = hash(org_id[::-1])
        keys, checks, mask = self._keys, self._checks, self._mask
        slot = key & mask
        while True:
            held = keys[slot]
            if held == 0:
                return slot, False, key, check
            if held == key and checks[slot] == check:
                return slot, True, key, check
            slot = (slot + 1) & mask

    def add(self, org_id: str, line: int) -> int | None:
        """Record org_id as first seen on line; if it was seen before, change nothing and return that line."""
        slot, found, key, check = self._find(org_id)
        if found:
            return self._lines[slot]
        self._keys[slot], self._checks[slot], self._lines[slot] = key, check, line
        self._count += 1
        if self._count > len(self._keys) * _LOAD:
            self._grow()
        return None

    def line(self, org_id: str) -> int | None:
        slot, found, _, _ = self._find(org_id)
        return self._lines[slot] if found else None

    def move(self, org_id: str, line: int) -> None:
        """org_id (seen) now counts as first seen on line: its earlier row was unusable."""
        slot, found, _, _ = self._find(org_id)
        if not found:
            raise KeyError(org_id)
        self._lines[slot] = line

    def __contains__(self, org_id: object) -> bool:
        return isinstance(org_id, str) and self._find(org_id)[1]

    def _grow(self) -> None:
        keys, checks, lines = self._keys, self._checks, self._lines
        self._allocate(len(keys) * 2)
        new_keys, new_checks, new_lines, mask = self._keys, self._checks, self._lines, self._mask
        for old, key in enumerate(keys):
            if key:
                slot = key & mask
                while new_keys[slot]:
                    slot = (slot + 1) & mask
                new_keys[slot], new_checks[slot], new_lines[slot] = key, checks[old], lines[old]
