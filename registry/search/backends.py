"""The two search backends behind one interface. They retrieve candidates; `registry.search.engine` ranks them.

SQLite: an FTS5 table (`registry_org_fts`, rowid = organisation id) kept in step by the import pipeline.
PostgreSQL: a GIN full-text index over the normalised names (pg_trgm was measured for typo correction and set
aside: docs/decisions.md).
Both: a B-tree on the normalised legal name answers exact and prefix look-ups in well under a millisecond, and
a vocabulary table with a deletion-key index, rebuilt after each import, answers typo correction with a few
B-tree look-ups: nothing is loaded into a process, so a freshly started worker searches at full speed.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

ORG_COLUMNS = (
    "id",
    "org_id",
    "name",
    "status",
    "city",
    "region",
    "country",
    "income_minor",
    "income_currency",
    "search_name",
    "search_alt",
    "registry_number",
)
_SELECT = ", ".join(f"o.{c}" for c in ORG_COLUMNS)


# The typo vocabulary: every term of the index with how many organisations use it, and each term (of 2 to
# MAX_KEYED letters, no digit: numbers are never corrected) under itself and under every one-letter deletion of
# it. Two words one typo apart always share such a key, so correction is a handful of B-tree look-ups.
MAX_KEYED = 40


def _keys_select(series: str, has_digit: str) -> str:
    keyed = f"length(term) BETWEEN 2 AND {MAX_KEYED} AND NOT {has_digit}"
    return (
        f"SELECT term, term FROM registry_search_term WHERE {keyed} UNION ALL "
        f"SELECT substr(term, 1, i - 1) || substr(term, i + 1), term FROM registry_search_term, {series} "
        f"WHERE i <= length(term) AND {keyed}"
    )


def _install_vocabulary(cursor) -> None:
    cursor.execute("CREATE TABLE IF NOT EXISTS registry_search_term (term text PRIMARY KEY, doc integer NOT NULL)")
    cursor.execute("CREATE TABLE IF NOT EXISTS registry_search_term_key (key text NOT NULL, term text NOT NULL)")
    cursor.execute("CREATE INDEX IF NOT EXISTS registry_search_term_key_idx ON registry_search_term_key (key)")


def _deletion_keys(term: str) -> list[str]:
    return [term, *{term[:i] + term[i + 1 :] for i in range(len(term))}]


@dataclass(frozen=True)
class NameLookup:
    tag: int  # returned with each row: which look-up found it
    names: Sequence[str]  # exact names, or (prefix=True) one prefix
    limit: int
    prefix: bool = False


def _rows(cursor) -> list[dict]:
    return [dict(zip(ORG_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


class SearchBackend:
    vendor = ""

    # Index maintenance, called by the import pipeline inside its transaction.
    def install(self, cursor) -> None: ...
    def index(self, cursor, org_ids: Sequence[str]) -> None: ...
    def index_new(self, cursor, after_id: int) -> None: ...
    def index_ids(self, cursor, ids: Sequence[int]) -> None: ...
    def refresh_vocabulary(self, cursor) -> None: ...

    def terms_near(self, words: Sequence[str], correctable: Sequence[str]) -> list[tuple[str, int]]:
        """In one query: those of `words` the index holds, and the terms sharing a deletion key with any of
        `correctable` (all those one edit away, and some two), each with how many organisations use it."""
        if not words:
            return []
        marks = ", ".join(["%s"] * len(words))
        sql = f"SELECT term, doc FROM registry_search_term WHERE term IN ({marks})"
        params: list = list(words)
        keys = sorted({key for word in correctable for key in _deletion_keys(word)})
        if keys:
            sql += (
                f" UNION SELECT t.term, t.doc FROM registry_search_term_key k JOIN registry_search_term t "
                f"ON t.term = k.term WHERE k.key IN ({', '.join(['%s'] * len(keys))})"
            )
            params += keys
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

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

    # A French association's SIREN is the start of the SIRET the RNA lists: a partial expression index (French
    # rows only, so other registers' imports never pay for it) finds it.
    SIREN_EXPRESSION = ""

    def by_siren(self, siren: str, country: str | None) -> list[dict]:
        if country not in (None, "FR"):
            return []
        sql = (
            f"SELECT {_SELECT} FROM registry_organisation o "
            f"WHERE o.country = 'FR' AND {self.SIREN_EXPRESSION} = %s LIMIT 20"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [siren])
            return _rows(cursor)

    def names(self, requests: Sequence[NameLookup], country: str | None) -> list[tuple[int, dict]]:
        """Organisations by their normalised legal name, for several look-ups in one round trip: each an exact
        match on any of its names, or a string prefix of its one name (in name order); (tag, row) pairs."""
        parts: list[str] = []
        params: list = []
        for request in requests:
            if not request.names:
                continue
            if request.prefix:
                where, values = self.PREFIX_CONDITION, self.prefix_params(request.names[0])
            else:
                where, values = f"o.search_name IN ({', '.join(['%s'] * len(request.names))})", list(request.names)
            if country:
                where += " AND o.country = %s"
                values.append(country)
            order = " ORDER BY o.search_name" if request.prefix else ""
            parts.append(
                f"SELECT * FROM (SELECT {int(request.tag)} AS tag, {_SELECT} FROM registry_organisation o "
                f"WHERE {where}{order} LIMIT {int(request.limit)}) AS q{len(parts)}"
            )
            params += values
        if not parts:
            return []
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            return [(row[0], dict(zip(ORG_COLUMNS, row[1:], strict=True))) for row in cursor.fetchall()]

    PREFIX_CONDITION = ""

    def prefix_params(self, prefix: str) -> list:
        raise NotImplementedError

    def fulltext(
        self, groups: Sequence[Sequence[str]], last_is_prefix: bool, country: str | None, limit: int
    ) -> list[dict]:
        """Organisations whose names hold, for every group, one of its words (the last group as a prefix)."""
        raise NotImplementedError


class SQLiteBackend(SearchBackend):
    vendor = "sqlite"
    SIREN_EXPRESSION = "substr(json_extract(o.raw_codes, '$.\"fr-rna\".siret'), 1, 9)"

    def install(self, cursor) -> None:
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS org_fr_siren ON registry_organisation "
            "(substr(json_extract(raw_codes, '$.\"fr-rna\".siret'), 1, 9)) WHERE country = 'FR'"
        )
        cursor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS registry_org_fts USING fts5("
            "search_name, search_alt, tokenize = 'unicode61 remove_diacritics 2')"
        )
        cursor.execute("CREATE VIRTUAL TABLE IF NOT EXISTS registry_org_vocab USING fts5vocab(registry_org_fts, row)")
        _install_vocabulary(cursor)

    def refresh_vocabulary(self, cursor) -> None:
        cursor.execute("DELETE FROM registry_search_term")
        cursor.execute("INSERT INTO registry_search_term (term, doc) SELECT term, doc FROM registry_org_vocab")
        cursor.execute("DELETE FROM registry_search_term_key")
        keys = _keys_select("n", "term GLOB '*[0-9]*'")
        cursor.execute(
            f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {MAX_KEYED}) "
            f"INSERT INTO registry_search_term_key (key, term) {keys}"
        )
        cursor.execute("ANALYZE registry_search_term_key")

    def index(self, cursor, org_ids: Sequence[str]) -> None:
        marks = ", ".join(["%s"] * len(org_ids))
        cursor.execute(
            f"DELETE FROM registry_org_fts WHERE rowid IN "
            f"(SELECT id FROM registry_organisation WHERE org_id IN ({marks}))",
            list(org_ids),
        )
        cursor.execute(
            f"INSERT INTO registry_org_fts(rowid, search_name, search_alt) SELECT id, search_name, search_alt "
            f"FROM registry_organisation WHERE org_id IN ({marks})",
            list(org_ids),
        )

    def index_ids(self, cursor, ids: Sequence[int]) -> None:
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(f"DELETE FROM registry_org_fts WHERE rowid IN ({marks})", list(ids))
        cursor.execute(
            f"INSERT INTO registry_org_fts(rowid, search_name, search_alt) SELECT id, search_name, search_alt "
            f"FROM registry_organisation WHERE id IN ({marks})",
            list(ids),
        )

    def index_new(self, cursor, after_id: int) -> None:
        """Index organisations just inserted: they hold the ids above after_id (one writer at a time)."""
        cursor.execute(
            "INSERT INTO registry_org_fts(rowid, search_name, search_alt) SELECT id, search_name, search_alt "
            "FROM registry_organisation WHERE id > %s",
            [after_id],
        )

    # Binary collation: a range on the B-tree is exactly "starts with".
    PREFIX_CONDITION = "o.search_name >= %s AND o.search_name < %s"

    def prefix_params(self, prefix: str) -> list:
        return [prefix, prefix + "\U0010ffff"]

    def fulltext(self, groups, last_is_prefix, country, limit) -> list[dict]:
        parts = []
        for position, words in enumerate(groups):
            last = position == len(groups) - 1
            alternatives = [f'"{w}"' + ("*" if last and last_is_prefix else "") for w in words]
            parts.append("(" + " OR ".join(alternatives) + ")")
        match = " AND ".join(parts)
        sql = (
            f"SELECT {_SELECT} FROM registry_org_fts f JOIN registry_organisation o ON o.id = f.rowid "
            f"WHERE registry_org_fts MATCH %s"
        )
        params: list = [match]
        if country:
            sql += " AND o.country = %s"
            params.append(country)
        with connection.cursor() as cursor:
            cursor.execute(sql + f" LIMIT {int(limit)}", params)
            return _rows(cursor)


class PostgresBackend(SearchBackend):
    vendor = "postgresql"
    SIREN_EXPRESSION = "substr(o.raw_codes -> 'fr-rna' ->> 'siret', 1, 9)"

    def install(self, cursor) -> None:
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS org_fr_siren ON registry_organisation "
            "(substr(raw_codes -> 'fr-rna' ->> 'siret', 1, 9)) WHERE country = 'FR'"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS org_search_name_pattern ON registry_organisation (search_name text_pattern_ops)"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS org_search_fts ON registry_organisation USING gin "
            "(to_tsvector('simple'::regconfig, search_name || ' ' || search_alt))"
        )
        _install_vocabulary(cursor)

    def refresh_vocabulary(self, cursor) -> None:
        cursor.execute("DELETE FROM registry_search_term")
        cursor.execute(
            "INSERT INTO registry_search_term (term, doc) SELECT word, ndoc FROM ts_stat("
            "$$SELECT to_tsvector('simple'::regconfig, search_name || ' ' || search_alt) "
            "FROM registry_organisation$$)"
        )
        # DELETE, not TRUNCATE: TRUNCATE's exclusive lock would make every typo search wait until the import's
        # last transaction commits (seconds at the end of a large run); DELETE lets readers see the old keys.
        cursor.execute("DELETE FROM registry_search_term_key")
        cursor.execute(
            "INSERT INTO registry_search_term_key (key, term) "
            + _keys_select(f"generate_series(1, {MAX_KEYED}) AS n(i)", "term ~ '[0-9]'")
        )
        cursor.execute("ANALYZE registry_search_term_key")

    # Normalised text holds only [a-z0-9 ]: no LIKE wildcards to escape; the text_pattern_ops index answers it.
    PREFIX_CONDITION = "o.search_name LIKE %s"

    def prefix_params(self, prefix: str) -> list:
        return [prefix + "%"]

    def fulltext(self, groups, last_is_prefix, country, limit) -> list[dict]:
        parts = []
        for position, words in enumerate(groups):
            last = position == len(groups) - 1
            alternatives = [w + (":*" if last and last_is_prefix else "") for w in words]
            parts.append("(" + " | ".join(alternatives) + ")")
        query = " & ".join(parts)
        sql = (
            f"SELECT {_SELECT} FROM registry_organisation o WHERE "
            f"to_tsvector('simple'::regconfig, o.search_name || ' ' || o.search_alt) "
            f"@@ to_tsquery('simple'::regconfig, %s)"
        )
        params: list = [query]
        if country:
            sql += " AND o.country = %s"
            params.append(country)
        with connection.cursor() as cursor:
            cursor.execute(sql + f" LIMIT {int(limit)}", params)
            return _rows(cursor)


def get_backend() -> SearchBackend:
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()
