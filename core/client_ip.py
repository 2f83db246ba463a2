"""The address of the client a request comes from, as rate limits, lockouts and consent records use it.

Behind a reverse proxy REMOTE_ADDR is the proxy. `TRUSTED_PROXY_COUNT` (settings, from the environment) says how
many proxies of ours append to X-Forwarded-For: the client is the entry that many places from the right. Entries
further left were written by the client itself and are never trusted.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client's IP address as a string ("" when unknown)."""
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    hops = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
