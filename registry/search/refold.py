"""Re-folding the stored search keys when the normalisation changes (normalise.NORMALISATION_VERSION).

Names are folded once, when imported, into `search_name` and `search_alt`; queries are folded when typed. When the
folding changes (version 3: transliteration, ligatures, apostrophes, legal forms written out), the stored keys
must be folded again or queries and names disagree. `search_keys_refold` does it for every organisation in one
transaction: it recomputes the keys with the writer's own function (`normalise.search_keys`), rewrites the rows
whose keys changed, re-indexes them (SQLite FTS5; PostgreSQL's index is on the columns), rebuilds the typo
vocabulary and records the version. It runs after `manage.py migrate` when the recorded version is older than
the code's (registry.apps), and on demand with `manage.py refold_search`.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from core.audit import audit_record
from registry.models import SearchIndexState
from registry.search.backends import get_backend
from registry.search.normalise import NORMALISATION_VERSION, search_keys

BATCH_ROWS = 5000


@dataclass
class RefoldSummary:
    examined: int = 0
    changed: int = 0
    seconds: float = 0.0
    version: int = NORMALISATION_VERSION


def search_index_version() -> int:
    """The normalisation version the stored keys were folded with; 0 when never recorded."""
    state = SearchIndexState.objects.order_by("pk").first()
    return state.normalisation_version if state else 0


def search_keys_refold(*, force: bool = False, progress: Callable[[int], None] | None = None) -> RefoldSummary:
    """Fold every organisation's search keys again with the current normalisation, if they are older (or force)."""
    started = time.monotonic()
    summary = RefoldSummary()
    with transaction.atomic():
        state, _ = SearchIndexState.objects.select_for_update().get_or_create(pk=1)
        if state.normalisation_version == NORMALISATION_VERSION and not force:
            return summary
        before = state.normalisation_version
        backend = get_backend()
        with connection.cursor() as cursor:
            last_id = 0
            while True:
                cursor.execute(
                    "SELECT id, name, other_names, search_name, search_alt FROM registry_organisation "
                    "WHERE id > %s ORDER BY id LIMIT %s",
                    [last_id, BATCH_ROWS],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                last_id = rows[-1][0]
                changed = []
                for pk, name, other_names, search_name, search_alt in rows:
                    if isinstance(other_names, str):
                        other_names = json.loads(other_names)
                    keys = search_keys(name, other_names or [])
                    if keys != (search_name, search_alt):
                        changed.append((*keys, pk))
                if changed:
                    cursor.executemany(
                        "UPDATE registry_organisation SET search_name = %s, search_alt = %s WHERE id = %s", changed
                    )
                    backend.index_ids(cursor, [pk for *_, pk in changed])
                summary.examined += len(rows)
                summary.changed += len(changed)
                if progress:
                    progress(len(rows))
            backend.refresh_vocabulary(cursor)
        state.normalisation_version = NORMALISATION_VERSION
        state.refolded_at = timezone.now()
        state.save()
        summary.seconds = round(time.monotonic() - started, 3)
        audit_record(
            action="search.refold",
            object_type="search_index",
            object_id="1",
            before={"normalisation_version": before},
            after={
                "normalisation_version": NORMALISATION_VERSION,
                "examined": summary.examined,
                "changed": summary.changed,
                "seconds": summary.seconds,
            },
        )
    return summary
