"""The first search a freshly started web worker serves, on the benchmark database (bench_search.py --import).

    .venv/bin/python bench/bench_first_search.py --backend sqlite|postgres [--rounds 5] [--out ...json]

Each round starts gunicorn (one worker, the application preloaded as in production, on a free port of
127.0.0.1), waits until the worker answers an empty suggest request (routing, middleware and the database
connection warmed, no search run), then times over HTTP the first search (a typo query: the path that needs the
typo vocabulary), a second, different one, and reads the worker's resident memory. Every round uses other
queries, drawn from the data, so no database page cache is warmed by an earlier round's query.
"""

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("BENCH_PG_DB", "bench_search")

from bench_search import typo
from setup_db import ROOT, bench_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[float, dict]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (127.0.0.1, built here)
        body = json.loads(response.read())
    return (time.perf_counter() - started) * 1000, body


def worker_rss_mb(master: int) -> float:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for line in Path(f"/proc/{children[0]}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def sample_queries(env: dict, count: int, seed: int) -> list[str]:
    code = (
        "from registry.models import Organisation as O; import json; ids = range(1, 2_000_000, 9973); "
        "print(json.dumps(list(O.objects.filter(pk__in=ids).values_list('name', flat=True))))"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    names = [n for n in json.loads(done.stdout.strip().splitlines()[-1]) if any(len(w) >= 5 for w in n.split())]
    rng = random.Random(seed)
    queries = []
    for name in rng.sample(names, count):
        words = name.split()
        i = next(i for i, w in enumerate(words) if len(w) >= 5)
        queries.append(" ".join([*words[:i], typo(rng, words[i]), *words[i + 1 :]]))
    return queries


def one_round(env: dict, first: str, second: str) -> dict:
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "vouch.wsgi",
            "--preload",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}/en/organisations/suggest/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                get(base + "?q=")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        first_ms, body = get(base + "?" + urllib.parse.urlencode({"q": first, "country": "US", "limit": 5}))
        second_ms, _ = get(base + "?" + urllib.parse.urlencode({"q": second, "country": "US", "limit": 5}))
        return {
            "first_search_ms": round(first_ms, 1),
            "second_search_ms": round(second_ms, 1),
            "first_results": len(body["results"]),
            "worker_rss_mb": worker_rss_mb(server.pid),
            "queries": [first, second],
        }
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out")
    args = parser.parse_args()
    env = bench_env(args.backend)
    queries = sample_queries(env, args.rounds * 2, args.seed)
    rounds = []
    for i in range(args.rounds):
        rounds.append(one_round(env, queries[2 * i], queries[2 * i + 1]))
        print(json.dumps(rounds[-1]), flush=True)
    firsts = [r["first_search_ms"] for r in rounds]
    result = {
        "backend": args.backend,
        "rounds": rounds,
        "first_search_median_ms": round(statistics.median(firsts), 1),
        "first_search_max_ms": max(firsts),
        "second_search_median_ms": round(statistics.median(r["second_search_ms"] for r in rounds), 1),
        "worker_rss_mb_median": statistics.median(r["worker_rss_mb"] for r in rounds),
        "machine": f"{platform.node()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps({k: v for k, v in result.items() if k != "rounds"}))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
