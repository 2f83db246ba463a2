"""Log lines: JSON when stderr is not a terminal, readable on one; gunicorn's access log in the same format;
Sentry only when SENTRY_DSN is set. Each runs a real process."""

import gzip
import json
import os
import pty
import re
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.vouch.probe import ROOT, probe_env, run_python

LOG_A_LINE = (
    "import os, django, logging; os.environ['DJANGO_SETTINGS_MODULE'] = 'vouch.settings'; django.setup();"
    "log = logging.getLogger('vouch.probe'); log.warning('hello %s', 'world');"
    "from core.request_id import request_id_bound\n"
    "with request_id_bound('req-12345678'):\n"
    "    try:\n        1 / 0\n    except ZeroDivisionError:\n        log.exception('it broke')"
)


def test_without_a_terminal_each_line_is_json_with_time_level_logger_and_request_id(tmp_path):
    result = run_python(tmp_path, LOG_A_LINE)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stderr.strip().splitlines()[-2:])
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", first["time"])
    assert {key: first[key] for key in ("level", "logger", "message", "request_id")} == {
        "level": "WARNING",
        "logger": "vouch.probe",
        "message": "hello world",
        "request_id": None,
    }
    assert second["level"] == "ERROR" and second["request_id"] == "req-12345678"
    assert "ZeroDivisionError" in second["exc_info"]


def test_on_a_terminal_lines_are_readable(tmp_path):
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", LOG_A_LINE],
        cwd=ROOT,
        env=probe_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    output = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=30)
    os.close(leader)
    text = output.decode()
    assert re.search(r"^\d{4}-\d\d-\d\dT[\d:.]+Z WARNING +vouch\.probe \[-\] hello world\r?$", text, re.MULTILINE), text
    assert re.search(r"ERROR +vouch\.probe \[req-12345678\] it broke", text)
    assert not text.lstrip().startswith("{")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_access_log_uses_the_same_json_lines_with_the_request_id(tmp_path):
    port = _free_port()
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "vouch.wsgi",
        ],
        cwd=ROOT,
        env=probe_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": "probe-req-0001"}
                )
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (http to 127.0.0.1)
                    assert response.status == 200 and response.headers["X-Request-ID"] == "probe-req-0001"
                break
            except (ConnectionError, urllib.error.URLError):
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=30)
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    [access] = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert access["http_method"] == "GET" and access["http_path"] == "/healthz" and access["http_status"] == 200
    assert access["request_id"] == "probe-req-0001" and access["duration_ms"] >= 0 and access["time"].endswith("Z")
    assert any(line["logger"] == "gunicorn.error" and line["level"] == "INFO" for line in lines)


class _SentryIntake(BaseHTTPRequestHandler):
    received: list

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        elif self.headers.get("Content-Encoding") == "br":  # sentry-sdk prefers brotli when it is installed
            import brotli

            body = brotli.decompress(body)
        self.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_errors_go_to_sentry_only_when_sentry_dsn_is_set(tmp_path):
    received = []
    handler = type("Intake", (_SentryIntake,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'vouch.settings'; django.setup();"
        "import sentry_sdk; print(sentry_sdk.get_client().is_active());"
        "sentry_sdk.capture_message('probe from the test'); sentry_sdk.flush(timeout=10)"
    )
    try:
        result = run_python(tmp_path, code, SENTRY_DSN=f"http://publickey@127.0.0.1:{server.server_port}/42")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "True"
        assert any(path.startswith("/api/42/envelope/") and b"probe from the test" in body for path, body in received)

        received.clear()
        result = run_python(tmp_path, code)
        assert result.stdout.strip() == "False" and received == []
    finally:
        server.shutdown()
