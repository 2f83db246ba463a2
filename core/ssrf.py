"""Outbound-request guards shared by every part of Vouch that calls a URL someone else chose (webhooks, domain
proofs, federation): pure functions, no network.

Moved here from webhooks.rules so verification can use them without importing webhooks (a higher layer);
webhooks.rules re-exports them.
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
    host = host_ascii((parts.hostname or "").lower())
    if not host or parts.scheme not in {"http", "https"} or any(c.isspace() for c in url):
        return "url_invalid"
    if numeric_name(host) and ip_literal(host) is None:
        return "url_invalid"  # a name whose last label is a number is no domain name (e.g. "1.2.3.4.5")
    if not (parts.hostname or "").isascii() and (ip_literal(host) is not None or numeric_name(host)):
        return "url_invalid"  # an IDNA name that decodes to digits (full-width "127.0.0.1") is an address
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
    if address is not None and address_refused(str(address), allow_loopback=False):
        return "url_local_forbidden"
    return None


def host_ascii(host: str) -> str | None:
    """The host as the resolver sees it: IDNA (with its NFKC mapping) for a non-ASCII name; None if it has none."""
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


def numeric_name(host: str) -> bool:
    """Whether the last label is all digits (or 0x…): resolvers then read the host as an address."""
    last = host.strip("[]").rstrip(".").rsplit(".", 1)[-1]
    return bool(last) and (last.isdigit() or last.lower().startswith("0x"))


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


# IPv6 ranges that carry (or translate to) an IPv4 address: the IPv4 address could be anything, so they are refused
# whole rather than trusted to a gateway: NAT64 (well-known and local-use prefixes), IPv4-compatible, IPv4-mapped,
# IPv4-translated (SIIT).
_EMBEDS_IPV4 = [
    ipaddress.ip_network(net) for net in ("64:ff9b::/96", "64:ff9b:1::/48", "::/96", "::ffff:0:0/96", "::ffff:0:0:0/96")
]


def address_refused(address: str, *, allow_loopback: bool) -> bool:
    """Whether a destination address is off limits: anything not globally routable and unicast (private, shared,
    link-local, reserved, multicast, unspecified), IPv6 forms that embed an IPv4 address (NAT64, mapped,
    compatible, 6to4, Teredo), except this machine when local delivery is allowed."""
    try:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if parsed.is_loopback or (parsed.version == 6 and parsed.ipv4_mapped and parsed.ipv4_mapped.is_loopback):
        return not allow_loopback
    if parsed.version == 6 and (any(parsed in net for net in _EMBEDS_IPV4) or parsed.sixtofour or parsed.teredo):
        return True
    return (
        not parsed.is_global
        or parsed.is_multicast
        or parsed.is_reserved
        or parsed.is_link_local
        or parsed.is_unspecified
        or parsed.is_private
    )
