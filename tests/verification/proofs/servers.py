"""Real servers on 127.0.0.1 for the proof tests: an authoritative DNS server (dnslib) and a web server that
answers per Host header (a charity's site, a hostile one)."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from dnslib import AAAA, QTYPE, RR, TXT, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer


class ZoneResolver(BaseResolver):
    """Answers from `records`: {(name, "A"|"AAAA"|"TXT"): [values]}; names are lower case, without the final dot."""

    def __init__(self):
        self.records: dict[tuple[str, str], list[str]] = {}
        self.queries: list[tuple[str, str]] = []

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        self.queries.append((name, qtype))
        kinds = {"A": A, "AAAA": AAAA, "TXT": TXT}
        for value in self.records.get((name, qtype), []):
            reply.add_answer(RR(request.q.qname, getattr(QTYPE, qtype), rdata=kinds[qtype](value), ttl=1))
        return reply


class Dns:
    def __init__(self):
        self.zone = ZoneResolver()
        self.server = DNSServer(
            self.zone,
            port=0,
            address="127.0.0.1",
            logger=DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data"),
        )
        self.server.start_thread()
        self.port = self.server.server.server_address[1]

    def add(self, name: str, kind: str, value: str) -> None:
        self.zone.records.setdefault((name.lower(), kind), []).append(value)

    def host(self, name: str, address: str = "127.0.0.1") -> None:
        self.add(name, "A", address)

    def stop(self) -> None:
        self.server.stop()
        self.server.server.server_close()


@dataclass
class Page:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds between each chunk of 10 bytes (a trickling server)
    stream: Callable | None = None


class Web:
    """pages: {(host, path): Page}. Unknown pages answer 404."""

    def __init__(self):
        self.pages: dict[tuple[str, str], Page] = {}
        self.requests: list[tuple[str, str]] = []
        web = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                web.requests.append((host, self.path))
                page = web.pages.get((host, self.path)) or Page(404, b"not found")
                self.send_response(page.status)
                for name, value in page.headers.items():
                    self.send_header(name, value)
                if page.stream is None:
                    self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                try:
                    if page.stream is not None:
                        page.stream(self.wfile)
                    elif page.delay:
                        for start in range(0, len(page.body), 10):
                            self.wfile.write(page.body[start : start + 10])
                            self.wfile.flush()
                            time.sleep(page.delay)
                    else:
                        self.wfile.write(page.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page(self, host: str, path: str, body: bytes | str = b"", *, status: int = 200, **extra) -> None:
        self.pages[(host.lower(), path)] = Page(status, body.encode() if isinstance(body, str) else body, **extra)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
