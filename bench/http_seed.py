"""Seed the benchmark database for bench_http.py (run by it, in a process of its own): a program, a partner with an
API key, applications with status pages, distinct coupons to validate and to redeem, the store's catalog, and the
search queries (exact names and the same names with one typo) drawn from the registry it holds.

Also counts the SQL queries each benchmarked request makes (django.test.Client in this process, same database).

    python bench/http_seed.py OUT.json --coupons 8000
"""

import argparse
import json
import random
import sys
import time
from pathlib import Path

from profile_http import is_write
from setup_db import use


def _issue(program, organisation, email: str, now):
    from verification.models import Application
    from verification.services import application_start
    from verification.services.coupons import application_coupon_issue

    application = application_start(program=program, language="en", now=now)
    Application.objects.filter(pk=application.pk).update(
        organisation=organisation,
        country=organisation.country,
        applicant_name="Dana Fisher",
        email=email,
        email_verified_at=now,
        declared_budget_minor=100_000,
    )
    application.refresh_from_db()
    _coupon, code = application_coupon_issue(application=application, now=now)
    return application, code


PROFILE_COUPONS = 300  # set aside for profile_http.py's redemptions


def seed(coupons: int, queries: int, seed_value: int) -> dict:
    from bench_search import typo
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from billing.demo import catalog_demo_ensure
    from partners.services import ALL_SCOPES, api_key_create, partner_create
    from programs.demo import program_demo_ensure
    from registry.models import Organisation

    rng = random.Random(seed_value)
    now = timezone.now()
    with connection.cursor() as cursor:  # organisations with a name nobody else has, spread over the register
        cursor.execute(
            "SELECT o.id, o.name FROM registry_organisation o TABLESAMPLE SYSTEM (2) "
            "WHERE o.status = 'active' AND NOT EXISTS "
            "(SELECT 1 FROM coupons_coupon c WHERE c.organisation_id = o.id) LIMIT %s",
            [(coupons + PROFILE_COUPONS) * 2 + queries * 4],
        )
        sample = cursor.fetchall()
    rng.shuffle(sample)
    with transaction.atomic():
        catalog_demo_ensure()
        program = program_demo_ensure()
        admin = get_user_model().objects.filter(
            username="bench-admin"
        ).first() or get_user_model().objects.create_superuser(
            "bench-admin", "bench@example.org", "bench-admin-password"
        )
        partner = partner_create(
            name=f"Bench store {now:%H%M%S}", program=program, actor=admin, sees_all_applications=True
        )
        _key, raw_key = api_key_create(
            partner=partner, name="bench", scopes=list(ALL_SCOPES), actor=admin, requests_per_minute=100_000
        )
    issuing = coupons + 200 + PROFILE_COUPONS
    organisations = Organisation.objects.in_bulk([pk for pk, _ in sample[:issuing]])
    issued, tokens = [], []
    started = time.monotonic()
    with transaction.atomic():
        for pk, _ in sample[:issuing]:
            application, code = _issue(program, organisations[pk], f"director{pk}@example.org", now)
            issued.append({"code": code, "email": application.email})
            tokens.append(application.token)
    print(f"seeded {len(issued)} coupons in {time.monotonic() - started:.1f} s", file=sys.stderr)
    queried = sample[issuing:][:queries]
    names = [name for _, name in queried]
    typos = []
    for name in names:
        words = name.split()
        long = [i for i, w in enumerate(words) if len(w) >= 4]
        if long:
            i = rng.choice(long)
            words[i] = typo(rng, words[i])
        typos.append(" ".join(words))
    return {
        "api_key": raw_key,
        "validate": issued[:200],
        "redeem": issued[200 : coupons + 200],
        "profile_redeem": issued[coupons + 200 :],
        "status_tokens": tokens[:200],
        "exact": names,
        "typo": typos,
        # The pre-check (GET /api/v1/programs/{slug}/precheck?organisation=…) when the server has it.
        "program_slug": program.slug,
        "precheck_organisations": list(
            Organisation.objects.filter(pk__in=[pk for pk, _ in queried]).values_list("org_id", flat=True)
        ),
    }


def count_queries(data: dict) -> dict:
    """SQL queries and in-process time per request, one request of each kind (the second: warm)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    api = Client(headers={"Authorization": f"Bearer {data['api_key']}"})
    page = Client()
    coupon = data["validate"][0]
    purchase = {
        "code": coupon["code"],
        "email": coupon["email"],
        "product_codes": ["workplace-pro"],
        "billing_cycle": "annual",
    }
    requests = {
        "search_api_exact": lambda: api.get("/api/v1/organisations", {"q": data["exact"][0], "country": "US"}),
        "search_api_typo": lambda: api.get("/api/v1/organisations", {"q": data["typo"][0], "country": "US"}),
        "suggest_exact": lambda: page.get("/en/organisations/suggest/", {"q": data["exact"][1], "country": "US"}),
        "suggest_typo": lambda: page.get("/en/organisations/suggest/", {"q": data["typo"][1], "country": "US"}),
        "status_page": lambda: page.get(f"/en/programs/status/{data['status_tokens'][0]}/"),
        "coupon_validate": lambda: api.post("/api/v1/coupons/validate", purchase, content_type="application/json"),
        "plans_page": lambda: page.get("/en/store/plans/"),
    }
    spare = data["redeem"].pop()  # redeemed here, so taken out of the load test's pool
    redeem = {**purchase, "code": spare["code"], "email": spare["email"], "order_reference": "bench-count"}
    counts = {}
    for name, call in requests.items():
        call()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call()
            elapsed = time.perf_counter() - started
        counts[name] = {
            "status": response.status_code,
            "queries": len(captured.captured_queries),
            "writes": sum(1 for q in captured.captured_queries if is_write(q["sql"])),
            "ms": round(elapsed * 1000, 2),
        }
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = api.post("/api/v1/coupons/redeem", redeem, content_type="application/json")
        elapsed = time.perf_counter() - started
    counts["coupon_redeem"] = {
        "status": response.status_code,
        "queries": len(captured.captured_queries),
        "writes": sum(1 for q in captured.captured_queries if is_write(q["sql"])),
        "ms": round(elapsed * 1000, 2),
    }
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--coupons", type=int, default=8000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--count-only", action="store_true", help="only count queries with an existing seed file")
    args = parser.parse_args()
    use("postgres")
    data = json.loads(Path(args.out).read_text()) if args.count_only else seed(args.coupons, args.queries, args.seed)
    data["queries_per_request"] = count_queries(data)
    with open(args.out, "w") as handle:
        json.dump(data, handle)


if __name__ == "__main__":
    main()
