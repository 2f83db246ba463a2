"""A whole Vouch in its own process (gunicorn on 127.0.0.1, a free port, its own SQLite database and data folder),
for tests where two Vouch instances talk to each other."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import ROOT  # the repository


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class VouchProcess:
    def __init__(self, data_dir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "TEST_DATABASE_NAME", "EMAIL_HOST", "DJANGO_SETTINGS_MODULE"}
        }
        self.env.update(
            VOUCH_DATA_DIR=str(data_dir),
            PUBLIC_BASE_URL=self.url,
            SECRET_KEY=secrets.token_hex(32),
            FEDERATION_ALLOW_HTTP_LOCALHOST="true",
            ALLOWED_HOSTS="127.0.0.1",
            DEBUG="false",
        )
        self.process = None
        self.log = data_dir / "server.log"

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            raise AssertionError(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def run(self, code: str) -> dict:
        """Python run in this Vouch (manage.py shell -c); its last printed line, as JSON."""
        return json.loads(self.manage("shell", "-c", code).strip().splitlines()[-1])

    def start(self) -> "VouchProcess":
        self.manage("migrate", "--noinput", "-v", "0")
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "vouch.wsgi:application",
                    "-b",
                    f"127.0.0.1:{self.port}",
                    "-w",
                    "1",
                    "--timeout",
                    "60",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/.well-known/jwks.json", timeout=2):  # noqa: S310
                    return self
            except OSError:
                if self.process.poll() is not None:
                    raise AssertionError(self.log.read_text()) from None
                time.sleep(0.3)
        raise AssertionError(f"Vouch did not start on {self.url}: {self.log.read_text()}")

    def post(self, path: str, payload: dict) -> dict:
        request = urllib.request.Request(  # noqa: S310 (our own process)
            self.url + path,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own process)
            return json.loads(response.read())

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
