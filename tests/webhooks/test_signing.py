"""Signatures as receivers check them, and the pure rules (URLs, backoff)."""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from webhooks.rules import address_refused, next_attempt_after_failure, retry_backoff, url_problem
from webhooks.signing import signature_header, signature_verify

SECRET = "whsec_test"
BODY = b'{"id":"evt_1","type":"coupon.redeemed","data":{"hint":"AB12"}}'
T = 1_767_225_600


def test_the_signature_is_the_hmac_of_timestamp_dot_body():
    header = signature_header(secret=SECRET, body=BODY, timestamp=T)
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={T},v1={expected}"
    assert signature_verify(secret=SECRET, header=header, body=BODY, now=T + 10)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda h, b: (h, b.replace(b"AB12", b"AB13")),  # body changed
        lambda h, b: (h, b + b" "),  # one byte more
        lambda h, b: (h.replace(f"t={T}", f"t={T + 1}"), b),  # timestamp changed
        lambda h, b: (h[:-1] + ("0" if h[-1] != "0" else "1"), b),  # signature changed
        lambda h, b: ("", b),
        lambda h, b: (f"t={T}", b),
        lambda h, b: ("v1=" + h.split("v1=")[1], b),
    ],
)
def test_a_tampered_request_fails(tamper):
    header, body = tamper(signature_header(secret=SECRET, body=BODY, timestamp=T), BODY)
    assert not signature_verify(secret=SECRET, header=header, body=body, now=T)


def test_another_secret_fails():
    header = signature_header(secret="whsec_other", body=BODY, timestamp=T)
    assert not signature_verify(secret=SECRET, header=header, body=BODY, now=T)


def test_an_old_or_future_timestamp_fails_outside_the_tolerance():
    header = signature_header(secret=SECRET, body=BODY, timestamp=T)
    assert signature_verify(secret=SECRET, header=header, body=BODY, now=T + 300)
    assert not signature_verify(secret=SECRET, header=header, body=BODY, now=T + 301)
    assert not signature_verify(secret=SECRET, header=header, body=BODY, now=T - 301)
    assert signature_verify(secret=SECRET, header=header, body=BODY, now=T + 3000, tolerance_seconds=3600)


def test_one_matching_signature_among_several_is_enough():
    good = signature_header(secret=SECRET, body=BODY, timestamp=T).split(",v1=")[1]
    assert signature_verify(secret=SECRET, header=f"t={T},v1={'0' * 64},v1={good}", body=BODY, now=T)


@pytest.mark.parametrize(
    ("url", "local", "problem"),
    [
        ("https://partner.example/hooks", False, None),
        ("https://partner.example:8443/hooks?x=1", False, None),
        ("http://partner.example/hooks", False, "url_https_required"),
        ("http://partner.example/hooks", True, "url_https_required"),
        ("http://127.0.0.1:9000/hooks", False, "url_local_forbidden"),
        ("http://127.0.0.1:9000/hooks", True, None),
        ("http://localhost/hooks", True, None),
        ("https://localhost/hooks", False, "url_local_forbidden"),
        ("https://10.0.0.5/hooks", True, "url_local_forbidden"),
        ("https://169.254.169.254/latest", False, "url_local_forbidden"),
        ("https://[::1]/hooks", False, "url_local_forbidden"),
        ("https://[::ffff:127.0.0.1]/hooks", False, "url_local_forbidden"),
        ("https://2130706433/hooks", False, "url_local_forbidden"),  # 127.0.0.1 in a form resolvers accept
        ("https://0x7f.1/hooks", False, "url_local_forbidden"),
        ("https://8.8.8.8/hooks", False, None),
        ("https://[2001:4860:4860::8888]/hooks", False, None),
        ("https://224.0.1.1/hooks", False, "url_local_forbidden"),  # multicast (is_global, yet no destination)
        ("https://[ff0e::1]/hooks", False, "url_local_forbidden"),
        ("https://[64:ff9b::7f00:1]/hooks", False, "url_local_forbidden"),  # NAT64 of 127.0.0.1
        ("https://[64:ff9b::808:808]/hooks", False, "url_local_forbidden"),  # NAT64, whatever it embeds
        ("https://[::ffff:8.8.8.8]/hooks", False, "url_local_forbidden"),  # IPv4-mapped
        ("https://[::7f00:1]/hooks", False, "url_local_forbidden"),  # IPv4-compatible
        ("https://[2002:7f00:1::1]/hooks", False, "url_local_forbidden"),  # 6to4
        ("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hooks", False, "url_local_forbidden"),  # Teredo
        ("https://100.64.0.1/hooks", False, "url_local_forbidden"),  # shared address space (CGNAT)
        ("https://240.0.0.1/hooks", False, "url_local_forbidden"),  # reserved
        ("https://0.0.0.0/hooks", False, "url_local_forbidden"),
        ("https://\uff11\uff12\uff17.\uff10.\uff10.\uff11/hooks", False, "url_invalid"),  # IDNA digits: 127.0.0.1
        ("https://\u2460\u2461\u2466.0.0.1/hooks", False, "url_invalid"),  # circled digits decode to 127.0.0.1
        ("https://1.2.3.4.5/hooks", False, "url_invalid"),
        ("https://b\u00fccher.example/hooks", False, None),  # an ordinary IDNA name is fine
        ("https://user:pw@partner.example/hooks", False, "url_credentials_forbidden"),
        ("ftp://partner.example/hooks", False, "url_invalid"),
        ("https:///nohost", False, "url_invalid"),
        ("https://partner.example:99999/", False, "url_invalid"),
        ("https://partner.example/" + "a" * 500, False, "url_invalid"),
        ("", False, "url_invalid"),
    ],
)
def test_which_urls_may_receive_webhooks(url, local, problem):
    assert url_problem(url, allow_http_localhost=local) == problem


def test_backoff_doubles_from_a_minute_up_to_six_hours():
    assert [retry_backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_backoff(9) == timedelta(minutes=256)
    assert retry_backoff(10) == retry_backoff(50) == timedelta(hours=6)


def test_retries_stop_once_the_window_has_passed():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    until = start + timedelta(hours=24)
    assert next_attempt_after_failure(attempts=1, failed_at=start, retry_until=until) == start + timedelta(minutes=1)
    late = until - timedelta(minutes=30)
    assert next_attempt_after_failure(attempts=12, failed_at=late, retry_until=until) == until
    assert next_attempt_after_failure(attempts=13, failed_at=until, retry_until=until) is None


@pytest.mark.parametrize(
    ("address", "allow_loopback", "refused"),
    [
        ("8.8.8.8", False, False),
        ("2001:4860:4860::8888", False, False),
        ("127.0.0.1", True, False),
        ("127.0.0.1", False, True),
        ("::1", False, True),
        ("10.1.2.3", True, True),
        ("192.168.0.10", True, True),
        ("169.254.169.254", True, True),
        ("::ffff:10.0.0.1", True, True),
        ("fe80::1%eth0", True, True),
        ("not an address", True, True),
        ("224.0.0.251", True, True),
        ("ff02::fb", True, True),
        ("64:ff9b::a00:1", True, True),
        ("::ffff:8.8.8.8", False, True),
        ("::a00:1", True, True),
        ("100.64.1.1", True, True),
        ("0.0.0.0", True, True),  # noqa: S104 (an address refused, not a binding)
    ],
)
def test_which_resolved_addresses_are_refused(address, allow_loopback, refused):
    assert address_refused(address, allow_loopback=allow_loopback) is refused
