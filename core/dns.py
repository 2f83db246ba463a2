"""DNS lookups through dnspython, with the resolvers the operator configures (settings.DNS_RESOLVERS, "host:port"
entries; empty: the system's /etc/resolv.conf). One place, so domain proofs and every fetch that follows them
(core.safe_fetch) see the same answers, and tests point both at a DNS server on 127.0.0.1.
"""

import dns.exception
import dns.resolver
from django.conf import settings


class LookupFailed(Exception):
    """The name could not be looked up (timeout, no server answered, a malformed name): not the same as "no
    record", which returns an empty list."""


def resolver() -> dns.resolver.Resolver:
    servers = [entry.strip() for entry in getattr(settings, "DNS_RESOLVERS", []) if entry.strip()]
    timeout = float(getattr(settings, "DNS_TIMEOUT_SECONDS", 3))
    if not servers:
        configured = dns.resolver.Resolver()
    else:
        configured = dns.resolver.Resolver(configure=False)
        configured.nameservers = []
        ports = {}
        for entry in servers:
            host, _, port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
            host = host.strip("[]") or entry
            configured.nameservers.append(host)
            ports[host] = int(port or 53)
        configured.nameserver_ports = ports
    configured.lifetime = timeout
    configured.timeout = timeout
    return configured


def _query(name: str, rdtype: str):
    try:
        return list(resolver().resolve(name, rdtype, search=False))
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except (dns.exception.DNSException, ValueError, UnicodeError) as error:
        raise LookupFailed(f"{type(error).__name__}: {error}") from error


def txt_records(name: str) -> list[str]:
    """The TXT strings at `name` (an ASCII/punycode name), each record's strings joined as RFC 7208 says."""
    return [b"".join(record.strings).decode("utf-8", "replace") for record in _query(name, "TXT")]


def host_addresses(name: str) -> list[str]:
    """Every A and AAAA address of `name`; empty when it has none."""
    addresses = [record.address for record in _query(name, "A")]
    try:
        addresses += [record.address for record in _query(name, "AAAA")]
    except LookupFailed:
        if not addresses:
            raise
    return addresses
