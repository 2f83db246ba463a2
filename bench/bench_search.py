"""Search latency and recall on the benchmark database (imported here with --import, or by bench_import.py).

    .venv/bin/python bench/bench_search.py --backend sqlite --import /tmp/bmf2m.csv [--drop] [--queries 1000]
        [--out bench/results/...json]

The database is BENCH_PG_DB (default here: bench_search) or BENCH_SQLITE_DIR; --import creates it afresh and
imports the file, --drop removes it at the end. Query kinds, each built from organisations drawn at random (fixed
seed) among those whose normalised name is unique in the data (a name shared by several organisations cannot
tell them apart, whatever the engine):
  exact           the legal name as registered;
  prefix          the first words of the name, cut where it becomes the only name in the data that starts that
                  way (what a person has typed when autocomplete can first show the one right answer);
  typo            the legal name with one typing error (deletion, insertion, substitution or swap of neighbours)
                  in one word of four letters or more;
  two_typos       one such error in each of two different words;
  reordered       the name's words in another order;
  missing_suffix  a name ending in a legal form (INC, CORP, LTD…) typed without it, in lower case;
  transliterated  half: the name typed with ligatures, accents, curly apostrophes and Unicode hyphens where the
                  register has plain ASCII; half: the register's name rewritten so (the benchmark rewrites those
                  organisations' names and search keys the way an import would) and typed in plain ASCII;
  labelled_number the EIN with a label or in unusual spacing ("EIN 12-3456789", "ein: 123456789", "12 345 6789");
  extra_suffix    a name without a legal form typed with one it lacks ("Inc", "Ltd", "Association"…);
  no_match        invented words around function words ("bavoruk du tesimal", "the kelomir of nupadex"): nothing
                  should match; scored by `clean`, the share of queries none of whose results shares only function
                  words or words of one or two letters with the query (a result one typo from a real query word
                  counts as clean: it is a correction, not noise).
A query scores recall@k when the organisation is among the first k results. Latency is the in-process time of
one search_organisations() call with the country set, as the search page and API make it; the process's CPU time
per call is reported beside it (on SQLite the whole search, and unlike wall time not inflated by other load).
"""

import argparse
import json
import os
import platform
import random
import statistics
import string
import subprocess
import sys
import time
from bisect import bisect_left, bisect_right
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("BENCH_PG_DB", "bench_search")

from setup_db import ROOT, drop, reset, use

KINDS = (
    "exact",
    "prefix",
    "typo",
    "two_typos",
    "reordered",
    "missing_suffix",
    "extra_suffix",
    "transliterated",
    "labelled_number",
    "no_match",
)
SUFFIXES = ("INC", "INCORPORATED", "CORP", "CORPORATION", "LTD", "LIMITED", "LLC", "CO", "COMPANY", "ASSOCIATION")
EXTRA_SUFFIXES = (" Inc", " Inc.", ", Inc.", " Ltd", " Limited", " LLC", " Corp", " Association", " Incorporated")
NO_MATCH_FORMS = (
    "{a} du {b}",
    "{a} de la {b}",
    "les {a} des {b}",
    "the {a} of {b}",
    "{a} of the {b}",
    "{a} and the {b} of",
    "{a} pour la {b} du",
    "friends of the {a}",
)
# Unicode spellings of ASCII letter groups, as names in French, German, Nordic or Polish registers write them.
LIGATURES = {"OE": "Œ", "AE": "Æ", "SS": "ß", "O": "Ø", "L": "Ł"}
ACCENTS = {"E": "ÉÈÊË", "A": "ÀÂÄ", "I": "ÎÏ", "O": "ÔÖ", "U": "ÙÛÜ", "C": "Ç", "N": "Ñ"}
APOSTROPHES = "\u2019\u2018\u02bc"
HYPHENS = "\u2010\u2011\u2013\u2014"
EIN_FORMS = (
    "EIN {a}-{b}",
    "ein: {n}",
    "EIN#{n}",
    "ein {a} {b}",
    "Employer Identification Number {a}-{b}",
    "US-EIN-{n}",
    "{a} {b3} {b4}",
    " {a}.{b} ",
    "EIN: {a} - {b}",
)


def typo(rng: random.Random, word: str) -> str:
    position = rng.randrange(len(word))
    kind = rng.choice(["delete", "insert", "substitute", "swap"])
    letters = string.ascii_uppercase if word.isupper() else string.ascii_lowercase
    if kind == "delete":
        return word[:position] + word[position + 1 :]
    if kind == "insert":
        return word[:position] + rng.choice(letters) + word[position:]
    if kind == "substitute":
        return word[:position] + rng.choice([c for c in letters if c != word[position]]) + word[position + 1 :]
    position = min(position, len(word) - 2)
    swapped = word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    return swapped if swapped != word else word[:position] + word[position + 1 :]


def unicode_spelling(rng: random.Random, name: str) -> str:
    """The name with at least one ligature or non-decomposing letter (Œ, Æ, ß, Ø, Ł), accents, and Unicode
    apostrophes and hyphens: what old NFKD folding lost."""
    text = name
    for plain, fancy in LIGATURES.items():
        if plain in text:
            text = text.replace(plain, fancy, 1)
            break
    letters = list(text)
    for i, ch in enumerate(letters):
        if ch in ACCENTS and rng.random() < 0.3:
            letters[i] = rng.choice(ACCENTS[ch])
    text = "".join(letters).replace("'", rng.choice(APOSTROPHES))
    return text.replace("-", rng.choice(HYPHENS)) if "-" in text else text


def reordered(rng: random.Random, words: list[str]) -> str | None:
    if len(words) < 2:
        return None
    shuffled = list(words)
    for _ in range(10):
        rng.shuffle(shuffled)
        if shuffled != words:
            return " ".join(shuffled)
    return None


def invented_word(rng: random.Random) -> str:
    consonants, vowels = "bdfgklmnprstvz", "aeiou"
    return "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(3, 4))) + rng.choice("krmx")


def build_queries(rows, count: int, seed: int, normalise) -> dict[str, list[tuple[str, str]]]:
    counts = Counter(search_name for _, _, search_name, _ in rows)
    ordered = sorted(counts)
    unique = [row for row in rows if counts[row[2]] == 1]
    rng = random.Random(seed)
    sample = rng.sample(unique, min(count * 6, len(unique)))
    queries: dict[str, list[tuple[str, str]]] = {kind: [] for kind in KINDS}

    def want(kind: str) -> bool:
        return len(queries[kind]) < count

    for position, (org_id, name, _, number) in enumerate(sample):
        words = name.split()
        if position % 2 and want("transliterated"):
            # Organisations of this kind serve no other: half of them get their stored names rewritten.
            queries["transliterated"].append((unicode_spelling(rng, name), org_id))
            continue
        if want("exact"):
            queries["exact"].append((name, org_id))
        if want("prefix"):
            for k in range(1, len(words) + 1):
                prefix = normalise(" ".join(words[:k]))
                if prefix and bisect_right(ordered, prefix + "\uffff") - bisect_left(ordered, prefix) == 1:
                    queries["prefix"].append((" ".join(words[:k]), org_id))
                    break
        long_words = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
        if want("typo") and long_words:
            i = rng.choice(long_words)
            queries["typo"].append((" ".join([*words[:i], typo(rng, words[i]), *words[i + 1 :]]), org_id))
        if want("two_typos") and len(long_words) >= 2:
            i, j = rng.sample(long_words, 2)
            changed = list(words)
            changed[i], changed[j] = typo(rng, words[i]), typo(rng, words[j])
            queries["two_typos"].append((" ".join(changed), org_id))
        kept = [w for w in words if normalise(w)]
        if want("reordered") and (text := reordered(rng, kept)):
            queries["reordered"].append((text, org_id))
        if want("missing_suffix") and len(words) >= 2 and words[-1] in SUFFIXES:
            queries["missing_suffix"].append((" ".join(words[:-1]).lower(), org_id))
        # A name none of whose words is a legal form (all kept by normalisation), typed with one it lacks.
        if want("extra_suffix") and len(words) >= 2 and len(normalise(name).split()) == len(words):
            queries["extra_suffix"].append((name.title() + rng.choice(EXTRA_SUFFIXES), org_id))
        if want("labelled_number") and number.isdigit() and len(number) == 9:
            form = rng.choice(EIN_FORMS)
            queries["labelled_number"].append(
                (form.format(a=number[:2], b=number[2:], n=number, b3=number[2:5], b4=number[5:]), org_id)
            )
    while want("no_match"):
        form = rng.choice(NO_MATCH_FORMS)
        queries["no_match"].append((form.format(a=invented_word(rng), b=invented_word(rng)), ""))
    return queries


def shares_only_weak_words(query: str, name: str) -> bool:
    """True when a result has nothing to do with the query but a function word or a word of one or two letters."""
    from rapidfuzz.distance import OSA

    from registry.search.normalise import STOP_WORDS, fold

    def weak(word: str) -> bool:
        return word in STOP_WORDS or (len(word) <= 2 and not word.isdigit())

    typed, found = fold(query).split(), set(fold(name).split())
    strong = [w for w in typed if not weak(w)]
    if any(OSA.distance(w, t) <= 1 or (w == typed[-1] and t.startswith(w)) for w in strong for t in found):
        return False
    return bool(found & set(typed))


def _table_exists(cursor, name: str) -> bool:
    from django.db import connection

    return name in connection.introspection.table_names(cursor)


def _set_names(cursor, names: list[tuple[str, str]]) -> None:
    """Rename organisations and fold their search keys as an import would, then rebuild the indexes."""
    from registry.search.backends import get_backend
    from registry.search.normalise import normalise_name

    backend = get_backend()
    for name, org_id in names:
        cursor.execute(
            "UPDATE registry_organisation SET name = %s, search_name = %s WHERE org_id = %s",
            [name, normalise_name(name), org_id],
        )
    if names:
        backend.index(cursor, [org_id for _, org_id in names])
    backend.refresh_vocabulary(cursor)


def restore_names() -> None:
    """Undo store_unicode_names of an earlier run on this database, so that runs repeat."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if not _table_exists(cursor, "bench_original_name"):
            return
        cursor.execute("SELECT name, org_id FROM bench_original_name")
        _set_names(cursor, cursor.fetchall())
        cursor.execute("DROP TABLE bench_original_name")


def store_unicode_names(sample: list[tuple[str, str]], rng: random.Random) -> list[tuple[str, str]]:
    """Rewrite these organisations' names in a Unicode spelling, their search keys as an import would, and
    return (plain ASCII query, org_id) pairs for them. The original names are kept for restore_names."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_original_name (org_id varchar(48) PRIMARY KEY, name text NOT NULL)")
        cursor.executemany(
            "INSERT INTO bench_original_name (org_id, name) VALUES (%s, %s)",
            [(org_id, name) for name, org_id in sample],
        )
        _set_names(cursor, [(unicode_spelling(rng, name), org_id) for name, org_id in sample])
        # The vocabulary (SQLite, before it moved into tables) reloads when an import run has finished since.
        cursor.execute(
            "UPDATE registry_importrun SET finished_at = %s WHERE id = (SELECT MAX(id) FROM registry_importrun)",
            [datetime.now(UTC).isoformat(sep=" ") if connection.vendor == "sqlite" else datetime.now(UTC)],
        )
    return [(name.lower(), org_id) for name, org_id in sample]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def import_file(backend: str, path: str) -> float:
    env = reset(backend)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "import_registry", "us-irs-bmf", path, "--json"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return round(time.perf_counter() - started, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--import", dest="import_path", help="create the database afresh and import this BMF file")
    parser.add_argument("--drop", action="store_true", help="drop the benchmark database at the end")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--out")
    args = parser.parse_args()
    import_seconds = import_file(args.backend, args.import_path) if args.import_path else None
    if import_seconds:
        print(f"imported in {import_seconds} s", flush=True)
    use(args.backend)
    from django.db import connection

    from registry.search.engine import search_organisations
    from registry.search.normalise import normalise_name

    restore_names()
    with connection.cursor() as cursor:
        # In one order on both databases, so that both draw the same queries.
        cursor.execute("SELECT org_id, name, search_name, registry_number FROM registry_organisation ORDER BY org_id")
        rows = cursor.fetchall()
    queries = build_queries(rows, args.queries, args.seed, normalise_name)
    half = len(queries["transliterated"]) // 2
    by_id = {org_id: name for org_id, name, _, _ in rows}
    queries["transliterated"][half:] = store_unicode_names(
        [(by_id[org_id], org_id) for _, org_id in queries["transliterated"][half:]], random.Random(args.seed + 1)
    )
    for query, _ in queries["exact"][:20]:  # warm caches (the page cache; a per-process vocabulary if any)
        search_organisations(query=query, country="US", limit=5)

    with connection.cursor() as cursor:
        wanted = list({org_id for items in queries.values() for _, org_id in items})
        names = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            cursor.execute(
                f"SELECT org_id, name FROM registry_organisation WHERE org_id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            names.update(cursor.fetchall())
    report = {}
    for kind in args.kinds.split(","):
        items = queries[kind]
        latencies, cpu, at1, at5, noisy, misses = [], [], 0, 0, 0, []
        started_at = datetime.now(UTC).isoformat(timespec="seconds")
        for query, org_id in items:
            started, started_cpu = time.perf_counter(), time.process_time()
            hits = search_organisations(query=query, country="US", limit=5)
            latencies.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            if kind == "no_match":  # nothing should match: count the results that share only function words
                weak = [hit.name for hit in hits if shares_only_weak_words(query, hit.name)]
                noisy += bool(weak)
                if weak:
                    misses.append((query, weak[0]))
                continue
            found = [hit.org_id for hit in hits]
            at1 += found[:1] == [org_id]
            at5 += org_id in found
            if org_id not in found:
                misses.append((query, names.get(org_id, org_id)))
        scored = kind != "no_match"
        report[kind] = {
            "queries": len(items),
            "p50_ms": round(percentile(latencies, 0.50), 2),
            "p95_ms": round(percentile(latencies, 0.95), 2),
            "p99_ms": round(percentile(latencies, 0.99), 2),
            "mean_ms": round(statistics.mean(latencies), 2),
            # CPU time of this process: what a search costs regardless of other load on the machine (on SQLite the
            # whole search; on PostgreSQL the Python half, the server's work is not counted).
            "cpu_p50_ms": round(percentile(cpu, 0.50), 2),
            "cpu_p95_ms": round(percentile(cpu, 0.95), 2),
            "recall_at_1": round(at1 / len(items), 4) if scored else None,
            "recall_at_5": round(at5 / len(items), 4) if scored else None,
            "clean": None if scored else round(1 - noisy / len(items), 4),
            "misses": misses[:20],
            "started": started_at,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
        print(kind, json.dumps(report[kind]), flush=True)
    result = {
        "backend": args.backend,
        "organisations": len(rows),
        "import_seconds": import_seconds,
        "load_average": os.getloadavg(),
        "kinds": report,
        "examples": {kind: [q for q, _ in items[:5]] for kind, items in queries.items()},
        "machine": f"{platform.node()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    if args.drop:
        drop(args.backend)


if __name__ == "__main__":
    main()
