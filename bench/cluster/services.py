"""What the cluster check runs beside Vouch, all on 127.0.0.1: an SMTP sink, a webhook receiver, an S3 server
(moto), and Vouch's own processes started with the deployment's scripts (scripts/web, worker, scheduler)."""

import json
import os
import signal
import socket
import subprocess
import threading
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPSink:
    """Every message Vouch sends, in order; `wait_for(address, contains)` polls for one."""

    def __init__(self):
        self.port = free_port()
        self.messages: list = []
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                message = message_from_bytes(envelope.content, policy=policy.default)
                with sink._lock:
                    sink.messages.append((tuple(a.lower() for a in envelope.rcpt_tos), message))
                return "250 OK"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self):
        self._controller.start()

    def stop(self):
        self._controller.stop()

    def to(self, address: str) -> list:
        with self._lock:
            return [message for rcpt, message in self.messages if address.lower() in rcpt]

    def wait_for(self, address: str, subject_has: str = "", timeout: float = 120, after: int = 0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.to(address) if subject_has.lower() in str(m["Subject"]).lower()]
            if len(found) > after:
                return found[after]
            time.sleep(0.1)
        raise TimeoutError(f"no email to {address} with {subject_has!r} within {timeout} s")

    @staticmethod
    def text(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


class WebhookReceiver:
    """Counts deliveries per event id (a partner's endpoint; answers 200)."""

    def __init__(self):
        self.port = free_port()
        self.deliveries: dict[str, int] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                event_id = json.loads(body or b"{}").get("id", "?")
                receiver.deliveries[event_id] = receiver.deliveries.get(event_id, 0) + 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)

    def start(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self):
        self._server.shutdown()


class S3Server:
    def __init__(self):
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per S3 request otherwise

        self.port = free_port()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)

    def start(self, bucket: str):
        import boto3

        self._server.start()
        boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.port}",
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster",
            region_name="us-east-1",
        ).create_bucket(Bucket=bucket)

    def stop(self):
        self._server.stop()


class Process:
    """One of Vouch's processes, started as the deployment starts it."""

    def __init__(self, name: str, command: list[str], env: dict, log_dir: Path):
        self.name, self.command, self.env = name, command, env
        self.log = (log_dir / f"{name}.log").open("ab")
        self.popen: subprocess.Popen | None = None

    def start(self):
        self.popen = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    def kill(self, sig=signal.SIGKILL):
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)
            self.popen.wait(timeout=30)

    def alive(self) -> bool:
        return bool(self.popen) and self.popen.poll() is None


def wait_http(url: str, timeout: float = 90):
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (127.0.0.1 only)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def manage(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout
