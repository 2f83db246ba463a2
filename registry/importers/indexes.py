"""Indexes filled in bulk on a first import: dropped before the rows go in, built once after them.

Keeping a B-tree (and on PostgreSQL the GIN full-text index) up to date row by row costs more than the rows
themselves at millions of rows; building each index once over the loaded table is a sort, several times cheaper.
Only on a first import (the organisation table empty when the run starts): then there is nothing for readers to
find yet, and PostgreSQL's DROP INDEX, which makes readers of the table wait until the run commits, costs them
nothing they could have had. The index definitions are read from the database itself, so an index added by a
later migration is handled the same way. The unique index on org_id stays (it is the constraint); its
PostgreSQL LIKE twin (varchar_pattern_ops) goes and comes back like the others.

Within the run's transaction: a run that fails rolls the drop back with everything else. Should a run commit
between batches, restore() (called when a run fails) builds whatever a committed drop left missing.
"""

from registry.importers.writer import TABLE

# Secondary indexes of the organisation table that an import maintains row by row otherwise.
BULK_INDEXES = {
    "sqlite": ("org_search_name", "registry_organisation_registry_number_"),
    "postgresql": (
        "org_search_name",
        "registry_organisation_registry_number_",
        "org_search_name_pattern",
        "org_search_fts",
    ),
}


def table_is_empty(cursor) -> bool:
    cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {TABLE})")  # noqa: S608
    return bool(cursor.fetchone()[0])


def _definitions(cursor, vendor: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the organisation table's indexes that are filled in bulk."""
    if vendor == "postgresql":
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [TABLE])
    else:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL", [TABLE]
        )
    wanted = BULK_INDEXES.get(vendor, ())
    return [
        (name, sql)
        for name, sql in cursor.fetchall()
        if name.startswith(wanted) or (name.startswith("registry_organisation_org_id_") and name.endswith("_like"))
    ]


class BulkIndexes:
    """drop() before a first import's rows, rebuild() after them (and before the snapshot and the hooks)."""

    def __init__(self, cursor, vendor: str):
        self.cursor = cursor
        self.vendor = vendor
        self.dropped: list[tuple[str, str]] = []

    def drop(self) -> None:
        self.dropped = _definitions(self.cursor, self.vendor)
        for name, _ in self.dropped:
            self.cursor.execute(f'DROP INDEX "{name}"')

    def rebuild(self) -> None:
        if not self.dropped:
            return
        if self.vendor == "postgresql":
            # PostgreSQL builds no index over rows with deferred checks pending (the source foreign key):
            # run those checks now, then defer again as before.
            self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self.cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            # One sort in memory per index instead of spilling runs to disk (the default is 64 MB).
            self.cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, sql in self.dropped:
            self.cursor.execute(sql)
        self.dropped = []
        if self.vendor == "postgresql":
            self.cursor.execute(f"ANALYZE {TABLE}")

    def restore(self) -> None:
        """After a failed run: build the indexes that are missing (none when the drop was rolled back)."""
        if not self.dropped:
            return
        from django.db import connection

        with connection.cursor() as cursor:
            for _, sql in self.dropped:
                cursor.execute(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
        self.dropped = []
