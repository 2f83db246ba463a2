"""Page timings of the browser journeys (tests/browser), on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_journeys.py [--backend sqlite|postgres|both] [--out FILE] [-- -k apply]

(--out defaults to bench/results/browser_journeys.json; arguments after -- go to pytest.)

Runs the browser tests as they are (Chromium through Playwright against Django's live server, one thread) with
VOUCH_BENCH_JOURNEYS set, so every audited page records its load time (the Navigation Timing entry: start of the
navigation, including a POST and its redirect, to the end of the load event) and the bytes it transferred. Writes
the raw visits plus a summary per journey and language, and prints the markdown table of docs/benchmarks.md.
These are single-user numbers on a development server: they show what a page costs, not capacity.
"""

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
JOURNEYS = {  # test module stem -> the journey's name in the table
    "test_journey_apply": "1 apply (coupon)",
    "test_journey_store": "2 store",
    "test_journey_education": "3 education",
    "test_journey_manual_review": "4 manual review",
    "test_journey_tax_exemption": "5 tax exemption",
    "test_journey_legacy_notice": "6 legacy notice",
}


def machine() -> dict:
    model = ""
    with contextlib.suppress(OSError):
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True, check=False)
    return {
        "uname": " ".join(platform.uname()),
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "chromium": chromium.stdout.strip(),
    }


def run(backend: str, pytest_args: list[str]) -> list[dict]:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "visits.json"
        env = {**os.environ, "VOUCH_BENCH_JOURNEYS": str(out), "TEST_DATABASE_NAME": "bench_journeys"}
        env.pop("DATABASE_URL", None)
        if backend == "postgres":
            env["DATABASE_URL"] = PG_URL
            env["TEST_DATABASE_NAME"] = "test_bench_journeys"
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "tests/browser", "-q", "-p", "no:logging", *pytest_args],
            cwd=ROOT,
            env=env,
            check=False,
        )
        if done.returncode:
            sys.exit(f"browser tests failed on {backend} ({done.returncode})")
        return [dict(visit, backend=backend) for visit in json.loads(out.read_text())]


def summarise(visits: list[dict]) -> list[dict]:
    groups: dict[tuple, list[dict]] = {}
    for visit in visits:
        module, _, rest = visit["test"].partition("::")
        lang = rest.rsplit("[", 1)[-1].rstrip("]") if "[" in rest else ""
        groups.setdefault((visit["backend"], JOURNEYS.get(Path(module).stem, module), lang), []).append(visit)
    rows = []
    for (backend, journey, lang), pages in sorted(groups.items()):
        times = [page["load_ms"] for page in pages]
        rows.append(
            {
                "backend": backend,
                "journey": journey,
                "lang": lang,
                "pages": len(pages),
                "total_ms": round(sum(times)),
                "median_ms": round(statistics.median(times)),
                "max_ms": round(max(times)),
                "slowest": max(pages, key=lambda p: p["load_ms"])["label"],
                "max_kb": round(max(page["bytes"] for page in pages) / 1024, 1),
                "axe_moderate_minor": sorted({v for page in pages for v in page["axe_other"]}),
            }
        )
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| DB | journey | lang | pages | median ms | slowest page (ms) | total ms | heaviest page kB |",
        "|---|---|---|---:|---:|---|---:|---:|",
    ]
    lines += [
        f"| {r['backend']} | {r['journey']} | {r['lang']} | {r['pages']} | {r['median_ms']} | "
        f"{r['slowest']} ({r['max_ms']}) | {r['total_ms']} | {r['max_kb']} |"
        for r in rows
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "browser_journeys.json"))
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    visits = [visit for backend in backends for visit in run(backend, args.pytest_args)]
    rows = summarise(visits)
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "summary": rows,
        "visits": visits,
    }
    Path(args.out).write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(table(rows))


if __name__ == "__main__":
    main()
