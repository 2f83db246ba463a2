"""One applicant's whole path over real HTTP, spread over several web processes: the program page, the verification
steps (the code read from the SMTP sink), instant approval, the coupon from its email, then the store: sign-up, the
emailed confirmation link, sign-in and a checkout with the coupon."""

import itertools
import re
import time
from dataclasses import dataclass, field

import requests

PROGRAM = "/en/programs/workplace-nonprofit"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIDDEN_KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
CODE = re.compile(r"^\s*(\d{6})\s*$", re.M)
COUPON = re.compile(r"\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\b")
VERIFY_LINK = re.compile(r"(/en/store/verify/[^\s]+/)")


@dataclass
class Stats:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    refused_connections: int = 0  # a web process restarting: sent on to the other one, as a proxy does


class Client:
    """A browser: one cookie jar, requests spread over the web processes in turn, a client address of its own
    (X-Forwarded-For, as nginx would set it; the web processes trust one proxy)."""

    def __init__(self, ports: list[int], address: str, stats: Stats):
        self.session = requests.Session()
        # Each browser starts on another process: its POSTs (after a GET for the form) then land on both as well.
        start = sum(address.encode()) % len(ports)
        self.ports = itertools.cycle(ports[start:] + ports[:start])
        self.headers = {"X-Forwarded-For": address}
        self.stats = stats

    def _url(self, path: str) -> str:
        return f"http://127.0.0.1:{next(self.ports)}{path}"

    def _send(self, method: str, path: str, **kwargs) -> requests.Response:
        for attempt in range(6):
            try:
                return self.session.request(method, self._url(path), timeout=60, allow_redirects=False, **kwargs)
            except requests.ConnectionError:
                self.stats.refused_connections += 1
                time.sleep(0.2 * attempt)
        raise ConnectionError(f"{method} {path}: no web process answered")

    def _record(self, method: str, path: str, response: requests.Response, started: float):
        self.stats.latencies_ms.append((time.perf_counter() - started) * 1000)
        self.stats.statuses[response.status_code] = self.stats.statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            self.stats.server_errors.append(f"{method} {path}: {response.status_code}")
        return response

    def get(self, path: str) -> requests.Response:
        started = time.perf_counter()
        response = self._send("GET", path, headers=self.headers)
        return self._record("GET", path, response, started)

    def post(self, path: str, data: dict, *, csrf_from: str | None = None, files=None) -> requests.Response:
        page = self.get(csrf_from or path)
        token = CSRF.search(page.text)
        started = time.perf_counter()
        response = self._send(
            "POST",
            path,
            data={**data, "csrfmiddlewaretoken": token.group(1) if token else ""},
            headers={**self.headers, "Referer": f"http://127.0.0.1{csrf_from or path}"},
            files=files,
        )
        return self._record("POST", path, response, started)


def _expect_redirect(response: requests.Response, what: str) -> str:
    if response.status_code not in (301, 302, 303):
        raise AssertionError(f"{what}: expected a redirect, got {response.status_code}: {response.text[:300]}")
    return response.headers["Location"]


def apply(client: Client, smtp, *, org_id: str, email: str) -> tuple[str, str]:
    """The verification journey; returns (status page path, coupon code)."""
    _expect_redirect(client.post(f"{PROGRAM}/", {"budget": "25000"}), "budget")
    _expect_redirect(client.post(f"{PROGRAM}/apply/country/", {"country": "AU"}), "country")
    _expect_redirect(client.post(f"{PROGRAM}/apply/organisation/", {"org_id": org_id}), "organisation")
    _expect_redirect(
        client.post(f"{PROGRAM}/apply/representative/", {"applicant_name": "Jo Director"}), "representative"
    )
    _expect_redirect(client.post(f"{PROGRAM}/apply/email/", {"email": email}), "email")
    code = CODE.search(smtp.text(smtp.wait_for(email, "verification code"))).group(1)
    _expect_redirect(client.post(f"{PROGRAM}/apply/code/", {"code": code}), "code")
    status = _expect_redirect(
        client.post(f"{PROGRAM}/apply/confirm/", {"represents": "on", "accepts": "on"}), "confirm"
    )
    coupon = COUPON.search(smtp.text(smtp.wait_for(email, "coupon code"))).group(1)
    return status, coupon


def buy(client: Client, smtp, *, email: str, coupon: str) -> str:
    """The store with the coupon; returns the subscription page path."""
    password = "correct horse battery staple 42"
    _expect_redirect(
        client.post(
            "/en/store/sign-up/",
            {"email": email, "password": password, "billing_country": "AU", "billing_region": "", "currency": "USD"},
        ),
        "sign-up",
    )
    link = VERIFY_LINK.search(smtp.text(smtp.wait_for(email, "confirm your email"))).group(1)
    page = client.get(link)
    if page.status_code != 200:
        raise AssertionError(f"verify link: {page.status_code}")
    _expect_redirect(client.post("/en/store/sign-in/", {"username": email, "password": password}), "sign-in")
    form = client.get("/en/store/checkout/")
    key = HIDDEN_KEY.search(form.text).group(1)
    done = client.post(
        "/en/store/checkout/",
        {"plan": "workplace-pro", "quantity": "3", "billing_cycle": "annual", "coupon": coupon, "idempotency_key": key},
        csrf_from="/en/store/checkout/",
    )
    return _expect_redirect(done, "checkout")
