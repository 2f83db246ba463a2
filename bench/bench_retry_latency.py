"""Retry latency after an SMTP outage: how long does a due email wait once the mail server is back?

    .venv/bin/python bench/bench_retry_latency.py [--emails 20] [--outage 75] [--out results/retry-latency.json]

On a fresh SQLite database it starts what production runs for email (`db_worker` and `run_scheduler`) against a
real SMTP server on 127.0.0.1 (aiosmtpd, in this process) that is down at first. Emails are queued one by one during
the outage (each first attempt fails and waits its backoff), then the server comes up and nothing else happens:
no other traffic wakes the worker. For each email, the latency is the time from when it was due with the server up
(the later of the server's return and its retry time, read just before the return) to its arrival at the server.
"""

import argparse
import json
import os
import platform
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from aiosmtpd.controller import Controller
from setup_db import ROOT, SQLITE_DIR, reset

QUEUE = """
import os
from django.utils import timezone
from notifications.services import email_queue
n = int(os.environ["BENCH_N"])
email_queue(to=f"bench{n}@example.org", template="expiry_reminder", language="en", dedupe_key=f"bench-{n}",
            context={"reference": f"VCH-{n:04d}", "expires_at": timezone.now(), "status_url": "http://127.0.0.1/"})
"""
STATE = """
import json
from notifications.models import OutboxEmail
print(json.dumps([{"to": e.to, "state": e.state, "attempts": e.attempts,
                   "next_attempt_at": e.next_attempt_at.timestamp(),
                   "sent_at": e.sent_at.timestamp() if e.sent_at else None} for e in OutboxEmail.objects.all()]))
"""


class Recorder:
    def __init__(self):
        self.arrivals: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            self.arrivals.setdefault(address, time.time())
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def retry_times() -> dict[str, float]:
    """{address: retry time} straight from the database file (instant, unlike starting Django)."""
    with sqlite3.connect(SQLITE_DIR / "vouch.sqlite3") as db:
        rows = db.execute('SELECT "to", next_attempt_at FROM notifications_outboxemail').fetchall()
    return {to: datetime.fromisoformat(at).replace(tzinfo=UTC).timestamp() for to, at in rows}


def shell(env, script, **variables) -> list[str]:
    return (
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=ROOT,
            env={**env, **variables},
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1:]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--emails", type=int, default=20)
    parser.add_argument("--outage", type=float, default=75.0, help="seconds the SMTP server stays down")
    parser.add_argument("--out")
    args = parser.parse_args()
    env = reset("sqlite")
    port = free_port()
    env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port), EMAIL_TIMEOUT="5")
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / "bench_retry_latency.log", "w")  # noqa: SIM115
    py = [sys.executable, "manage.py"]
    services = [
        subprocess.Popen([*py, "db_worker"], cwd=ROOT, env=env, stdout=log, stderr=log),
        subprocess.Popen([*py, "run_scheduler"], cwd=ROOT, env=env, stdout=log, stderr=log),
    ]
    try:
        began = time.time()
        for n in range(args.emails):  # spread over the outage, so retries fall due at scattered moments
            shell(env, QUEUE, BENCH_N=str(n))
            time.sleep(max(0.0, began + (n + 1) * args.outage * 0.8 / args.emails - time.time()))
        time.sleep(max(0.0, began + args.outage - time.time()))
        due_at = retry_times()  # read just before the server returns: a pass in between only delays an email
        controller.start()
        up = time.time()
        print(f"SMTP server up after {up - began:.0f} s", flush=True)
        deadline = up + 900
        while len(recorder.arrivals) < args.emails and time.time() < deadline:
            time.sleep(1)
        state = {e["to"]: e for e in json.loads(shell(env, STATE)[0])}
    finally:
        for process in services:
            process.terminate()
        for process in services:
            process.wait(30)
        controller.stop(no_assert=True)
    latencies = sorted(round(arrived - max(up, due_at.get(to, up)), 1) for to, arrived in recorder.arrivals.items())
    result = {
        "emails": args.emails,
        "outage_seconds": args.outage,
        "delivered": len(recorder.arrivals),
        "latency_s": latencies,
        "max_latency_s": max(latencies, default=None),
        "attempts": sorted(e["attempts"] for e in state.values()),
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
