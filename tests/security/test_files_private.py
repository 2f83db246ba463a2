"""The embedded default's private files: the data folder (0700), the generated secret key and the SQLite database
(0600, created so from the start, also under a permissive umask), and an older install's files are tightened."""

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _start(data_dir: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DATABASE_URL"}}
    env["VOUCH_DATA_DIR"] = str(data_dir)
    code = (
        "import os; os.umask(0o022); import django; os.environ['DJANGO_SETTINGS_MODULE']='vouch.settings'; "
        "django.setup(); from django.db import connection; connection.ensure_connection(); "
        "connection.cursor().execute('CREATE TABLE IF NOT EXISTS t (x)')"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=120)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_folder_is_private(tmp_path):
    data = tmp_path / "data"
    _start(data)
    assert _mode(data) == 0o700
    assert _mode(data / "secret_key") == 0o600
    assert _mode(data / "vouch.sqlite3") == 0o600
    for extra in ("vouch.sqlite3-wal", "vouch.sqlite3-shm"):
        if (data / extra).exists():
            assert _mode(data / extra) & 0o077 == 0


def test_an_older_installs_readable_files_are_tightened(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "secret_key").write_text("x" * 50)
    (data / "secret_key").chmod(0o644)
    (data / "vouch.sqlite3").touch()
    (data / "vouch.sqlite3").chmod(0o644)
    _start(data)
    assert _mode(data) == 0o700
    assert _mode(data / "secret_key") == 0o600 and _mode(data / "vouch.sqlite3") == 0o600
