"""The two search backends behind one interface. They retrieve candidates; `registry.search.engine` ranks them.

SQLite: an FTS5 table (`registry_org_fts`, rowid = organisation id) kept in step by the import pipeline, and
its `fts5vocab` view as the vocabulary. PostgreSQL: a GIN full-text index over the normalised names, a
vocabulary table with a deletion-key index, rebuilt after each import, for typo correction (pg_trgm was
measured for that and set aside: docs/decisions.md).
Both: a B-tree on the normalised legal name answers exact and prefix look-ups in well under a millisecond.
"""

from collections.abc import Sequence

from django.db import connection

ORG_COLUMNS = (
    "id", "org_id", "name", "status", "city", "region", "country", "income_minor", "income_currency",
    "search_name", "search_alt", "registry_number",
)
_SELECT = ", ".join(f"o.{c}" for c in ORG_COLUMNS)


def _rows(cursor) -> list[dict]:
    return [dict(zip(ORG_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


class SearchBackend:
    vendor = ""

    # Index maintenance, called by the import pipeline inside its transaction.
    def install(self, cursor) -> None: ...
    def index(self, cursor, org_ids: Sequence[str]) -> None: ...
    def index_new(self, cursor, after_id: int) -> None: ...
    def refresh_vocabulary(self, cursor) -> None: ...
    def vocabulary(self) -> list[tuple[str, int]]:
        raise NotImplementedError

    def similar_terms(self, term: str, limit: int) -> list[tuple[str, int]]:
        raise NotImplementedError

    # Candidate retrieval.
    def by_number(self, number: str, country: str | None) -> list[dict]:
        sql = f"SELECT {_SELECT} FROM registry_organisation o WHERE o.registry_number = %s"
        params: list = [number]
        if country:
            sql += " AND o.country = %s"
            params.append(country)
        with connection.cursor() as cursor:
            cursor.execute(sql + " LIMIT 20", params)
            return _rows(cursor)

    def exact(self, names: Sequence[str], country: str | None, limit: int) -> list[dict]:
        if not names:
            return []
        marks = ", ".join(["%s"] * len(names))
        sql = f"SELECT {_SELECT} FROM registry_organisation o WHERE o.search_name IN ({marks})"
        params: list = list(names)
        if country:
            sql += " AND o.country = %s"
            params.append(country)
        with connection.cursor() as cursor:
            cursor.execute(sql + f" LIMIT {int(limit)}", params)
            return _rows(cursor)

    def prefix(self, prefix: str, country: str | None, limit: int) -> list[dict]:
        raise NotImplementedError

    def fulltext(self, groups: Sequence[Sequence[str]], last_is_prefix: bool, country: str | None,
                 limit: int) -> list[dict]:
        """Organisations whose names hold, for every group, one of its words (the last group as a prefix)."""
        raise NotImplementedError


class SQLiteBackend(SearchBackend):
    vendor = "sqlite"

    def install(self, cursor) -> None:
        cursor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS registry_org_fts USING fts5("
            "search_name, search_alt, tokenize = 'unicode61 remove_diacritics 2')"
        )
        cursor.execute("CREATE VIRTUAL TABLE IF NOT EXISTS registry_org_vocab USING fts5vocab(registry_org_fts, row)")

    def index(self, cursor, org_ids: Sequence[str]) -> None:
        marks = ", ".join(["%s"] * len(org_ids))
        cursor.execute(
            f"DELETE FROM registry_org_fts WHERE rowid IN "
            f"(SELECT id FROM registry_organisation WHERE org_id IN ({marks}))", list(org_ids))
        cursor.execute(
            f"INSERT INTO registry_org_fts(rowid, search_name, search_alt) SELECT id, search_name, search_alt "
            f"FROM registry_organisation WHERE org_id IN ({marks})", list(org_ids))

    def index_new(self, cursor, after_id: int) -> None:
        """Index organisations just inserted: they hold the ids above after_id (one writer at a time)."""
        cursor.execute(
            "INSERT INTO registry_org_fts(rowid, search_name, search_alt) SELECT id, search_name, search_alt "
            "FROM registry_organisation WHERE id > %s", [after_id])

    def vocabulary(self) -> list[tuple[str, int]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT term, doc FROM registry_org_vocab")
            return cursor.fetchall()

    def prefix(self, prefix: str, country: str | None, limit: int) -> list[dict]:
        # Binary collation: a range on the B-tree is exactly "starts with".
        sql = (f"SELECT {_SELECT} FROM registry_organisation o "
               f"WHERE o.search_name >= %s AND o.search_name < %s")
        params: list = [prefix, prefix + "\U0010ffff"]
        if country:
            sql += " AND o.country = %s"
            params.append(country)
        with connection.cursor() as cursor:
            cursor.execute(sql + f" ORDER BY o.search_name LIMIT {int(limit)}", params)
            return _rows(cursor)

    def fulltext(self, groups, last_is_prefix, country, limit) -> list[dict]:
        parts = []
        for position, words in enumerate(groups):
            last = position == len(groups) - 1
            alternatives = [f'"{w}"' + ("*" if last and last_is_prefix else "") for w in words]
            parts.append("(" + " OR ".join(alternatives) + ")")
        match = " AND ".join(parts)
        sql = (f"SELECT {_SELECT} FROM registry_org_fts f JOIN registry_organisation o ON o.id = f.rowid "
               f"WHERE registry_org_fts MATCH %s")
        params: list = [match]
        if country:
            sql += " AND o.country = %s"
            params.append(country)
        with connection.cursor() as cursor:
            cursor.execute(sql + f" LIMIT {int(limit)}", params)
            return _rows(cursor)


class PostgresBackend(SearchBackend):
    vendor = "postgresql"

    def install(self, cursor) -> None:
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS org_search_name_pattern "
            "ON registry_organisation (search_name text_pattern_ops)")
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS org_search_fts ON registry_organisation USING gin "
            "(to_tsvector('simple'::regconfig, search_name || ' ' || search_alt))")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS registry_search_term (term text PRIMARY KEY, doc integer NOT NULL)")
        # Each term under itself and under every one-letter deletion of it: two words one typo apart
        # always share a key, so correction is a handful of B-tree look-ups (see similar_terms).
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS registry_search_term_key (key text NOT NULL, term text NOT NULL)")
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS registry_search_term_key_idx ON registry_search_term_key (key)")

    def refresh_vocabulary(self, cursor) -> None:
        cursor.execute("DELETE FROM registry_search_term")
        cursor.execute(
            "INSERT INTO registry_search_term (term, doc) SELECT word, ndoc FROM ts_stat("
            "$$SELECT to_tsvector('simple'::regconfig, search_name || ' ' || search_alt) "
            "FROM registry_organisation$$)")
        cursor.execute("TRUNCATE registry_search_term_key")
        cursor.execute(
            "INSERT INTO registry_search_term_key (key, term) "
            "SELECT term, term FROM registry_search_term UNION "
            "SELECT substr(term, 1, i - 1) || substr(term, i + 1), term "
            "FROM registry_search_term, generate_series(1, length(term)) AS i WHERE length(term) >= 3")
        cursor.execute("ANALYZE registry_search_term_key")

    def vocabulary(self) -> list[tuple[str, int]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT term, doc FROM registry_search_term")
            return cursor.fetchall()

    def similar_terms(self, term: str, limit: int) -> list[tuple[str, int]]:
        keys = [term, *{term[:i] + term[i + 1:] for i in range(len(term))}]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT t.term, t.doc FROM registry_search_term_key k "
                "JOIN registry_search_term t ON t.term = k.term WHERE k.key = ANY(%s) "
                "ORDER BY t.doc DESC LIMIT %s", [keys, limit])
            return cursor.fetchall()

    def prefix(self, prefix: str, country: str | None, limit: int) -> list[dict]:
        sql = f"SELECT {_SELECT} FROM registry_organisation o WHERE o.search_name LIKE %s"
        params: list = [prefix + "%"]  # normalised text holds only [a-z0-9 ]: no LIKE wildcards to escape
        if country:
            sql += " AND o.country = %s"
            params.append(country)
        with connection.cursor() as cursor:
            cursor.execute(sql + f" ORDER BY o.search_name LIMIT {int(limit)}", params)
            return _rows(cursor)

    def fulltext(self, groups, last_is_prefix, country, limit) -> list[dict]:
        parts = []
        for position, words in enumerate(groups):
            last = position == len(groups) - 1
            alternatives = [w + (":*" if last and last_is_prefix else "") for w in words]
            parts.append("(" + " | ".join(alternatives) + ")")
        query = " & ".join(parts)
        sql = (f"SELECT {_SELECT} FROM registry_organisation o WHERE "
               f"to_tsvector('simple'::regconfig, o.search_name || ' ' || o.search_alt) "
               f"@@ to_tsquery('simple'::regconfig, %s)")
        params: list = [query]
        if country:
            sql += " AND o.country = %s"
            params.append(country)
        with connection.cursor() as cursor:
            cursor.execute(sql + f" LIMIT {int(limit)}", params)
            return _rows(cursor)


def get_backend() -> SearchBackend:
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()
