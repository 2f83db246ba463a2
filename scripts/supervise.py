#!/usr/bin/env python3
"""A small process supervisor for `make run`: the web server, the worker and the scheduler in one terminal.

    supervise.py --main web "gunicorn …" --keep worker "manage.py db_worker" --keep scheduler "manage.py run_scheduler"

A `--keep` process that exits (crashed, killed, "database is locked") is started again after a pause that doubles
from 1 to 30 seconds while it keeps dying quickly (and is back to 1 second once it has run a minute). When the
`--main` process exits, or on Ctrl-C / SIGTERM, every process is stopped (SIGTERM, then SIGKILL after 10 seconds)
and the supervisor exits with the main process's status. Production uses systemd (or its container runtime) for
the same job, one unit per process: see docs/operator-guide.md.
"""

import argparse
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

MIN_PAUSE, MAX_PAUSE = 1.0, 30.0
HEALTHY_AFTER = 60.0  # a process that ran this long had a fresh start: the next pause is short again
STOP_GRACE = 10.0


@dataclass
class Child:
    name: str
    command: list[str]
    keep: bool
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    pause: float = MIN_PAUSE
    restart_at: float | None = None
    restarts: int = field(default=0)

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)
        self.started_at = time.monotonic()
        self.restart_at = None
        say(f"started {self.name} (pid {self.process.pid})")


def say(message: str) -> None:
    print(f"[supervise] {message}", file=sys.stderr, flush=True)


class Supervisor:
    def __init__(self, children: list[Child]):
        self.children = children
        self.stopping = False
        self.exit_code = 0

    def request_stop(self, signum, _frame) -> None:
        say(f"received {signal.Signals(signum).name}, stopping")
        self.stopping = True

    def run(self) -> int:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self.request_stop)
        for child in self.children:
            child.start()
        while not self.stopping:
            self._check(time.monotonic())
            time.sleep(0.2)
        self._stop_all()
        return self.exit_code

    def _check(self, now: float) -> None:
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    child.start()
                continue
            code = child.process.poll()
            if code is None:
                continue
            if not child.keep:
                say(f"{child.name} exited with status {code}; stopping the others")
                self.exit_code = code
                self.stopping = True
                return
            ran = now - child.started_at
            if ran >= HEALTHY_AFTER:
                child.pause = MIN_PAUSE
            child.restart_at = now + child.pause
            say(f"{child.name} exited with status {code} after {ran:.1f}s; restarting in {child.pause:.0f}s")
            child.pause = min(child.pause * 2, MAX_PAUSE)

    def _stop_all(self) -> None:
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + STOP_GRACE
        for process in running:
            try:
                process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def parse(argv: list[str]) -> list[Child]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--main",
        nargs=2,
        metavar=("NAME", "COMMAND"),
        action="append",
        default=[],
        help="a process whose exit stops everything (the web server)",
    )
    parser.add_argument(
        "--keep",
        nargs=2,
        metavar=("NAME", "COMMAND"),
        action="append",
        default=[],
        help="a process restarted whenever it exits (the worker, the scheduler)",
    )
    args = parser.parse_args(argv)
    if not args.main and not args.keep:
        parser.error("nothing to supervise")
    return [Child(name, shlex.split(command), keep=False) for name, command in args.main] + [
        Child(name, shlex.split(command), keep=True) for name, command in args.keep
    ]


if __name__ == "__main__":
    sys.exit(Supervisor(parse(sys.argv[1:])).run())
