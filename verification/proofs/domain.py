"""Domain control: the applicant shows they control their email's domain, and the domain is shown to be the
organisation's. Together with the email code, that settles the representative check (rules.check_email_domain).

Control: a DNS TXT record `_vouch-verification.<domain>` = `vouch-verification=<token>`, or the file
`https://<domain>/.well-known/vouch-verification.txt` containing the token. "Check now" from the journey, and
automatic re-checks for 48 hours (`domain_proofs_recheck`, also a django.tasks task in verification.proofs.tasks).

Tie: the register lists the domain (website or email domain), or the organisation's own site shows its registry
number (for US charities the EIN) on one of a handful of pages. Which page and what matched is kept as evidence.

Network: DNS through core.dns (the configured resolvers); HTTP through core.safe_fetch: https only (plain http to
this machine only under DOMAIN_PROOF_ALLOW_HTTP_LOCALHOST, for development and tests), every address checked, no
redirect off the registered domain, a deadline and a size limit per page.
"""

import html
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import idna
from django.conf import settings

from core import dns
from core.safe_fetch import FetchResult, fetch
from verification.email_domains import registered_domain

TXT_PREFIX = "_vouch-verification."
TXT_VALUE_PREFIX = "vouch-verification="
WELL_KNOWN_PATH = "/.well-known/vouch-verification.txt"
RECHECK_FOR = timedelta(hours=48)
MAX_EVIDENCE = 20  # checks kept on the row (the audit log keeps the verification itself)
WELL_KNOWN_MAX_BYTES = 4 * 1024
PAGE_MAX_BYTES = 512 * 1024
PAGE_DEADLINE_SECONDS = 6.0
TIE_PAGES = ("/", "/about", "/about-us", "/donate", "/contact")  # "a handful of pages": the home, about, donate


def token_generate() -> str:
    return secrets.token_urlsafe(24)


def txt_name(domain: str) -> str:
    return TXT_PREFIX + domain


def txt_value(token: str) -> str:
    return TXT_VALUE_PREFIX + token


def domain_ascii(text: str) -> str:
    """The registered domain of an email address, URL or domain, in ASCII (punycode), lower case; '' when there is
    none or it is not a valid IDNA name."""
    domain = registered_domain(text)
    if not domain:
        return ""
    try:
        return idna.encode(domain, uts46=True).decode("ascii").lower()
    except idna.IDNAError:
        return ""


def domain_display(domain: str) -> str:
    """How people see it: Unicode for an IDN (`xn--bcher-kva.example` -> `bücher.example`)."""
    try:
        return idna.decode(domain)
    except (idna.IDNAError, UnicodeError):
        return domain


# --- the network --------------------------------------------------------------------------------------------------


def _allow_local() -> bool:
    return bool(getattr(settings, "DOMAIN_PROOF_ALLOW_HTTP_LOCALHOST", False))


def _base_url(host: str) -> str:
    """https://host, or, in development and tests, http://host:DOMAIN_PROOF_HTTP_PORT."""
    if _allow_local():
        return f"http://{host}:{int(getattr(settings, 'DOMAIN_PROOF_HTTP_PORT', 80))}"
    return f"https://{host}"


def _fetch_on_domain(domain: str, path: str, *, max_bytes: int, accept: str = "*/*") -> FetchResult:
    def same_domain(host: str) -> bool:
        return bool(host) and domain_ascii(host) == domain

    schemes = ("https", "http") if _allow_local() else ("https",)
    return fetch(
        _base_url(domain) + path,
        resolver=dns.host_addresses,
        allowed_schemes=schemes,
        allow_loopback=_allow_local(),
        redirect_allowed=same_domain,
        max_bytes=max_bytes,
        deadline_seconds=PAGE_DEADLINE_SECONDS,
        accept=accept,
    )


def dns_check(*, domain: str, token: str, now: datetime) -> dict[str, Any]:
    name = txt_name(domain)
    expected = txt_value(token)
    evidence: dict[str, Any] = {"method": "dns_txt", "record": name, "expected": expected, "at": now.isoformat()}
    try:
        values = dns.txt_records(name)
    except dns.LookupFailed as error:
        return {**evidence, "found": [], "outcome": "error", "problem": "dns_failed", "detail": str(error)[:300]}
    found = [value[:200] for value in values[:10]]
    matched = any(value.strip() == expected for value in values)
    return {**evidence, "found": found, "outcome": "match" if matched else ("mismatch" if found else "absent")}


def well_known_check(*, domain: str, token: str, now: datetime) -> dict[str, Any]:
    result = _fetch_on_domain(domain, WELL_KNOWN_PATH, max_bytes=WELL_KNOWN_MAX_BYTES, accept="text/plain")
    evidence: dict[str, Any] = {"method": "well_known", "at": now.isoformat(), **result.evidence()}
    if not result.ok:
        return {
            **evidence,
            "outcome": "error" if result.problem else "absent",
            "problem": result.problem or f"http_{result.status}",
        }
    text = result.body.decode("utf-8", "replace")
    lines = {line.strip() for line in text.splitlines()}
    matched = token in lines or txt_value(token) in lines
    return {**evidence, "found": text[:200], "outcome": "match" if matched else "mismatch"}


# --- the tie between the domain and the organisation ---------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationRecord:
    """What the tie needs to know about the organisation (from the registry record)."""

    org_id: str
    country: str
    registry_number: str
    website: str
    email_domain: str
    source: str


def registry_number_patterns(record: OrganisationRecord) -> list[re.Pattern]:
    """How the registry number appears on a page. A US EIN as 12-3456789 or 123456789; others as registered.
    Never inside a longer run of digits or letters."""
    number = re.sub(r"\s", "", record.registry_number or "")
    if not number:
        return []
    spellings = {number}
    if record.country == "US" and number.isdigit() and len(number) == 9:
        spellings.add(f"{number[:2]}-{number[2:]}")
        spellings.add(f"{number[:2]}\u2011{number[2:]}")  # a non-breaking hyphen
    return [re.compile(rf"(?<![0-9A-Za-z-]){re.escape(s)}(?![0-9A-Za-z])", re.IGNORECASE) for s in sorted(spellings)]


_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.IGNORECASE | re.DOTALL)


def page_text(body: bytes) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", body.decode("utf-8", "replace"))).split())


def tie_from_register(*, domain: str, record: OrganisationRecord, now: datetime) -> dict[str, Any] | None:
    for field_name, value in (("website", record.website), ("email_domain", record.email_domain)):
        if value and domain_ascii(value) == domain:
            return {
                "kind": f"register_{field_name}",
                "record": record.org_id,
                "field": field_name,
                "value": value,
                "source": record.source,
                "at": now.isoformat(),
            }
    return None


def tie_from_site(*, domain: str, record: OrganisationRecord, now: datetime) -> tuple[dict | None, list[dict]]:
    """Look for the registry number on the organisation's own pages. (tie or None, the pages looked at)."""
    patterns = registry_number_patterns(record)
    looked: list[dict] = []
    if not patterns:
        return None, looked
    for path in TIE_PAGES:
        result = _fetch_on_domain(domain, path, max_bytes=PAGE_MAX_BYTES, accept="text/html")
        page = {"path": path, **result.evidence()}
        looked.append(page)
        if not result.ok and result.problem != "too_large":  # the first 512 KiB of a large page still count
            continue
        text = page_text(result.body)
        for pattern in patterns:
            match = pattern.search(text)
            if match:
                start = max(0, match.start() - 60)
                return (
                    {
                        "kind": "registry_number_on_site",
                        "record": record.org_id,
                        "url": result.url,
                        "matched": match.group(0),
                        "excerpt": text[start : match.end() + 60],
                        "source": "website",
                        "at": now.isoformat(),
                    },
                    looked,
                )
    return None, looked
