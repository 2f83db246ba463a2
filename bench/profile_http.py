"""Where a request's time goes, endpoint by endpoint: the same requests bench_http.py sends, through Vouch's WSGI
application in this process (no server, no network), so nothing but Vouch and its database is measured.

    .venv/bin/python bench/profile_http.py SEED.json [--requests 300] [--out bench/results/http-profile.json]

SEED.json is http_seed.py's file (bench_http.py leaves it in its scratch folder; --keep-seed copies it). For each
endpoint: CPU ms of this process and wall ms per request (median), SQL statements per request (and how many write or
commit), the cookies the response sets (a session or CSRF cookie on an anonymous page is a write or a cost for
nothing), and the functions that take the most time (cProfile, cumulative, Vouch's code and the libraries it calls).
Redemptions use the seed's `profile_redeem` coupons (set aside for this), each once.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import time
from pathlib import Path
from urllib.parse import urlencode

from setup_db import use

WRITES = ("INSERT", "UPDATE", "DELETE")
VOUCH_APPS = {
    "api",
    "billing",
    "core",
    "coupons",
    "partners",
    "programs",
    "registry",
    "security",
    "support",
    "verification",
    "vouch",
    "webhooks",
    "notifications",
}


def is_write(sql: str) -> bool:
    """A statement that writes, also when sent with others at once (the API key's counter: BEGIN; SET …; INSERT …)."""
    return any(part.lstrip().upper().startswith(WRITES) for part in sql.split(";"))


def _area(path: str) -> str:
    """Which library (or Vouch app, or Python's standard library) a profiled function belongs to."""
    if path.startswith(("~", "<")):
        return "builtins"
    if path.startswith("/"):
        return "python"
    parts = path.split("/")
    if parts[0] == "django" and len(parts) > 2:
        return f"django.{parts[1]}"
    return parts[0].removesuffix(".py")


def _environ(method: str, path: str, query: dict | None, body: bytes, headers: dict) -> dict:
    """The WSGI environ of the request, as Django's RequestFactory builds it (a client on 127.0.0.1)."""
    from django.test import RequestFactory

    url = path + ("?" + urlencode(query) if query else "")
    request = RequestFactory().generic(
        method, url, data=body, content_type="application/json" if body else None, headers=headers
    )
    environ = dict(request.environ)
    environ["wsgi.input"] = io.BytesIO(body)
    return environ


class Requests:
    """The requests of each scenario, as locustfile.py sends them (the next one each call)."""

    def __init__(self, seed: dict, baseline: str):
        self.seed, self.baseline, self.n = seed, baseline, 0
        self.api = {"Authorization": f"Bearer {seed['api_key']}"}
        self.redeemed = 0

    def _pick(self, items: list):
        self.n += 1
        return items[self.n % len(items)]

    def _purchase(self, coupon: dict) -> dict:
        return {
            "code": coupon["code"],
            "email": coupon["email"],
            "product_codes": ["workplace-pro"],
            "billing_cycle": "annual",
        }

    def make(self, scenario: str) -> tuple[str, str, dict | None, bytes, dict]:
        s = self.seed
        if scenario == "baseline":
            return "GET", self.baseline, None, b"", {}
        if scenario.startswith("search_api_"):
            q = self._pick(s[scenario.removeprefix("search_api_")])
            return "GET", "/api/v1/organisations", {"q": q, "country": "US"}, b"", self.api
        if scenario.startswith("suggest_"):
            q = self._pick(s[scenario.removeprefix("suggest_")])
            return "GET", "/en/organisations/suggest/", {"q": q, "country": "US"}, b"", {}
        if scenario == "status_page":
            return "GET", f"/en/programs/status/{self._pick(s['status_tokens'])}/", None, b"", {}
        if scenario == "coupon_validate":
            body = json.dumps(self._purchase(self._pick(s["validate"]))).encode()
            return "POST", "/api/v1/coupons/validate", None, body, self.api
        if scenario == "coupon_redeem":
            coupon = s["profile_redeem"][self.redeemed]
            self.redeemed += 1
            body = json.dumps({**self._purchase(coupon), "order_reference": f"p-{coupon['code']}"}).encode()
            return "POST", "/api/v1/coupons/redeem", None, body, self.api
        if scenario == "plans_page":
            return "GET", "/en/store/plans/", None, b"", {}
        if scenario == "precheck":
            org = self._pick(s["precheck_organisations"])
            return "GET", f"/api/v1/programs/{s['program_slug']}/precheck", {"organisation": org}, b"", self.api
        raise ValueError(scenario)


def coupons_unredeem(order_prefix: str) -> int:
    """Benchmark database only: the coupons an earlier run redeemed for orders named `order_prefix…` become active
    again, so that each run redeems distinct coupons without seeding anew (their audit entries stay)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE coupons_coupon SET state = 'active', redeemed_at = NULL, redemption_key = '' "
            "WHERE state = 'redeemed' AND redemption_key LIKE %s",
            [f"api:%:{order_prefix}%"],
        )
        return cursor.rowcount


def call(application, request) -> tuple[int, list[str]]:
    method, path, query, body, headers = request
    answer: dict = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["cookies"] = [v.split("=", 1)[0] for k, v in response_headers if k.lower() == "set-cookie"]

    chunks = application(_environ(method, path, query, body, headers), start_response)
    for _chunk in chunks:
        pass
    if hasattr(chunks, "close"):
        chunks.close()
    return answer["status"], answer["cookies"]


def profile(application, requests: Requests, scenario: str, count: int, top: int) -> dict:
    from django.db import connection

    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    for _ in range(5):  # warm: first-use imports, caches, the connection
        if scenario == "coupon_redeem":
            break
        call(application, requests.make(scenario))
    walls, cpus, queries, writes, statuses, cookies = [], [], [], [], {}, set()
    profiler = cProfile.Profile()
    with connection.execute_wrapper(record):
        for _ in range(count):
            request = requests.make(scenario)
            statements.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            profiler.enable()
            status, set_cookies = call(application, request)
            profiler.disable()
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            queries.append(len(statements))
            writes.append(sum(1 for q in statements if is_write(q)))
            statuses[status] = statuses.get(status, 0) + 1
            cookies.update(set_cookies)
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("cumulative").print_stats(top)
    root = str(Path(__file__).resolve().parent.parent) + "/"
    areas: dict[str, float] = {}
    rows = []
    for (filename, line, name), (_cc, _nc, tottime, cumtime, _callers) in stats.stats.items():
        short = filename.split("site-packages/")[-1].replace(root, "")
        rows.append((short, line, name, tottime, cumtime))
        areas[_area(short)] = areas.get(_area(short), 0.0) + tottime
    own = [
        {"function": f"{short}:{line}({name})", "own_ms_per_request": round(tottime * 1000 / count, 3)}
        for short, line, name, tottime, _cum in sorted(rows, key=lambda r: -r[3])[:top]
    ]
    # Cumulative time of Vouch's own functions (middleware left out: each one's total holds every layer below it).
    vouch = [
        {"function": f"{short}:{line}({name})", "cum_ms_per_request": round(cumtime * 1000 / count, 3)}
        for short, line, name, _own, cumtime in sorted(rows, key=lambda r: -r[4])
        if not short.startswith(("/", "<", "~", "bench/"))
        and "/" in short
        and name != "__call__"
        and short.split("/")[0] in VOUCH_APPS
    ][:top]
    return {
        "requests": count,
        "statuses": statuses,
        "wall_ms_median": round(statistics.median(walls), 2),
        "cpu_ms_median": round(statistics.median(cpus), 2),
        "queries_median": statistics.median(queries),
        "writes_median": statistics.median(writes),
        "set_cookies": sorted(cookies),
        "last_request_sql": list(statements),
        "own_ms_by_area": {k: round(v * 1000 / count, 3) for k, v in sorted(areas.items(), key=lambda i: -i[1])},
        "hot_own": own,
        "hot_vouch_cumulative": vouch,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("seed")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--out")
    parser.add_argument("--sql", action="store_true", help="print the SQL of each endpoint's last request")
    args = parser.parse_args()
    os.environ["DEBUG"] = "false"
    use("postgres")
    from bench_http import SCENARIOS

    from vouch.wsgi import application

    seed = json.loads(Path(args.seed).read_text())
    requests = Requests(seed, "/healthz")
    from bench_http import code_version

    result = {
        "code": code_version(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average": os.getloadavg(),
        "requests_per_endpoint": args.requests,
        "endpoints": {},
    }
    for scenario in SCENARIOS:
        if args.only and scenario not in args.only and scenario != "baseline":
            continue
        count = args.requests
        if scenario == "coupon_redeem":
            count = min(count, len(seed.get("profile_redeem", [])))
            if not count:
                continue
            coupons_unredeem("p-")
        if scenario == "precheck" and (
            not seed.get("precheck_organisations") or call(application, requests.make("precheck"))[0] == 404
        ):
            continue
        result["endpoints"][scenario] = found = profile(application, requests, scenario, count, args.top)
        print(
            f"{scenario}: cpu {found['cpu_ms_median']} ms, wall {found['wall_ms_median']} ms, "
            f"{found['queries_median']} queries ({found['writes_median']} writes), statuses {found['statuses']}, "
            f"cookies {found['set_cookies']}",
            flush=True,
        )
        if args.sql:
            for sql in found["last_request_sql"]:
                print("    SQL", sql[:200])
        print("    own ms by area:", json.dumps(dict(list(found["own_ms_by_area"].items())[:12])))
        for row in found["hot_vouch_cumulative"][:10]:
            print(f"    cum {row['cum_ms_per_request']:8.3f}  {row['function']}")
        for row in found["hot_own"][:8]:
            print(f"    own {row['own_ms_per_request']:8.3f}  {row['function']}")
    result["load_average_at_end"] = os.getloadavg()
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
