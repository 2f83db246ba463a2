"""Markdown tables from bench/results/*.json, for docs/benchmarks.md (`*-before.json`: the code before a change).

    .venv/bin/python bench/report.py
"""

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def load(name: str) -> dict | None:
    path = RESULTS / name
    return json.loads(path.read_text()) if path.exists() else None


def main() -> None:
    print("| backend | first import | rows/s | unchanged re-import | ratio | peak RSS | measured |")
    print("|---|---|---|---|---|---|---|")
    for backend in ("sqlite", "postgres"):
        r = load(f"import-{backend}.json")
        if r:
            print(f"| {backend} | {r['first']['wall_seconds']} s | {r['first']['rows_per_second']:,} | "
                  f"{r['reimport']['wall_seconds']} s | {r['reimport_ratio']} | {r['first']['peak_rss_mb']} MB | "
                  f"{r['date']} |")
    print()
    print("| backend | kind | queries | p50 ms | p95 ms | p99 ms | CPU p95 ms | recall@1 | recall@5 | before: p95 ms "
          "| before: recall@5 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for backend in ("sqlite", "postgres"):
        r, before = load(f"search-{backend}.json"), load(f"search-{backend}-before.json") or {"kinds": {}}
        if r:
            for kind, k in r["kinds"].items():
                b = before["kinds"].get(kind)
                was = f"{b['p95_ms']} | {b['recall_at_5']}" if b else "- | -"
                print(f"| {backend} | {kind} | {k['queries']} | {k['p50_ms']} | {k['p95_ms']} | {k['p99_ms']} | "
                      f"{k.get('cpu_p95_ms', '-')} | {k['recall_at_1']} | {k['recall_at_5']} | {was} |")
    print()
    print("| backend | code | first search (median, max) ms | second search ms | worker RSS MB | load average |")
    print("|---|---|---|---|---|---|")
    for backend in ("sqlite", "postgres"):
        for suffix, code in (("-before", "before"), ("", "after")):
            r = load(f"first-search-{backend}{suffix}.json")
            if r:
                print(f"| {backend} | {code} | {r['first_search_median_ms']}, {r['first_search_max_ms']} | "
                      f"{r['second_search_median_ms']} | {r['worker_rss_mb_median']} | "
                      f"{', '.join(str(round(x, 1)) for x in r['load_average'])} |")

if __name__ == "__main__":
    main()
