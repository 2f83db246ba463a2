"""Fresh benchmark databases: `sqlite` (a file in a scratch folder) or `postgres` (database BENCH_PG_DB, default
bench_perf, created by reset() and dropped by drop())."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = os.environ.get("BENCH_PG_DB", "bench_perf")
SQLITE_DIR = Path(os.environ.get("BENCH_SQLITE_DIR", "/tmp/vouch-bench-sqlite"))


def bench_env(backend: str) -> dict[str, str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="vouch.settings", VOUCH_DATA_DIR=str(SQLITE_DIR))
    # DEBUG off on PostgreSQL would mean production mode (HTTPS redirects, required secrets): development says not.
    env.setdefault("VOUCH_ENV", "development")
    env.pop("DATABASE_URL", None)
    # A benchmark database is not production: without this, DEBUG off on PostgreSQL asks for production secrets.
    env.setdefault("VOUCH_ENV", "development")
    if backend == "postgres":
        env["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DB
    return env


def reset(backend: str) -> dict[str, str]:
    """Drop and recreate the benchmark database, migrate it, and return the environment that selects it."""
    if backend == "sqlite":
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)
        SQLITE_DIR.mkdir(parents=True)
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
    env = bench_env(backend)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return env


def drop(backend: str) -> None:
    """Remove the benchmark database (the PostgreSQL database, or the SQLite scratch folder)."""
    if backend == "sqlite":
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)
        return
    import psycopg
    from django.conf import settings
    from django.db import connections

    if settings.configured:  # this process's own connection to the database would block the drop
        connections.close_all()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def use(backend: str) -> None:
    """Point this process's Django at the benchmark database and set it up."""
    os.environ.update(bench_env(backend))
    if backend == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
