"""scripts/supervise.py (what `make run` starts): a killed worker or scheduler comes back, the main process's exit
or a SIGTERM stops everything. Real processes; each child prints its pid so the test can kill it."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

SUPERVISE = Path(__file__).resolve().parents[2] / "scripts" / "supervise.py"
SLEEPER = f"{sys.executable} -c 'import time; time.sleep(120)'"


class Lines:
    """The supervisor's stderr, read in a thread."""

    def __init__(self, process: subprocess.Popen):
        self.lines: list[str] = []
        threading.Thread(target=self._read, args=(process.stderr,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line)

    def pids(self, name: str) -> list[int]:
        return [int(m.group(1)) for line in self.lines if (m := re.search(rf"started {name} \(pid (\d+)\)", line))]

    def wait(self, predicate, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        raise AssertionError("timed out; output:\n" + "".join(self.lines))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is dead
        return stat.read().split(")")[-1].split()[0] != "Z"


def start(*args) -> tuple[subprocess.Popen, Lines]:
    process = subprocess.Popen([sys.executable, str(SUPERVISE), *args], stderr=subprocess.PIPE, text=True)
    return process, Lines(process)


def test_a_killed_worker_is_restarted_and_sigterm_stops_everything():
    process, out = start("--main", "web", SLEEPER, "--keep", "worker", SLEEPER, "--keep", "scheduler", SLEEPER)
    try:
        out.wait(lambda: out.pids("worker") and out.pids("scheduler") and out.pids("web"))
        [worker] = out.pids("worker")
        os.kill(worker, signal.SIGKILL)
        out.wait(lambda: len(out.pids("worker")) == 2)
        restarted = out.pids("worker")[1]
        assert restarted != worker and alive(restarted)
        assert any("worker exited with status -9" in line for line in out.lines)
        [scheduler] = out.pids("scheduler")
        os.kill(scheduler, signal.SIGKILL)
        out.wait(lambda: len(out.pids("scheduler")) == 2)
        children = [out.pids("web")[0], restarted, out.pids("scheduler")[1]]
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
        assert not [pid for pid in children if alive(pid)]
    finally:
        if process.poll() is None:
            process.kill()


def test_the_main_process_exiting_stops_the_others_with_its_status():
    process, out = start(
        "--main",
        "web",
        f"{sys.executable} -c 'import time; time.sleep(1); raise SystemExit(3)'",
        "--keep",
        "worker",
        SLEEPER,
    )
    try:
        assert process.wait(30) == 3
        assert not alive(out.pids("worker")[0])
    finally:
        if process.poll() is None:
            process.kill()
