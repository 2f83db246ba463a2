"""Fill the PostgreSQL benchmark database with the organisations of the SQLite one, row for row (COPY).

    .venv/bin/python bench/copy_to_postgres.py

For search benchmarks when a PostgreSQL import cannot be afforded (it is the slowest step of a run): the rows are
those the import pipeline wrote on SQLite, the indexes and the typo vocabulary are built as the import builds them
(`SearchBackend.install` and `refresh_vocabulary`). Import speed itself is measured by bench_import.py.
"""

import os
import sqlite3
import time

os.environ.setdefault("BENCH_PG_DB", "bench_search")

from setup_db import SQLITE_DIR, reset, use

SOURCE_COLUMNS = ("id", "slug", "name", "country", "licence", "licence_url", "download_url", "last_imported_at")


def main() -> None:
    started = time.perf_counter()
    reset("postgres")
    use("postgres")
    from django.db import connection

    from registry.importers.writer import WRITTEN_COLUMNS
    from registry.search.backends import get_backend

    org_columns = ("id", *WRITTEN_COLUMNS)  # the ids too: the rows keep the SQLite run's keys

    source = sqlite3.connect(SQLITE_DIR / "vouch.sqlite3")
    with connection.cursor() as cursor:
        raw = cursor.cursor
        cursor.execute("DROP INDEX IF EXISTS org_search_fts")
        cursor.execute("DROP INDEX IF EXISTS org_search_name_pattern")
        for table, columns in (("registry_source", SOURCE_COLUMNS), ("registry_organisation", org_columns)):
            rows = source.execute(f"SELECT {', '.join(columns)} FROM {table}")
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        print(f"copied in {time.perf_counter() - started:.0f} s", flush=True)
        backend = get_backend()
        backend.install(cursor)
        backend.refresh_vocabulary(cursor)
        cursor.execute("ANALYZE registry_organisation")
    print(f"done in {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
