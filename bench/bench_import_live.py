"""An import beside live traffic: does Vouch keep answering while a large register is imported?

    .venv/bin/python bench/generate_bmf.py --rows 300000 --out /tmp/bmf300k.csv --seed 7
    .venv/bin/python bench/bench_import_live.py --file /tmp/bmf300k.csv [--backend sqlite] [--out results/….json]

On a fresh database it starts what production runs (gunicorn with 2 workers, `db_worker`, `run_scheduler`, on a
free port of 127.0.0.1), imports a first slice of the file so that searches find something, measures the traffic
below alone for a while (the baseline: on a shared machine the CPU alone slows requests down), then runs
`manage.py import_registry` on the whole file while three clients loop until it ends: the partner API
(`GET /api/v1/organisations`, each call writes its rate-limit counter), the organisation search page, and a
reviewer signing in (`POST /en/review/login/`, which writes the session and last_login), and a bare write probe on
the SQLite file (the wait for the write lock alone, without a request's CPU). It records every answer's
status and time, whether the worker survived, and whether the tasks queued during the import ran.
"""

import argparse
import json
import os
import platform
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path

from setup_db import ROOT, SQLITE_DIR, reset

SETUP = """
from django.contrib.auth import get_user_model
from partners.services import ALL_SCOPES, api_key_create, partner_create
from programs.demo import program_demo_ensure
admin = get_user_model().objects.create_superuser("bench", "bench@verifier.example", "bench-pass-123")
partner = partner_create(name="Bench", program=program_demo_ensure(), actor=admin, sees_all_applications=True)
_key, raw = api_key_create(partner=partner, name="bench", scopes=list(ALL_SCOPES), actor=admin,
                           requests_per_minute=100000)
print(raw)
"""
TASKS = """
from django_tasks_db.models import DBTaskResult
import json, os
since = os.environ["BENCH_SINCE"]
rows = DBTaskResult.objects.filter(enqueued_at__gte=since)
print(json.dumps({"queued": rows.count(), "successful": rows.filter(status="SUCCESSFUL").count()}))
"""
QUERIES = ["river", "american legion post", "church of christ", "foundation inc", "animal rescue", "scholarship"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


class Client:
    def __init__(self, base: str, name: str):
        self.base, self.name = base, name
        self.samples: list[tuple[int, float]] = []
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def call(self, path: str, *, data: dict | None = None, headers: dict | None = None) -> tuple[int, str]:
        request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1)
            self.base + path,
            headers=headers or {},
            data=urllib.parse.urlencode(data).encode() if data else None,
        )
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as answer:
                status, body = answer.status, answer.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            status, body = error.code, ""
        except OSError:
            status, body = 599, ""  # no answer at all
        self.samples.append((status, time.perf_counter() - started))
        return status, body

    def summary(self) -> dict:
        times = [t for _, t in self.samples]
        return {
            "requests": len(self.samples),
            "errors_5xx": sum(1 for s, _ in self.samples if s >= 500),
            "statuses": sorted({s for s, _ in self.samples}),
            "p50_ms": round(percentile(times, 0.5) * 1000),
            "p95_ms": round(percentile(times, 0.95) * 1000),
            "max_ms": round(max(times, default=0) * 1000),
        }


def api_loop(client: Client, key: str, running: threading.Event) -> None:
    n = 0
    while running.is_set():
        client.call(
            f"/api/v1/organisations?country=US&q={urllib.parse.quote(QUERIES[n % len(QUERIES)])}",
            headers={"Authorization": f"Bearer {key}"},
        )
        n += 1


def page_loop(client: Client, running: threading.Event) -> None:
    n = 0
    while running.is_set():
        client.call(f"/en/organisations/?country=US&q={urllib.parse.quote(QUERIES[n % len(QUERIES)])}")
        n += 1


def sign_in_loop(client: Client, running: threading.Event) -> None:
    while running.is_set():
        client.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect())
        samples = len(client.samples)
        _status, body = client.call("/en/review/login/")
        del client.samples[samples:]  # only the POST (the write) is measured
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if not token:
            client.samples.append((598, 0.0))
            time.sleep(0.5)
            continue
        client.call(
            "/en/review/login/",
            data={"csrfmiddlewaretoken": token.group(1), "username": "bench", "password": "bench-pass-123"},
            headers={"Referer": client.base + "/en/review/login/"},
        )
        time.sleep(0.2)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Probe(Client):
    """A bare writer on the database file: one tiny write transaction every 50 ms. Its time is the wait for the
    write lock (the write itself takes well under a millisecond), apart from the CPU a web request also needs."""

    def __init__(self, path: Path):
        super().__init__("", "write_probe")
        self.path = path

    def loop(self, running: threading.Event) -> None:
        db = sqlite3.connect(self.path, timeout=20, isolation_level=None)
        db.execute("CREATE TABLE IF NOT EXISTS bench_probe (id INTEGER PRIMARY KEY, n INTEGER)")
        while running.is_set():
            started = time.perf_counter()
            try:
                db.execute("BEGIN IMMEDIATE")
                db.execute("INSERT OR REPLACE INTO bench_probe (id, n) VALUES (1, ?)", [int(started * 1000)])
                db.execute("COMMIT")
                status = 200
            except sqlite3.OperationalError:  # "database is locked" after the 20 s timeout
                status = 500
            self.samples.append((status, time.perf_counter() - started))
            time.sleep(0.05)
        db.close()


def traffic(base: str, key: str, sqlite: bool) -> tuple[dict[str, Client], threading.Event, list[threading.Thread]]:
    clients = {"api": Client(base, "api"), "page": Client(base, "page"), "sign_in": Client(base, "sign_in")}
    running = threading.Event()
    running.set()
    threads = [
        threading.Thread(target=api_loop, args=(clients["api"], key, running)),
        threading.Thread(target=page_loop, args=(clients["page"], running)),
        threading.Thread(target=sign_in_loop, args=(clients["sign_in"], running)),
    ]
    if sqlite:
        probe = clients["write_probe"] = Probe(SQLITE_DIR / "vouch.sqlite3")
        threads.append(threading.Thread(target=probe.loop, args=(running,)))
    for thread in threads:
        thread.start()
    return clients, running, threads


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", required=True)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--warm-rows", type=int, default=20000, help="rows imported first, before the traffic")
    parser.add_argument("--baseline", type=float, default=45.0, help="seconds of traffic without an import first")
    parser.add_argument("--out")
    args = parser.parse_args()
    env = reset(args.backend)
    py = [sys.executable, "manage.py"]
    key = (
        subprocess.run([*py, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        .stdout.strip()
        .splitlines()[-1]
    )
    lines = Path(args.file).read_bytes().split(b"\n")
    warm = Path(args.file).with_suffix(".warm.csv")
    warm.write_bytes(b"\n".join(lines[: args.warm_rows + 1]) + b"\n")
    subprocess.run(
        [*py, "import_registry", "us-irs-bmf", str(warm), "--json"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logs = open(Path(os.environ.get("TMPDIR", "/tmp")) / "bench_import_live.log", "w")  # noqa: SIM115
    services = {
        "web": subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "vouch.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
            stdout=logs,
            stderr=logs,
        ),
        "worker": subprocess.Popen([*py, "db_worker"], cwd=ROOT, env=env, stdout=logs, stderr=logs),
        "scheduler": subprocess.Popen([*py, "run_scheduler"], cwd=ROOT, env=env, stdout=logs, stderr=logs),
    }
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/en/organisations/", timeout=5)  # noqa: S310 (our own server)
                break
            except OSError:
                time.sleep(0.2)
        # The same traffic without an import first: on a shared machine the CPU alone makes requests slow, and
        # the difference is what the import costs them.
        baseline, running, threads = traffic(base, key, args.backend == "sqlite")
        time.sleep(args.baseline)
        running.clear()
        for thread in threads:
            thread.join(120)
        clients, running, threads = traffic(base, key, args.backend == "sqlite")
        since = datetime.now(UTC).isoformat()
        started = time.perf_counter()
        done = subprocess.run(
            [*py, "import_registry", "us-irs-bmf", args.file, "--json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        import_seconds = time.perf_counter() - started
        running.clear()
        for thread in threads:
            thread.join(120)
        if done.returncode:
            sys.exit(f"import failed:\n{done.stderr[-3000:]}")
        time.sleep(35)  # a scheduler sweep and the worker catch up on what was queued during the import
        print(json.dumps({name: client.summary() for name, client in clients.items()}), flush=True)
        tasks = json.loads(
            subprocess.run(
                [*py, "shell", "-c", TASKS],
                cwd=ROOT,
                env={**env, "BENCH_SINCE": since},
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        alive = {name: process.poll() is None for name, process in services.items()}
    finally:
        for process in services.values():
            process.terminate()
        for process in services.values():
            process.wait(30)
    result = {
        "backend": args.backend,
        "file": args.file,
        "import_seconds": round(import_seconds, 1),
        "import_summary": json.loads(done.stdout.strip().splitlines()[-1]),
        "commit_rows": env.get("IMPORT_COMMIT_ROWS", "default"),
        "traffic": {name: client.summary() for name, client in clients.items()},
        "baseline_without_import": {name: client.summary() for name, client in baseline.items()},
        "processes_alive_after": alive,
        "tasks_during_import": tasks,
        "machine": f"{platform.node()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
