"""Outbound-request guards shared by every part of Vouch that calls a URL someone else chose (webhooks, domain
proofs, federation): pure functions, no network except `ip_literal`'s parsing.

Moved here from webhooks.rules so verification can use them without importing webhooks (a higher layer).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
MAX_URL_CHARS = 500


def url_problem(url: str, *, allow_http_localhost: bool) -> str | None:
    """Why `url` cannot receive webhooks (a stable code), or None when it can.

    Only https, except http to this machine (127.0.0.1, localhost, ::1) when `allow_http_localhost` (development,
    tests). Addresses of this machine and private networks written as IP literals are refused over https too: a
    partner must not make Vouch call its own network. Names are checked when sending (webhooks.delivery, with
    address_refused), and should be blocked at the network's egress as well (docs/webhooks.md).
    """
    url = (url or "").strip()
    if not url or len(url) > MAX_URL_CHARS:
        return "url_invalid"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a malformed port
    except ValueError:
        return "url_invalid"
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in {"http", "https"} or any(c.isspace() for c in url):
        return "url_invalid"
    if parts.username is not None or parts.password is not None:
        return "url_credentials_forbidden"
    if port == 0:
        return "url_invalid"
    local = host in LOCAL_HOSTS or host.endswith(".localhost")
    if local:
        return None if allow_http_localhost else "url_local_forbidden"
    if parts.scheme != "https":
        return "url_https_required"
    address = ip_literal(host)
    if address is not None and not address.is_global:
        return "url_local_forbidden"
    return None


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address `host` spells, including the legacy IPv4 forms resolvers accept (`2130706433`, `0x7f.1`,
    `127.1`), or None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def address_refused(address: str, *, allow_loopback: bool) -> bool:
    """Whether a resolved destination address is off limits: anything not globally routable, except this machine
    when local delivery is allowed."""
    try:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    if parsed.is_loopback:
        return not allow_loopback
    return not parsed.is_global
