"""Markdown tables from bench/results/*.json, for docs/benchmarks.md.

.venv/bin/python bench/report.py
"""

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def load(name: str) -> dict | None:
    path = RESULTS / name
    return json.loads(path.read_text()) if path.exists() else None


def imports() -> None:
    print(
        "| backend | code | floor | first import | first / floor | CPU of the import | unchanged re-import | "
        "re-import / first | CPU of the re-import | peak RSS | measured |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for backend in ("sqlite", "postgres"):
        for suffix, code in (("-before", "before"), ("", "after")):
            r = load(f"import-{backend}{suffix}.json")
            if r:
                _import_row(backend, code, r)


def _import_row(backend: str, code: str, r: dict) -> None:
    if "floor" not in r:  # an older result, before the floor was measured
        print(
            f"| {backend} | {code} | - | {r['first']['wall_seconds']} s | - | - | {r['reimport']['wall_seconds']} s"
            f" | {r['reimport_ratio']} | - | {r['first']['peak_rss_mb']} MB | {r['date']} |"
        )
        return
    first, again = r["first"], r["reimport"]
    load_at_end = r.get("load_average_at_end", ["-"])[0]
    print(
        f"| {backend} | {code} | {r['floor']['wall_seconds']} s | {first['wall_seconds']} s "
        f"({first['rows_per_second']:,} rows/s) | {r['first_over_floor']} | {first['cpu_seconds']} s | "
        f"{again['wall_seconds']} s | {r['reimport_ratio']} | {again['cpu_seconds']} s | "
        f"{max(first['peak_rss_mb'], again['peak_rss_mb'])} MB | "
        f"{r['date']} (load {r['host']['load_average_at_start'][0]} → {load_at_end}) |"
    )


def searches() -> None:
    print(
        "| backend | kind | queries | p50 ms | p95 ms | p99 ms | CPU p95 ms | recall@1 | recall@5 | load | "
        "before: p95 ms | before: recall@5 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for backend in ("sqlite", "postgres"):
        r, before = load(f"search-{backend}.json"), load(f"search-{backend}-before.json") or {"kinds": {}}
        if r:
            for kind, k in r["kinds"].items():
                b = before["kinds"].get(kind)
                # no_match has no right answer: its score is `clean`, the share of queries without a result that
                # shares only function words with the query.
                recall = (
                    (k["recall_at_1"], k["recall_at_5"]) if k.get("clean") is None else ("-", f"clean {k['clean']}")
                )
                was = f"{b['p95_ms']} | {b['recall_at_5'] if b.get('clean') is None else 'clean ' + str(b['clean'])}"
                print(
                    f"| {backend} | {kind} | {k['queries']} | {k['p50_ms']} | {k['p95_ms']} | {k['p99_ms']} | "
                    f"{k.get('cpu_p95_ms', '-')} | {recall[0]} | {recall[1]} | {k.get('load_average', ['-'])[0]} | "
                    f"{was if b else '- | -'} |"
                )
    print()
    print("| backend | code | first search (median, max) ms | second search ms | worker RSS MB | load average |")
    print("|---|---|---|---|---|---|")
    for backend in ("sqlite", "postgres"):
        for suffix, code in (("-before", "before"), ("", "after")):
            r = load(f"first-search-{backend}{suffix}.json")
            if r:
                print(
                    f"| {backend} | {code} | {r['first_search_median_ms']}, {r['first_search_max_ms']} | "
                    f"{r['second_search_median_ms']} | {r['worker_rss_mb_median']} | "
                    f"{', '.join(str(round(x, 1)) for x in r['load_average'])} |"
                )


def http(name: str = "http-postgres.json") -> None:
    r = load(name)
    if not r:
        return
    threads = f" x {r['threads']} threads (gthread)" if r.get("threads", 1) > 1 else " (sync)"
    print(
        f"{r['workers']} gunicorn workers{threads}, {r['users']} locust users, {r['seconds_per_endpoint']} s per "
        f"endpoint, baseline `{r['baseline']}`, {r['date']}, load average {r['load_average_at_start'][0]} at the "
        f"start, {r.get('load_average_at_end', ['-'])[0]} at the end"
    )
    print()
    print(
        "| endpoint | requests/s | ratio to baseline | p50 ms | p95 ms | p99 ms | errors | SQL queries (writes) "
        "| CPU ms per request: workers / PostgreSQL / locust | cores busy (whole machine) | load average |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    counts = r.get("queries_per_request", {})
    for name_, e in r["endpoints"].items():
        q = counts.get(name_)
        queries = f"{q['queries']} ({q['writes']})" if q else "-"
        cpu = e.get("cpu_per_request")
        cpu_cells = (
            f"{cpu['workers_cpu_ms']} / {cpu['postgres_cpu_ms']} / {cpu['load_generator_cpu_ms']} | "
            f"{cpu['machine_cores_busy']} | {cpu['load_average'][0]}"
            if cpu
            else "- | - | -"
        )
        print(
            f"| {name_} | {e['rps']} | {e['ratio_to_baseline']} | {e['p50_ms']} | {e['p95_ms']} | {e['p99_ms']} | "
            f"{e['errors']} | {queries} | {cpu_cells} |"
        )
    print()
    print("first search by a fresh worker:", json.dumps(r["first_search_fresh_worker"]))
    print("worker RSS after load (MB):", r["worker_rss_mb_after_load"])
    print("redemptions:", json.dumps(r.get("redemptions")))
    if r.get("precheck"):
        print("pre-check:", r["precheck"])


def http_before_after(before: str = "http-before.json", after: str = "http-postgres.json") -> None:
    """The same harness on the code before and after this round's fixes (ratios: to /healthz in each run)."""
    b, a = load(before), load(after)
    if not (b and a):
        return
    print(
        "| endpoint | before req/s | after req/s | before ratio | after ratio | before p95 ms | after p95 ms | "
        "before CPU ms (workers + PostgreSQL) | after CPU ms (workers + PostgreSQL) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")

    def cpu(e: dict) -> str:
        c = e.get("cpu_per_request")
        return f"{round(c['workers_cpu_ms'] + c['postgres_cpu_ms'], 1)}" if c else "-"

    for name_, e in a["endpoints"].items():
        was = b["endpoints"].get(name_)
        if was:
            print(
                f"| {name_} | {was['rps']} | {e['rps']} | {was['ratio_to_baseline']} | {e['ratio_to_baseline']} | "
                f"{was['p95_ms']} | {e['p95_ms']} | {cpu(was)} | {cpu(e)} |"
            )


def http_profile(before: str = "http-profile-before.json", after: str = "http-profile.json") -> None:
    """profile_http.py in-process: CPU per request and SQL statements, before and after."""
    b, a = load(before) or {"endpoints": {}}, load(after)
    if not a:
        return
    print("| endpoint | CPU ms before | CPU ms after | SQL before (writes) | SQL after (writes) | cookies set |")
    print("|---|---|---|---|---|---|")
    for name_, e in a["endpoints"].items():
        was = b["endpoints"].get(name_)
        before_cells = (
            f"{was['cpu_ms_median']} | {e['cpu_ms_median']} | {was['queries_median']:g} ({was['writes_median']:g})"
            if was
            else f"- | {e['cpu_ms_median']} | -"
        )
        print(
            f"| {name_} | {before_cells} | {e['queries_median']:g} ({e['writes_median']:g}) | "
            f"{', '.join(e['set_cookies']) or '-'} |"
        )


def main() -> None:
    imports()
    print()
    searches()
    print()
    http()
    print()
    http_before_after()
    print()
    http_profile()


if __name__ == "__main__":
    main()
