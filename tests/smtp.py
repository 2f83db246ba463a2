"""A real SMTP server in the test process (aiosmtpd), for tests where the email is what is tested.

Register with ``pytest_plugins = ["tests.smtp"]`` in tests/conftest.py, then:

    def test_something(smtp_server):
        ...  # send mail through the normal mailer: it goes over SMTP to smtp_server
        [message] = smtp_server.messages_to("someone@example.org")
        assert "code" in smtp_server.text(message)

The fixture points the default mailer at the server (MAILERS when the settings define it, else the EMAIL_*
settings). `stop()` simulates an outage (the port then refuses connections), `start()` brings the server back on
the same port, `refuse(address)` answers 550 to that recipient.
"""

import socket
import warnings
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class _Handler:
    def __init__(self, server: "SMTPServer"):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.server.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    host = "127.0.0.1"

    def __init__(self):
        self.port = _free_port()
        self.received: list[Received] = []
        self.refused: set[str] = set()
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is None:
            controller = Controller(
                _Handler(self), hostname=self.host, port=self.port, server_hostname="smtp.test", ready_timeout=10
            )
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse(self, address: str) -> None:
        self.refused.add(address.lower())

    @property
    def messages(self) -> list[EmailMessage]:
        return [item.message for item in self.received]

    def messages_to(self, address: str) -> list[EmailMessage]:
        return [item.message for item in self.received if address.lower() in (a.lower() for a in item.rcpt_tos)]

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("html",)).get_content()


def point_mailer_at(settings, host: str, port: int) -> None:
    """Make the default mailer send over SMTP to host:port (for pytest-django's `settings` fixture)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)  # Django 6.1 deprecates EMAIL_* for MAILERS
        if hasattr(settings, "MAILERS"):
            settings.MAILERS = {
                "default": {"BACKEND": SMTP_BACKEND, "OPTIONS": {"host": host, "port": port, "timeout": 5}}
            }
            return
        settings.EMAIL_BACKEND = SMTP_BACKEND
        settings.EMAIL_HOST = host
        settings.EMAIL_PORT = port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp_server(settings):
    server = SMTPServer()
    server.start()
    point_mailer_at(settings, server.host, server.port)
    try:
        yield server
    finally:
        server.stop()
