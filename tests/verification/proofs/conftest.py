"""Proof tests run a real DNS server and a real web server on 127.0.0.1 (free ports), and point Vouch at them."""

import pytest

from tests.verification.conftest import make_draft, program, reviewer  # noqa: F401 (fixtures)
from tests.verification.proofs.servers import Dns, Web


@pytest.fixture
def dns_server(settings):
    server = Dns()
    settings.DNS_RESOLVERS = [f"127.0.0.1:{server.port}"]
    settings.DNS_TIMEOUT_SECONDS = 2
    yield server
    server.stop()


@pytest.fixture
def web_server(settings):
    server = Web()
    settings.DOMAIN_PROOF_ALLOW_HTTP_LOCALHOST = True
    settings.DOMAIN_PROOF_HTTP_PORT = server.port
    yield server
    server.stop()
