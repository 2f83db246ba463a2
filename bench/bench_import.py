"""Import throughput: first import of a BMF file into an empty database, then the same file again.

    .venv/bin/python bench/bench_import.py --backend sqlite --file /tmp/bmf2m.csv [--out bench/results/...json]

Runs `manage.py import_registry --json` as an operator would (a separate process), and records wall time,
the summary, peak memory of the import process and the machine.
"""

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from setup_db import ROOT, reset


def run_import(env: dict, path: str) -> dict:
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "manage.py", "import_registry", "us-irs-bmf", path, "--json"],
                          cwd=ROOT, env=env, check=False, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"import failed ({done.returncode}):\n{done.stderr[-3000:]}")
    wall = time.perf_counter() - started
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {"wall_seconds": round(wall, 2), "rows_per_second": round(summary["read"] / wall),
            "peak_rss_mb": round(peak / 1024), "summary": summary}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--out")
    args = parser.parse_args()
    env = reset(args.backend)
    first = run_import(env, args.file)
    print("first import", json.dumps(first), flush=True)
    again = run_import(env, args.file)
    print("unchanged re-import", json.dumps(again), flush=True)
    result = {
        "backend": args.backend, "file": args.file, "bytes": Path(args.file).stat().st_size,
        "first": first, "reimport": again, "reimport_ratio": round(again["wall_seconds"] / first["wall_seconds"], 3),
        "machine": f"{platform.node()} {platform.machine()} {platform.processor() or ''}".strip(),
        "cpus": __import__("os").cpu_count(), "python": platform.python_version(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
