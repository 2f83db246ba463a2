"""Search latency and recall on whatever the benchmark database holds (run bench_import.py first).

    .venv/bin/python bench/bench_search.py --backend sqlite [--queries 1000] [--out bench/results/...json]

Three query kinds, each built from organisations drawn at random (fixed seed) among those whose normalised
name is unique in the data (a name shared by several organisations cannot tell them apart, whatever the engine):
  exact   the legal name as registered;
  prefix  the first words of the name, cut where it becomes the only name in the data that starts that way
          (what a person has typed when autocomplete can first show the one right answer);
  typo    the legal name with one typing error (deletion, insertion, substitution or swap of neighbours)
          in one word of four letters or more.
A query scores recall@k when the organisation is among the first k results. Latency is the in-process time of
one search_organisations() call with the country set, as the search page and API make it.
"""

import argparse
import json
import platform
import random
import statistics
import string
import time
from bisect import bisect_left, bisect_right
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from setup_db import use


def typo(rng: random.Random, word: str) -> str:
    position = rng.randrange(len(word))
    kind = rng.choice(["delete", "insert", "substitute", "swap"])
    letters = string.ascii_uppercase if word.isupper() else string.ascii_lowercase
    if kind == "delete":
        return word[:position] + word[position + 1:]
    if kind == "insert":
        return word[:position] + rng.choice(letters) + word[position:]
    if kind == "substitute":
        return word[:position] + rng.choice([c for c in letters if c != word[position]]) + word[position + 1:]
    position = min(position, len(word) - 2)
    swapped = word[:position] + word[position + 1] + word[position] + word[position + 2:]
    return swapped if swapped != word else word[:position] + word[position + 1:]


def build_queries(rows, count: int, seed: int, normalise) -> dict[str, list[tuple[str, str]]]:
    counts = Counter(search_name for _, _, search_name in rows)
    ordered = sorted(counts)
    unique = [row for row in rows if counts[row[2]] == 1]
    rng = random.Random(seed)
    sample = rng.sample(unique, min(count * 2, len(unique)))
    queries: dict[str, list[tuple[str, str]]] = {"exact": [], "prefix": [], "typo": []}
    for org_id, name, _ in sample:
        words = name.split()
        if len(queries["exact"]) < count:
            queries["exact"].append((name, org_id))
        if len(queries["prefix"]) < count:
            for k in range(1, len(words) + 1):
                prefix = normalise(" ".join(words[:k]))
                if prefix and bisect_right(ordered, prefix + "\uffff") - bisect_left(ordered, prefix) == 1:
                    queries["prefix"].append((" ".join(words[:k]), org_id))
                    break
        long_words = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
        if len(queries["typo"]) < count and long_words:
            i = rng.choice(long_words)
            queries["typo"].append((" ".join([*words[:i], typo(rng, words[i]), *words[i + 1:]]), org_id))
    return queries


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out")
    args = parser.parse_args()
    use(args.backend)
    from django.db import connection

    from registry.search.engine import search_organisations
    from registry.search.normalise import normalise_name

    with connection.cursor() as cursor:
        cursor.execute("SELECT org_id, name, search_name FROM registry_organisation")
        rows = cursor.fetchall()
    queries = build_queries(rows, args.queries, args.seed, normalise_name)
    for query, _ in queries["exact"][:20]:  # warm caches (the vocabulary, the page cache)
        search_organisations(query=query, country="US", limit=5)

    report = {}
    for kind, items in queries.items():
        latencies, at1, at5 = [], 0, 0
        for query, org_id in items:
            started = time.perf_counter()
            hits = search_organisations(query=query, country="US", limit=5)
            latencies.append((time.perf_counter() - started) * 1000)
            found = [hit.org_id for hit in hits]
            at1 += found[:1] == [org_id]
            at5 += org_id in found
        report[kind] = {
            "queries": len(items), "p50_ms": round(percentile(latencies, 0.50), 2),
            "p95_ms": round(percentile(latencies, 0.95), 2), "p99_ms": round(percentile(latencies, 0.99), 2),
            "mean_ms": round(statistics.mean(latencies), 2),
            "recall_at_1": round(at1 / len(items), 4), "recall_at_5": round(at5 / len(items), 4),
        }
        print(kind, json.dumps(report[kind]), flush=True)
    result = {"backend": args.backend, "organisations": len(rows), "kinds": report,
              "examples": {kind: [q for q, _ in items[:5]] for kind, items in queries.items()},
              "machine": f"{platform.node()} {platform.machine()}", "cpus": __import__("os").cpu_count(),
              "date": datetime.now(UTC).isoformat(timespec="seconds")}
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
