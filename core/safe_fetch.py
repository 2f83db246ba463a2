"""Fetching a URL someone else chose (an applicant's domain, a federated issuer), without letting it reach inside.

- The host name is resolved once, by the caller's resolver (dnspython with Vouch's configured servers, see
  core.dns), every address is checked (core.ssrf.address_refused: nothing that is not globally routable; this
  machine only when `allow_loopback`), and the connection goes to that checked address: a second lookup cannot
  return another one (DNS rebinding). TLS still verifies the certificate for the host name (SNI).
- Redirects are followed by hand, at most MAX_REDIRECTS, and only when `redirect_allowed(host)` says the new host
  is acceptable (for a domain proof: the same registered domain) and the scheme is allowed.
- One deadline for the whole fetch (connect, headers, body, redirects): a server that trickles bytes is cut off.
  At most `max_bytes` of the body are read; a larger body is reported as `too_large`.

Errors are returned (a stable `problem` code and a short detail), never raised: callers record them as evidence.
"""

import http.client
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from core.ssrf import address_refused, ip_literal

MAX_REDIRECTS = 3
USER_AGENT = "Vouch-Verification/1"
CHUNK = 16 * 1024

Resolver = Callable[[str], list[str]]  # host name (ASCII) -> addresses


@dataclass
class FetchResult:
    url: str  # the last URL requested
    status: int | None = None
    body: bytes = b""
    problem: str = ""  # "" when a response was read in full; else a stable code
    detail: str = ""
    address: str = ""  # the address actually connected to
    redirects: list[str] = field(default_factory=list)
    content_type: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem and self.status is not None and 200 <= self.status < 300

    def evidence(self) -> dict:
        return {
            "url": self.url,
            "status": self.status,
            "problem": self.problem or None,
            "detail": self.detail or None,
            "address": self.address or None,
            "redirects": self.redirects,
            "bytes": len(self.body),
        }


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _addresses(host: str, resolver: Resolver) -> list[str]:
    literal = ip_literal(host)
    if literal is not None:
        return [str(literal)]
    return resolver(host)


def fetch(
    url: str,
    *,
    resolver: Resolver,
    allowed_schemes: tuple[str, ...] = ("https",),
    allow_loopback: bool = False,
    redirect_allowed: Callable[[str], bool] = lambda host: False,
    max_bytes: int = 256 * 1024,
    deadline_seconds: float = 8.0,
    accept: str = "*/*",
) -> FetchResult:
    """GET `url` under the rules above."""
    deadline = time.monotonic() + deadline_seconds
    result = FetchResult(url=url)
    for hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        result.url = url
        host = (parts.hostname or "").lower()
        if parts.scheme not in allowed_schemes:
            result.problem, result.detail = "scheme_refused", f"{parts.scheme or '?'} URLs are not fetched"
            return result
        if not host or parts.username or parts.password:
            result.problem, result.detail = "url_invalid", "no host, or credentials in the URL"
            return result
        try:
            addresses = _addresses(host, resolver)
        except Exception as error:  # NXDOMAIN, timeouts, a malformed name: all "could not resolve"
            result.problem, result.detail = "dns_failed", f"{type(error).__name__}: {error}"[:300]
            return result
        if not addresses:
            result.problem, result.detail = "dns_failed", f"{host} has no address"
            return result
        refused = [a for a in addresses if address_refused(a, allow_loopback=allow_loopback)]
        if refused:
            result.problem, result.detail = "address_refused", f"{host} resolves to {', '.join(sorted(refused))}"
            return result
        address = addresses[0]
        result.address = address
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            result.problem, result.detail = "timeout", "deadline passed"
            return result
        port = parts.port or (443 if parts.scheme == "https" else 80)
        connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(host, address, port, timeout=min(remaining, deadline_seconds))
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(
                "GET",
                path,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": accept,
                    "Accept-Encoding": "identity",
                    "Connection": "close",
                },
            )
            sock = connection.sock  # the response takes it over (Connection: close); its timeout is moved below
            response = connection.getresponse()
            result.status = response.status
            result.content_type = response.getheader("Content-Type", "") or ""
            if 300 <= response.status < 400 and response.getheader("Location"):
                target = urljoin(url, response.getheader("Location"))
                target_host = (urlsplit(target).hostname or "").lower()
                result.redirects.append(target)
                if hop == MAX_REDIRECTS:
                    result.problem, result.detail = "too_many_redirects", f"more than {MAX_REDIRECTS} redirects"
                    return result
                if not redirect_allowed(target_host):
                    result.problem, result.detail = "redirect_refused", f"redirect to {target_host or target}"[:300]
                    return result
                url = target
                continue
            body = bytearray()
            while len(body) <= max_bytes and not response.isclosed():
                if time.monotonic() > deadline:
                    result.problem, result.detail = "timeout", "the body took too long"
                    return result
                sock.settimeout(max(0.05, deadline - time.monotonic()))
                chunk = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
                if not chunk:
                    break
                body.extend(chunk)
            if len(body) > max_bytes:
                result.problem, result.detail = "too_large", f"more than {max_bytes} bytes"
                result.body = bytes(body[:max_bytes])
                return result
            result.body = bytes(body)
            return result
        except TimeoutError:
            result.problem, result.detail = "timeout", "the server did not answer in time"
            return result
        except ssl.SSLError as error:
            result.problem, result.detail = "tls_failed", str(error)[:300]
            return result
        except (OSError, http.client.HTTPException, ValueError) as error:
            result.problem, result.detail = "connection_failed", f"{type(error).__name__}: {error}"[:300]
            return result
        finally:
            connection.close()
    return result
