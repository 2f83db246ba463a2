"""Running `manage.py import_registry` as an operator does: a separate process on the test database (no tests here)."""

import os
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from tests.conftest import ROOT


def database_url() -> str:
    """The test database, for a child process (the test must be transactional so that it sees the data)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


def command_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url(), "PYTHONUNBUFFERED": "1", **extra}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    return env


def import_command(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), "import_registry", *args]


def descendants(pid: int) -> set[int]:
    """Every process below pid (children, their children…), read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie (a dead process nobody has reaped yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return False


def big_bmf_file(source: Path, target: Path, copies: int) -> Path:
    """The BMF slices repeated under other EINs: an import that runs long enough to be watched and killed."""
    lines = [line for path in sorted(source.glob("eo_*.csv")) for line in path.read_bytes().split(b"\r\n")[1:] if line]
    header = next(iter(sorted(source.glob("eo_*.csv")))).read_bytes().split(b"\r\n")[0]
    with target.open("wb") as out:
        out.write(header + b"\r\n")
        for copy in range(copies):
            for index, line in enumerate(lines):
                out.write(b"%09d" % (100_000_000 + copy * len(lines) + index) + line[9:] + b"\r\n")
    return target
