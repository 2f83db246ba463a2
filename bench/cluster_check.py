"""`make cluster-check`: Vouch scaled out on this machine, proven with faults.

Starts, on 127.0.0.1: the machine's PostgreSQL (a database of its own) and Redis (a database of its own), an S3
server (moto), an SMTP sink and a webhook receiver, then two web processes, two RQ workers and the scheduler with the
deployment's own scripts (scripts/web, scripts/worker, scripts/scheduler). It drives N applicants through both web
ports at once (apply, instant approval, the coupon from its email, store sign-up and checkout with the coupon), 50
concurrent redemptions of one coupon through the partner API, and document uploads read back by their reviewer;
kills a worker with SIGKILL halfway (a replacement starts) and restarts a web process. Then it waits for the queues
to drain and checks, from the database and the SMTP sink: every expected email sent exactly once, each coupon
redeemed once, one winner among the 50, every document readable, no 5xx, each webhook event delivered once.

The last line is one JSON object; the exit code is non-zero when an invariant fails.

    .venv/bin/python bench/cluster_check.py [--applications 500] [--concurrency 12]
"""

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import psycopg
import redis
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cluster.journey import Client, Stats, apply, buy
from cluster.seed import SEED_SCRIPT, write_register
from cluster.services import (
    Process,
    S3Server,
    SMTPSink,
    WebhookReceiver,
    free_port,
    manage,
    wait_http,
)
from cluster.verify import VERIFY_SCRIPT

PG = os.environ.get("CLUSTER_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE = "vouch_cluster"
REDIS_URL = os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/12")
BUCKET = "vouch-cluster"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def fresh_database() -> str:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    return f"{PG}/{DATABASE}"


def environment(*, database_url: str, smtp: SMTPSink, s3: S3Server, data_dir: Path, base_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "TASKS_BACKEND": "rq",
        "STORAGE_URL": f"s3+http://cluster:cluster@127.0.0.1:{s3.port}/{BUCKET}?region=us-east-1",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "SECRET_KEY": "cluster-check-" + "k" * 40,
        "VOUCH_DATA_DIR": str(data_dir),
        "PUBLIC_BASE_URL": base_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "VERIFIER_SUPPORT_CONTACT": "verify@vouch.example",
        "TRUSTED_PROXY_COUNT": "1",
        "WEBHOOKS_ALLOW_HTTP_LOCALHOST": "true",
        "WEB_CONCURRENCY": "2",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "VOUCH_ENV": "production",
        # Production, but plain http on loopback: in a deployment nginx terminates TLS in front of these.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
    }


def redeem_race(api_ports: list[int], key: str, code: str, email: str) -> dict:
    """50 requests redeem one coupon at once, each as a different order: exactly one may win."""
    barrier = threading.Barrier(50)

    def attempt(index: int) -> int:
        barrier.wait()
        response = requests.post(
            f"http://127.0.0.1:{api_ports[index % 2]}/api/v1/coupons/redeem",
            timeout=60,
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": f"race-{index}"},
            json={
                "code": code,
                "email": email,
                "product_codes": ["workplace-pro"],
                "billing_cycle": "annual",
                "order_reference": f"order-{index}",
            },
        )
        return response.status_code

    with ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(attempt, range(50)))
    return {
        "winners": statuses.count(200),
        "conflicts": statuses.count(409),
        "server_errors": sum(1 for s in statuses if s >= 500),
    }


def lockout_across_processes(ports: list[int], stats: Stats, limit: int = 10) -> bool:
    """Wrong passwords from one client address, spread over both web processes: the limit holds across them
    (the next attempt, on either process, is refused with 429)."""
    client = Client(ports, "10.250.0.9", stats)
    for attempt in range(limit):
        client.post("/en/store/sign-in/", {"username": f"nobody{attempt}@example.org", "password": "wrong"})
    statuses = {
        Client([port], "10.250.0.9", stats)
        .post("/en/store/sign-in/", {"username": "nobody@example.org", "password": "wrong"})
        .status_code
        for port in ports
    }
    return statuses == {429}


def upload_documents(ports: list[int], stats: Stats, statuses: list[str]) -> int:
    """Applicants whose status page asks for documents upload one PDF each (through both web ports)."""
    uploaded = 0
    for index, status in enumerate(statuses):
        client = Client(ports, f"10.9.{index // 250}.{index % 250 + 1}", stats)
        response = client.post(
            f"{status}documents/",
            {},
            csrf_from=status,
            files={"files": (f"registration-{index}.pdf", PDF, "application/pdf")},
        )
        uploaded += int(response.status_code in (302, 303))
    return uploaded


def _stop_on_signal(signum, frame):
    # SIGTERM (a timeout, pkill) unwinds like Ctrl-C, so `finally` stops every process this check started: left
    # running, a worker of a killed check would take the next check's jobs with the old SMTP port.
    raise SystemExit(128 + signum)


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_signal)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=12)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vouch-cluster-"))
    smtp, hooks, s3 = SMTPSink(), WebhookReceiver(), S3Server()
    smtp.start()
    hooks.start()
    s3.start(BUCKET)
    redis.Redis.from_url(REDIS_URL).flushdb()
    ports = [free_port(), free_port()]
    env = environment(
        database_url=fresh_database(), smtp=smtp, s3=s3, data_dir=work / "data", base_url=f"http://127.0.0.1:{ports[0]}"
    )
    processes: list[Process] = []
    started = time.monotonic()
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        register = write_register(work / "register.csv", count=args.applications + 2)
        manage(env, "import_registry", "au-acnc", str(register), "--json")
        setup = json.loads(
            manage(env, "shell", "-c", SEED_SCRIPT.format(hook=f"http://127.0.0.1:{hooks.port}/"))
            .strip()
            .splitlines()[-1]
        )
        web = [
            Process(f"web{i + 1}", ["scripts/web"], {**env, "VOUCH_ADDR": f"127.0.0.1:{port}"}, work).start()
            for i, port in enumerate(ports)
        ]
        workers = [Process(f"worker{i + 1}", ["scripts/worker"], env, work).start() for i in range(2)]
        scheduler = Process("scheduler", ["scripts/scheduler"], env, work).start()
        processes += [*web, *workers, scheduler]
        for port in ports:
            wait_http(f"http://127.0.0.1:{port}/healthz")

        stats = Stats()
        organisations = setup["organisations"]
        done, failures, killed = [], [], {"worker": 0, "web_restarted": 0}
        load_started = time.monotonic()

        def applicant(index: int):
            org_id, domain = organisations[index]
            client = Client(ports, f"10.{index // 62500 + 1}.{index // 250 % 250}.{index % 250 + 1}", stats)
            email = f"director{index}@{domain}"
            status, coupon = apply(client, smtp, org_id=org_id, email=email)
            buy(client, smtp, email=email, coupon=coupon)
            return status

        with ThreadPoolExecutor(args.concurrency) as pool:
            futures = [pool.submit(applicant, index) for index in range(args.applications)]
            for future in as_completed(futures):
                try:
                    done.append(future.result())
                except Exception as error:  # an invariant, reported below
                    failures.append(repr(error)[:300])
                if len(done) + len(failures) == args.applications // 2 and not killed["worker"]:
                    workers[0].kill(signal.SIGKILL)  # mid-run, mid-job for all we know
                    killed["worker"] = 1
                    replacement = Process("worker3", ["scripts/worker"], env, work).start()
                    processes.append(replacement)
                    web[1].kill(signal.SIGTERM)  # a graceful stop, then the same command again
                    web[1].start()
                    killed["web_restarted"] = 1
        load_seconds = time.monotonic() - load_started

        # One more applicant, whose coupon 50 orders try to redeem at once through the partner API.
        race_org, race_domain = organisations[args.applications]
        race_client = Client(ports, "10.200.0.1", stats)
        _status, race_code = apply(race_client, smtp, org_id=race_org, email=f"race@{race_domain}")
        race = redeem_race(ports, setup["api_key"], race_code, f"race@{race_domain}")
        uploads = upload_documents(ports, stats, setup["document_status_pages"])
        lockout_holds = lockout_across_processes(ports, stats)

        verdict = json.loads(manage(env, "shell", "-c", VERIFY_SCRIPT).strip().splitlines()[-1])
        drain_started = time.monotonic()
        while verdict["outbox_pending"] or verdict["webhooks_pending"]:
            if time.monotonic() - drain_started > 300:
                break
            time.sleep(2)
            verdict = json.loads(manage(env, "shell", "-c", VERIFY_SCRIPT).strip().splitlines()[-1])
        drain_seconds = time.monotonic() - drain_started
        time.sleep(2)  # the last SMTP sessions close
        message_ids = [str(message["Message-ID"]) for _rcpt, message in smtp.messages]
        latencies = sorted(stats.latencies_ms)
        result = {
            "web_processes": 2,
            "workers": 2,
            "applications": args.applications,
            "applications_completed": len(done),
            "failures": len(failures),
            "emails_expected": verdict["outbox_total"],
            "emails_sent": len(smtp.messages),
            "emails_duplicated": len(message_ids) - len(set(message_ids)),
            "double_redemptions": verdict["double_redemptions"],
            "redeemed_coupons": verdict["redeemed"],
            "race_winners": race["winners"],
            "documents_uploaded": uploads,
            "documents_readable": verdict["documents_readable"],
            "documents_total": verdict["documents_total"],
            "webhook_events": verdict["webhook_events"],
            "webhook_deliveries_received": sum(hooks.deliveries.values()),
            "webhook_events_delivered_twice": sum(1 for n in hooks.deliveries.values() if n > 1),
            "http_5xx": len(stats.server_errors) + race["server_errors"],
            "worker_killed": killed["worker"],
            "web_restarted": killed["web_restarted"],
            "sign_in_limit_across_processes": lockout_holds,
            "requests": len(latencies),
            "connections_refused_during_restart": stats.refused_connections,
            "throughput_per_s": round(len(latencies) / load_seconds, 1),
            "applications_per_s": round(len(done) / load_seconds, 2),
            "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 1) if latencies else None,
            "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "drain_s": round(drain_seconds, 1),
            "total_s": round(time.monotonic() - started, 1),
        }
        invariants = {
            "every applicant completed": not failures and len(done) == args.applications,
            "every expected email sent once": result["emails_sent"] == result["emails_expected"]
            and result["emails_duplicated"] == 0
            and not verdict["outbox_pending"],
            "each coupon redeemed once": result["double_redemptions"] == 0
            and result["redeemed_coupons"] == args.applications + 1,
            "one winner among the 50": race["winners"] == 1,
            "every document readable": uploads == len(setup["document_status_pages"])
            and verdict["documents_readable"] == verdict["documents_total"] == uploads,
            "no 5xx": result["http_5xx"] == 0,
            "a sign-in limit holds across web processes": lockout_holds,
            "each webhook event delivered once": result["webhook_events_delivered_twice"] == 0
            and len(hooks.deliveries) == verdict["webhook_events"]
            and not verdict["webhooks_pending"],
        }
        for name, held in invariants.items():
            print(f"{'ok  ' if held else 'FAIL'} {name}", file=sys.stderr)
        for failure in failures[:5] + stats.server_errors[:5]:
            print(f"     {failure}", file=sys.stderr)
        print(f"logs: {work}", file=sys.stderr)
        print(json.dumps(result))
        return 0 if all(invariants.values()) else 1
    finally:
        for process in processes:
            process.kill(signal.SIGTERM)
        smtp.stop()
        hooks.stop()
        s3.stop()


if __name__ == "__main__":
    sys.exit(main())
