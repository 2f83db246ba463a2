"""Webhook tests: partners with subscriptions, and a real HTTP receiver on 127.0.0.1 that records requests."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from partners.services import partner_create
from programs.models import Program
from tests.api.conftest import api_client, key_admin, make_key, partner  # noqa: F401 (fixtures)
from tests.verification.conftest import au_registry, make_draft, program, reviewer  # noqa: F401 (fixtures)
from webhooks.services import webhook_subscription_create


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """An HTTP server in a thread. `status` is what it answers; `delay` makes it slow; stop() and start() again
    (same port) simulate an outage."""

    status: int = 200
    delay: float = 0.0
    location: str = ""
    requests: list[Received] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                receiver.requests.append(Received(self.path, dict(self.headers.items()), self.rfile.read(length)))
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                answer = b"thanks" if receiver.status < 300 else b"x" * 5000
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _allow_local_http(settings):
    settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST = True


@pytest.fixture
def other_program(program):  # noqa: F811
    clone = Program.objects.get(pk=program.pk)
    clone.pk = None
    clone.slug = "other-program"
    clone.save()
    return clone


@pytest.fixture
def make_partner(key_admin, program):  # noqa: F811
    def make(name: str, *, sees_all: bool = False, program_=None, active: bool = True):
        created = partner_create(
            name=name, program=program_ or program, actor=key_admin, sees_all_applications=sees_all
        )
        if not active:
            created.is_active = False
            created.save(update_fields=["is_active"])
        return created

    return make


@pytest.fixture
def subscribe(receiver):
    def make(partner, *, event_types=None, url=None):  # noqa: F811
        return webhook_subscription_create(partner=partner, url=url or receiver.url, event_types=event_types)

    return make
