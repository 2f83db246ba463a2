"""Import throughput against the raw load floor: on a fresh database, the first import of a BMF file, the same file
again (nothing changes), and, on the same file and database server, the floor (a plain load plus a full-text index
on the name, the least any import of that file can cost).

    .venv/bin/python bench/bench_import.py --backend sqlite --file /tmp/bmf2m.csv [--out bench/results/...json]
    .venv/bin/python bench/bench_import.py --backend postgres --file /tmp/bmf2m.csv [--keep]

The imports run `manage.py import_registry --json` as an operator would (a separate process). Floors:
- SQLite: the sqlite3 shell's `.import` into a plain table, then an FTS5 index on the name (Python's executemany
  into a plain table when the shell is absent: `apt-get install sqlite3`);
- PostgreSQL: COPY into a plain table of text columns, then a GIN full-text index on the name.
Each step's wall time, CPU time (user + system, the process and the children it waited for) and peak RSS (the
largest single process) come from wait4(). PostgreSQL's database is created here and dropped at the end unless
--keep (bench_http.py reuses it).
"""

import argparse
import csv
import json
import os
import platform
import selectors
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from setup_db import PG_ADMIN_URL, PG_DB, ROOT, drop, reset


def _usage(usage) -> dict:
    return {"cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024)}


def _run(command: list[str], log: Path | None = None, **kwargs) -> tuple[dict, str]:
    """Like subprocess.run, measured with wait4 (Popen.communicate would reap the child and lose its usage)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    # Read the pipes by hand so that the child is reaped with wait4 (its resource usage), not by Popen.
    chunks = {process.stdout: [], process.stderr: []}
    selector = selectors.DefaultSelector()
    for stream in chunks:
        selector.register(stream, selectors.EVENT_READ)
    while selector.get_map():
        for key, _ in selector.select():
            data = key.fileobj.read1(65536)
            if data:
                chunks[key.fileobj].append(data)
            else:
                selector.unregister(key.fileobj)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    stdout, stderr = (b"".join(chunks[s]).decode(errors="replace") for s in (process.stdout, process.stderr))
    if log is not None:  # the import's progress lines: when each phase ran
        log.write_text(stderr)
    if process.returncode:
        sys.exit(f"{' '.join(map(str, command[:4]))} failed ({process.returncode}):\n{stderr[-3000:]}")
    return {"wall_seconds": round(wall, 2), **_usage(usage)}, stdout


def run_import(env: dict, path: str, log: Path | None = None) -> dict:
    measured, stdout = _run(
        [sys.executable, "manage.py", "import_registry", "us-irs-bmf", path, "--json"], log=log, cwd=ROOT, env=env
    )
    summary = json.loads(stdout.strip().splitlines()[-1])
    return {**measured, "rows_per_second": round(summary["read"] / measured["wall_seconds"]), "summary": summary}


def _header(path: str) -> list[str]:
    with open(path, newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def floor_sqlite(path: str) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="vouch-floor-"))
    try:
        database = folder / "floor.sqlite3"
        index = (
            "CREATE VIRTUAL TABLE floor_fts USING fts5(name, tokenize = 'unicode61 remove_diacritics 2');"
            "INSERT INTO floor_fts(rowid, name) SELECT rowid, NAME FROM floor;"
        )
        shell = shutil.which("sqlite3")
        if shell:
            script = f".mode csv\n.import {path} floor\n{index}\n"
            measured, _ = _run_shell(shell, database, script)
            return {**measured, "how": "sqlite3 shell .import + FTS5 on the name"}
        started = time.perf_counter()
        header = _header(path)
        with sqlite3.connect(database) as conn, open(path, newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            next(reader)
            columns = ", ".join(f'"{h}"' for h in header)
            conn.execute(f"CREATE TABLE floor ({columns})")
            conn.executemany(f"INSERT INTO floor VALUES ({', '.join('?' * len(header))})", reader)
            conn.executescript(index)
        return {"wall_seconds": round(time.perf_counter() - started, 2), "how": "executemany + FTS5 (no sqlite3 shell)"}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run_shell(shell: str, database: Path, script: str) -> tuple[dict, str]:
    script_file = database.with_suffix(".sql")
    script_file.write_text(script)
    return _run(["sh", "-c", f'"{shell}" "{database}" < "{script_file}"'])


def floor_postgres(path: str) -> dict:
    import psycopg

    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DB
    header = _header(path)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS floor_bmf")
        conn.execute(f"CREATE TABLE floor_bmf ({', '.join(f'"{h}" text' for h in header)})")
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            open(path, "rb") as handle,
            cursor.copy("COPY floor_bmf FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        loaded = time.perf_counter() - started
        conn.execute("CREATE INDEX floor_bmf_fts ON floor_bmf USING gin (to_tsvector('simple'::regconfig, \"NAME\"))")
        wall = time.perf_counter() - started
        conn.execute("DROP TABLE floor_bmf")
    return {
        "wall_seconds": round(wall, 2),
        "copy_seconds": round(loaded, 2),
        "how": "COPY into a plain table + GIN full-text index on the name",
    }


def machine() -> dict:
    model = ""
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    load = os.getloadavg()
    return {
        "node": platform.node(),
        "machine": platform.machine(),
        "cpu_model": model,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average_at_start": [round(x, 2) for x in load],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--out")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database (for bench_http.py)")
    parser.add_argument("--logs", help="a folder for each import's progress log (first.log, reimport.log)")
    args = parser.parse_args()
    path = str(Path(args.file).resolve())
    host = machine()
    env = reset(args.backend)
    try:
        floor = floor_sqlite(path) if args.backend == "sqlite" else floor_postgres(path)
        print("floor", json.dumps(floor), flush=True)
        logs = Path(args.logs) if args.logs else None
        if logs:
            logs.mkdir(parents=True, exist_ok=True)
        first = run_import(env, path, logs / "first.log" if logs else None)
        print("first import", json.dumps(first), flush=True)
        again = run_import(env, path, logs / "reimport.log" if logs else None)
        print("unchanged re-import", json.dumps(again), flush=True)
    finally:
        if not args.keep:
            drop(args.backend)
    result = {
        "backend": args.backend,
        "file": args.file,
        "bytes": Path(path).stat().st_size,
        "floor": floor,
        "first": first,
        "reimport": again,
        "first_over_floor": round(first["wall_seconds"] / floor["wall_seconds"], 2),
        "reimport_ratio": round(again["wall_seconds"] / first["wall_seconds"], 3),
        "host": host,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
