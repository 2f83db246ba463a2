"""Run Vouch's settings (or a manage.py command) in a fresh process with a chosen environment, as start-up does."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Variables a developer's shell may carry that would change what the probe sees.
_CLEARED = (
    "DATABASE_URL",
    "DEBUG",
    "VOUCH_ENV",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "ALLOWED_HOSTS",
    "PUBLIC_BASE_URL",
    "VERIFIER_SUPPORT_CONTACT",
    "VOUCH_ADDR",
    "SENTRY_DSN",
    "TRUSTED_PROXY_COUNT",
    "LOG_FORMAT",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "SECURE_PROXY_SSL_HEADER",
    "PROMETHEUS_MULTIPROC_DIR",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)  # the browser tests set it in this process
STRONG_KEY = "k" * 20 + "Q9x!v7Zr$2mW#8pL@4nT&6yB^0cH*5sJ"  # 52 characters, many distinct: not "weak" for Django


def probe_env(tmp_path: Path, **variables) -> dict:
    environ = {key: value for key, value in os.environ.items() if key not in _CLEARED}
    environ.update(VOUCH_DATA_DIR=str(tmp_path), VOUCH_DOTENV=str(tmp_path / "no.env"), PYTHONPATH=str(ROOT))
    environ.update({key: str(value) for key, value in variables.items()})
    return environ


def run_python(tmp_path: Path, code: str, **variables) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=probe_env(tmp_path, **variables),
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_manage(tmp_path: Path, *args: str, **variables) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=probe_env(tmp_path, **variables),
        capture_output=True,
        text=True,
        timeout=180,
    )


def settings_of(tmp_path: Path, *names: str, **variables) -> dict:
    """The named settings as the process saw them (JSON-able forms); fails with the process's stderr."""
    code = (
        "import json, os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'vouch.settings'; django.setup();"
        "from django.conf import settings;"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, default=str))"
    )
    result = run_python(tmp_path, code, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def production(**variables) -> dict:
    """A complete production environment (without a database: VOUCH_ENV says production)."""
    return {
        "VOUCH_ENV": "production",
        "SECRET_KEY": STRONG_KEY,
        "ALLOWED_HOSTS": "vouch.example.org",
        "PUBLIC_BASE_URL": "https://vouch.example.org",
        "VERIFIER_SUPPORT_CONTACT": "verify@vouch.example.org",
        **variables,
    }
