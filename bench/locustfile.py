"""The load bench_http.py puts on one endpoint at a time: BENCH_SCENARIO names it, BENCH_SEED is http_seed.py's file.

Run by bench_http.py as `locust -f bench/locustfile.py --headless …`; every user sends its next request as soon as
the last one is answered (no think time), so the rate measured is what the server sustains.
"""

import json
import os
from itertools import count
from pathlib import Path

from locust import task
from locust.contrib.fasthttp import FastHttpUser

SCENARIO = os.environ.get("BENCH_SCENARIO", "baseline")
SEED = json.loads(Path(os.environ["BENCH_SEED"]).read_text()) if os.environ.get("BENCH_SEED") else {}
BASELINE = os.environ.get("BENCH_BASELINE", "/healthz")
_next = count()  # shared by all users of this process (one process: gevent)
# Redemptions take coupons [REDEEM_FROM, REDEEM_TO) of the pool, each once (the warm-up run uses its own slice).
REDEEM_FROM = int(os.environ.get("BENCH_REDEEM_FROM", "0"))
REDEEM_TO = int(os.environ.get("BENCH_REDEEM_TO", str(len(SEED.get("redeem", [])))))


def _pick(items: list):
    return items[next(_next) % len(items)]


class Visitor(FastHttpUser):
    def on_start(self):
        self.api = {"Authorization": f"Bearer {SEED.get('api_key', '')}"}

    def _purchase(self, coupon: dict) -> dict:
        return {
            "code": coupon["code"],
            "email": coupon["email"],
            "product_codes": ["workplace-pro"],
            "billing_cycle": "annual",
        }

    @task
    def next_request(self):
        getattr(self, SCENARIO)()

    def baseline(self):
        self.client.get(BASELINE, name="baseline")

    def search_api_exact(self):
        self.client.get(
            "/api/v1/organisations",
            params={"q": _pick(SEED["exact"]), "country": "US"},
            headers=self.api,
            name="search_api_exact",
        )

    def search_api_typo(self):
        self.client.get(
            "/api/v1/organisations",
            params={"q": _pick(SEED["typo"]), "country": "US"},
            headers=self.api,
            name="search_api_typo",
        )

    def suggest_exact(self):
        self.client.get(
            "/en/organisations/suggest/", params={"q": _pick(SEED["exact"]), "country": "US"}, name="suggest_exact"
        )

    def suggest_typo(self):
        self.client.get(
            "/en/organisations/suggest/", params={"q": _pick(SEED["typo"]), "country": "US"}, name="suggest_typo"
        )

    def status_page(self):
        self.client.get(f"/en/programs/status/{_pick(SEED['status_tokens'])}/", name="status_page")

    def coupon_validate(self):
        self.client.post(
            "/api/v1/coupons/validate",
            json=self._purchase(_pick(SEED["validate"])),
            headers=self.api,
            name="coupon_validate",
        )

    def coupon_redeem(self):
        number = REDEEM_FROM + next(_next)
        if number >= REDEEM_TO:  # every coupon is redeemed once: stop rather than redeem one again
            self.stop()
            return
        coupon = SEED["redeem"][number]
        self.client.post(
            "/api/v1/coupons/redeem",
            json={**self._purchase(coupon), "order_reference": f"o-{number}"},
            headers=self.api,
            name="coupon_redeem",
        )

    def plans_page(self):
        self.client.get("/en/store/plans/", name="plans_page")

    def precheck(self):
        """The pre-check, when the server has it (bench_http.py asks once and skips this scenario on a 404)."""
        self.client.get(
            f"/api/v1/programs/{SEED['program_slug']}/precheck",
            params={"organisation": _pick(SEED["precheck_organisations"])},
            headers=self.api,
            name="precheck",
        )
