"""The web under load: gunicorn on PostgreSQL with the benchmark registry, one endpoint at a time driven by locust.

    .venv/bin/python bench/bench_import.py --backend postgres --file /tmp/bmf2m.csv --keep   # the registry
    .venv/bin/python bench/bench_http.py [--seconds 15] [--users 24] [--workers 5] [--out bench/results/http.json]
    [--drop] (drop the benchmark database at the end)

Steps: seed (http_seed.py: program, partner key, applications, distinct coupons, catalog, queries; SQL queries per
request counted in-process); the first search served by a freshly started worker (one worker, started for that:
typo query first, then exact on another fresh worker); then gunicorn with --workers (default 2 x cores + 1) and, per
endpoint, a headless locust run of --seconds with --users users and no think time. For each: requests/s,
p50/p95/p99 (locust's percentiles), errors, the ratio to the baseline's rate; after the coupon redemptions, the
database is checked for double redemptions; worker memory (RSS) is read after the load. Traffic goes to 127.0.0.1
only, on a port chosen at run time; every process started here is stopped at the end.
"""

import argparse
import csv
import json
import os
import platform
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from setup_db import PG_ADMIN_URL, PG_DB, ROOT, bench_env, drop

BENCH = Path(__file__).resolve().parent
SCENARIOS = [
    "baseline",
    "search_api_exact",
    "search_api_typo",
    "suggest_exact",
    "suggest_typo",
    "status_page",
    "coupon_validate",
    "coupon_redeem",
    "plans_page",
    "precheck",  # skipped when the server answers 404 (the endpoint is not there)
]
WARM_REDEMPTIONS = 400  # the end of the coupon pool, for the warm-up run
GUNICORN_HOOKS = """
import os
def post_worker_init(worker):
    with open(os.environ["BENCH_READY_FILE"], "a") as handle:
        handle.write(f"{worker.pid}\\n")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn on 127.0.0.1, a free port; ready once every worker has booted (post_worker_init hook)."""

    def __init__(self, env: dict, workers: int, scratch: Path, threads: int = 1):
        self.port = free_port()
        self.ready = scratch / f"ready-{self.port}"
        config = scratch / "gunicorn_hooks.py"
        config.write_text(GUNICORN_HOOKS)
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "vouch.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--config",
                str(config),
                "--log-level",
                "warning",
                "--timeout",
                "60",
                "--worker-class",
                "gthread" if threads > 1 else "sync",
                "--threads",
                str(threads),
            ],
            cwd=ROOT,
            env={**env, "BENCH_READY_FILE": str(self.ready)},
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.ready.exists() and len(self.ready.read_text().split()) >= workers:
                return
            if self.process.poll() is not None:
                sys.exit("gunicorn exited while starting")
            time.sleep(0.05)
        self.stop()
        sys.exit("gunicorn did not start within 120 s")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.ready.read_text().split():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            sizes.append(round(kb / 1024, 1))
        return sizes

    def worker_pids(self) -> list[int]:
        return [int(pid) for pid in self.ready.read_text().split()]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (those that still exist)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / CLOCK_TICKS


def machine_busy_seconds() -> float:
    """CPU time spent by everything on the machine (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def postgres_backends() -> list[int]:
    """The server processes serving the benchmark database's connections (the workers' persistent connections)."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [PG_DB]
        ).fetchall()
    return [row[0] for row in rows]


class CpuMeter:
    """Where the CPU of one run went, per request: the load generator (locust, a child process reaped by the
    run), the gunicorn workers, the PostgreSQL backends of their connections, and the whole machine (other
    helpers' work included: the machine is shared)."""

    def __init__(self, server: "Server"):
        self.workers = server.worker_pids()
        self.backends = postgres_backends()
        self.children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.worker_cpu = process_cpu_seconds(self.workers)
        self.backend_cpu = process_cpu_seconds(self.backends)
        self.machine = machine_busy_seconds()
        self.wall = time.monotonic()
        self.load = os.getloadavg()[0]

    def per_request(self, requests: int) -> dict:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        locust_cpu = (children.ru_utime + children.ru_stime) - (self.children.ru_utime + self.children.ru_stime)
        wall = time.monotonic() - self.wall
        n = max(1, requests)
        return {
            "load_generator_cpu_ms": round(locust_cpu * 1000 / n, 3),
            "workers_cpu_ms": round((process_cpu_seconds(self.workers) - self.worker_cpu) * 1000 / n, 3),
            "postgres_cpu_ms": round((process_cpu_seconds(self.backends) - self.backend_cpu) * 1000 / n, 3),
            "machine_cores_busy": round((machine_busy_seconds() - self.machine) / wall, 2),
            "load_average": [round(self.load, 2), round(os.getloadavg()[0], 2)],
        }


def timed_get(url: str, headers: dict | None = None) -> tuple[float, int]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (http://127.0.0.1 only)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return round((time.perf_counter() - started) * 1000, 1), status


def first_searches(env: dict, seed: dict, scratch: Path) -> dict:
    """A freshly started worker's first search (and the same kind again), typo then exact, each on a new worker."""
    from urllib.parse import urlencode

    headers = {"Authorization": f"Bearer {seed['api_key']}"}
    result = {}
    for kind in ("typo", "exact"):
        server = Server(env, 1, scratch)
        try:
            url = f"{server.url}/api/v1/organisations?" + urlencode({"q": seed[kind][-1], "country": "US"})
            again = f"{server.url}/api/v1/organisations?" + urlencode({"q": seed[kind][-2], "country": "US"})
            first_ms, status = timed_get(url, headers)
            second_ms, _ = timed_get(again, headers)
            result[kind] = {"first_ms": first_ms, "second_ms": second_ms, "status": status}
        finally:
            server.stop()
    return result


def locust(
    server: Server,
    scenario: str,
    seconds: int,
    users: int,
    seed_file: Path,
    baseline: str,
    scratch: Path,
    redeem: tuple[int, int],
) -> dict:
    prefix = scratch / scenario
    env = {
        **os.environ,
        "BENCH_SCENARIO": scenario,
        "BENCH_SEED": str(seed_file),
        "BENCH_BASELINE": baseline,
        "BENCH_REDEEM_FROM": str(redeem[0]),
        "BENCH_REDEEM_TO": str(redeem[1]),
    }
    meter = CpuMeter(server)
    subprocess.run(
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(BENCH / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--host",
            server.url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "5",
            "--exit-code-on-error",
            "0",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        check=True,
        timeout=seconds + 60,
        capture_output=True,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    failures = []
    failures_path = Path(f"{prefix}_failures.csv")
    if failures_path.exists():
        with failures_path.open(newline="") as handle:
            failures = [
                {"error": r["Error"][:300], "occurrences": int(r["Occurrences"])} for r in csv.DictReader(handle)
            ]

    def number(text: str) -> float | None:  # "N/A" when no request was answered
        try:
            return float(text)
        except ValueError:
            return None

    return {
        "requests": int(row["Request Count"]),
        "errors": int(row["Failure Count"]),
        "rps": round(number(row["Requests/s"]) or 0.0, 1),
        "p50_ms": number(row["50%"]),
        "p95_ms": number(row["95%"]),
        "p99_ms": number(row["99%"]),
        "failures": failures,
        "cpu_per_request": meter.per_request(int(row["Request Count"])),
    }


def precheck_exists(server: "Server", seed: dict) -> bool:
    from urllib.parse import urlencode

    if not seed.get("precheck_organisations"):
        return False
    url = f"{server.url}/api/v1/programs/{seed['program_slug']}/precheck?" + urlencode(
        {"organisation": seed["precheck_organisations"][0]}
    )
    _, status = timed_get(url, {"Authorization": f"Bearer {seed['api_key']}"})
    return status != 404


def redemptions_check(since: datetime) -> dict:
    """In the database: no coupon redeemed twice (one audited redemption per coupon), no order reference used for
    two coupons, and how many were redeemed since `since` (a request still in flight when locust stops is redeemed
    without its answer being counted, so this may exceed the successful answers by up to --users)."""
    import psycopg

    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DB
    with psycopg.connect(url) as conn:
        redeemed = conn.execute(
            "SELECT count(*) FROM coupons_coupon WHERE state = 'redeemed' AND redeemed_at >= %s", [since]
        ).fetchone()[0]
        twice = conn.execute(  # since the run started: --reset-coupons makes earlier runs' coupons active again
            "SELECT count(*) FROM (SELECT object_id FROM core_auditentry WHERE action = "
            "'coupon.redeemed' AND at >= %s GROUP BY object_id HAVING count(*) > 1) t",
            [since],
        ).fetchone()[0]
        shared = conn.execute(
            "SELECT count(*) FROM (SELECT redemption_key FROM coupons_coupon WHERE "
            "redemption_key <> '' GROUP BY redemption_key HAVING count(*) > 1) t"
        ).fetchone()[0]
        partial = conn.execute(  # a redeemed coupon without its audit entry (both are written in one transaction)
            "SELECT count(*) FROM coupons_coupon c WHERE c.state = 'redeemed' AND c.redeemed_at >= %s AND NOT EXISTS "
            "(SELECT 1 FROM core_auditentry a WHERE a.action = 'coupon.redeemed' AND a.object_id = c.id::text "
            "AND a.at >= %s)",
            [since, since],
        ).fetchone()[0]
    return {
        "coupons_redeemed_during_run": redeemed,
        "coupons_redeemed_twice": twice,
        "order_references_on_two_coupons": shared,
        "redeemed_without_audit_entry": partial,
    }


def coupons_unredeem() -> int:
    """Benchmark database only: the coupons earlier runs redeemed (orders o-…, the warm-up's included) become active
    again, so that a run redeems distinct coupons, each once, without seeding anew."""
    import psycopg

    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DB
    with psycopg.connect(url) as conn:
        return conn.execute(
            "UPDATE coupons_coupon SET state = 'active', redeemed_at = NULL, redemption_key = '' "
            "WHERE state = 'redeemed' AND (redemption_key LIKE 'api:%:o-%' OR redemption_key LIKE 'api:%:bench-count')"
        ).rowcount


def code_version() -> str:
    """The commit the server ran (and whether files differed from it)."""
    run = lambda *a: subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()  # noqa: E731
    return run("rev-parse", "--short", "HEAD") + (
        " (modified)" if run("status", "--porcelain", "--untracked-files=no") else ""
    )


def machine() -> dict:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines()
            if line.startswith("Model name:")
        ),
        "",
    )
    return {"node": platform.node(), "cpu_model": model, "cpus": os.cpu_count(), "python": platform.python_version()}


def main() -> None:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--users", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2 * cores + 1)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread when > 1)")
    parser.add_argument("--coupons", type=int, default=8000)
    parser.add_argument("--only", nargs="*", help="run only these scenarios (the baseline always runs)")
    parser.add_argument("--seed-file", help="reuse http_seed.py's file from an earlier run instead of seeding")
    parser.add_argument(
        "--reset-coupons", action="store_true", help="with --seed-file: make the coupons earlier runs redeemed active"
    )
    parser.add_argument("--save-seed", help="copy the seed file here (for --seed-file and profile_http.py)")
    parser.add_argument("--out")
    parser.add_argument("--drop", action="store_true", help="drop the benchmark database at the end")
    args = parser.parse_args()
    env = bench_env("postgres")
    env["DEBUG"] = "false"
    # The workers keep their connection for the whole run, so that its PostgreSQL backend's CPU can be counted.
    env.setdefault("DATABASE_CONN_MAX_AGE", "900")
    scratch = Path(tempfile.mkdtemp(prefix="vouch-bench-http-"))
    seed_file = scratch / "seed.json"
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    # The database cache's table, as scripts/run and the operator guide create it (rate limits, the plans page).
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    if args.seed_file:  # a seed made by an earlier run (--reset-coupons: its coupons redeemed again)
        seed_file.write_text(Path(args.seed_file).read_text())
        if args.reset_coupons:
            print("coupons made active again:", coupons_unredeem(), flush=True)
        subprocess.run(  # count the queries per request with this code, not the seeding run's
            [sys.executable, str(BENCH / "http_seed.py"), str(seed_file), "--count-only"],
            cwd=BENCH,
            env=env,
            check=True,
        )
    else:
        subprocess.run(
            [sys.executable, str(BENCH / "http_seed.py"), str(seed_file), "--coupons", str(args.coupons)],
            cwd=BENCH,
            env=env,
            check=True,
        )
    if args.save_seed:
        Path(args.save_seed).write_text(seed_file.read_text())
    seed = json.loads(seed_file.read_text())
    print("queries per request", json.dumps(seed["queries_per_request"]), flush=True)
    result = {
        "code": code_version(),
        "machine": machine(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "workers": args.workers,
        "threads": args.threads,
        "users": args.users,
        "seconds_per_endpoint": args.seconds,
        "queries_per_request": seed["queries_per_request"],
    }
    result["first_search_fresh_worker"] = first_searches(env, seed, scratch)
    print("first search", json.dumps(result["first_search_fresh_worker"]), flush=True)
    server = Server(env, args.workers, scratch, args.threads)
    try:
        _, status = timed_get(server.url + "/healthz")
        baseline = "/healthz" if status == 200 else "/en/"  # the home page until /healthz exists
        result["baseline"] = baseline
        scenarios = [s for s in SCENARIOS if not args.only or s == "baseline" or s in args.only]
        if "precheck" in scenarios and not precheck_exists(server, seed):
            scenarios.remove("precheck")
            result["precheck"] = "not measured: the server answers 404 (no pre-check endpoint)"
        load_started = datetime.now(UTC)
        pool = len(seed["redeem"])
        warm_slice, main_slice = (pool - WARM_REDEMPTIONS, pool), (0, pool - WARM_REDEMPTIONS)
        warm_redeemed = 0
        for scenario in scenarios:  # warm every worker on every kind of request first
            warm = locust(server, scenario, 3, args.users, seed_file, baseline, scratch, warm_slice)
            if scenario == "coupon_redeem":
                warm_redeemed = warm["requests"] - warm["errors"]
        endpoints = {}
        for scenario in scenarios:
            endpoints[scenario] = locust(
                server, scenario, args.seconds, args.users, seed_file, baseline, scratch, main_slice
            )
            print(scenario, json.dumps(endpoints[scenario]), flush=True)
        base = endpoints["baseline"]["rps"] or 1
        for stats in endpoints.values():
            stats["ratio_to_baseline"] = round(stats["rps"] / base, 2)
        result["endpoints"] = endpoints
        result["worker_rss_mb_after_load"] = server.worker_rss_mb()
    finally:
        server.stop()
    if "coupon_redeem" in result["endpoints"]:
        # Coupons redeemed during the load (warm-up included) against the successful answers; none redeemed twice.
        result["redemptions"] = redemptions_check(load_started)
        measured = result["endpoints"]["coupon_redeem"]["requests"] - result["endpoints"]["coupon_redeem"]["errors"]
        result["redemptions"].update(
            successful_responses=measured + warm_redeemed,
            coupons_left_unredeemed=len(seed["redeem"]) - WARM_REDEMPTIONS - measured,
        )
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["total_seconds"] = round(time.monotonic() - started)
    if args.drop:
        drop("postgres")
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
