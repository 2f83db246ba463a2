"""The run's seen ids (registry.importers.seen) behave as the dict of id -> first line they replace."""

import random

import pytest

from registry.importers.seen import SeenIds


def test_seen_ids_agree_with_a_dict_through_growth():
    rng = random.Random(16)
    ids = [f"US-EIN-{rng.randrange(10**9):09d}" for _ in range(20_000)]  # with repeats
    seen, reference = SeenIds(), {}  # starts at 1,024 slots: grows several times
    for line, org_id in enumerate(ids, start=2):
        assert seen.add(org_id, line) == reference.get(org_id)
        reference.setdefault(org_id, line)
    assert len(seen) == len(reference) < len(ids)
    assert all(seen.line(org_id) == line for org_id, line in reference.items())
    assert all(org_id in seen for org_id in reference)
    assert not any(f"GB-CHC-{n}" in seen for n in range(1000)) and 42 not in seen
    assert seen.line("US-EIN-nope") is None


def test_seen_ids_move_and_refuse_the_unknown():
    seen = SeenIds(expected=3)
    assert seen.add("FR-RNA-W1", 5) is None and seen.add("FR-RNA-W1", 9) == 5
    seen.move("FR-RNA-W1", 9)
    assert seen.line("FR-RNA-W1") == 9 and seen.add("FR-RNA-W1", 12) == 9
    with pytest.raises(KeyError):
        seen.move("FR-RNA-W2", 3)
    # An id and its reverse, and ids whose reverses are each other, stay distinct.
    for org_id in ("AB", "BA", "ABBA", ""):
        assert seen.add(org_id, 1) is None
    assert len(seen) == 5
