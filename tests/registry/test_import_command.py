"""import_registry as an operator runs it: in a terminal (a pseudo-terminal here), from cron, killed midway."""

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import termios
import time

import pytest

from registry.importers.liveness import import_runs_fail_stale, run_is_alive
from registry.importers.pipeline import registry_import
from registry.models import ImportRun, Organisation
from tests.conftest import ROOT
from tests.registry.command_process import big_bmf_file, command_env, descendants, import_command, running

BMF = "us/irs_eo_bmf"
SAMPLE_ROWS = 3240  # the four BMF slices (tests/data/PROVENANCE.md)


def run_in_terminal(args: list[str], env: dict, timeout: float = 180) -> tuple[int, str]:
    """Run a command with stdin, stdout and stderr on a pseudo-terminal of 110 x 30; returns (exit code, screen)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 110, 0, 0))
    process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, start_new_session=True)
    os.close(slave)
    output, deadline = b"", time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the terminal's last writer has gone
                    break
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
        return process.wait(timeout=max(1, deadline - time.monotonic())), output.decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)


@pytest.mark.django_db(transaction=True)
def test_in_a_terminal_every_phase_shows_a_bar_with_rows_rate_and_eta(registries):
    code, screen = run_in_terminal(import_command("us-irs-bmf", str(registries / BMF), "--snapshot"), command_env())
    assert code == 0, screen
    assert "TypeError" not in screen and "Traceback" not in screen
    lines = re.split(r"[\r\n]+", screen)
    for phase in ("hashing", "parsing", "writing", "snapshot", "indexing"):
        assert any(line.startswith(f"us-irs-bmf {phase}:") for line in lines), (phase, screen)
    # tqdm's figures: done/total, the rate, and elapsed<remaining (the ETA).
    for phase in ("parsing", "writing"):
        final = [line for line in lines if line.startswith(f"us-irs-bmf {phase}: 100%")]
        assert final, (phase, screen)
        assert re.search(rf"\| {SAMPLE_ROWS}/{SAMPLE_ROWS} \[\d\d:\d\d<\d\d:\d\d, +[\d.]+ rows/s\]", final[-1]), final
    assert f"read {SAMPLE_ROWS}, created {SAMPLE_ROWS}" in screen
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.SUCCEEDED and run.created == SAMPLE_ROWS
    assert Organisation.objects.filter(country="US").count() == SAMPLE_ROWS


@pytest.mark.django_db(transaction=True)
def test_without_a_terminal_progress_goes_to_log_lines_and_json_keeps_its_one_line(registries):
    done = subprocess.run(
        import_command("us-irs-bmf", str(registries / BMF), "--json", "--progress-every", "0"),
        env=command_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)  # stdout holds the summary line and nothing else
    assert summary["created"] == SAMPLE_ROWS
    log = done.stderr
    assert re.search(
        rf"import us-irs-bmf parsing: {SAMPLE_ROWS:,}/{SAMPLE_ROWS:,} rows \(100%\), [\d,]+ rows/s "
        r"done in \d+ s",
        log,
    ), log
    assert re.search(
        rf"import us-irs-bmf writing: [\d,]+/{SAMPLE_ROWS:,} rows \(\d+%\), [\d,]+ rows/s, ETA \d+ s", log
    ), log
    for phase in ("hashing", "writing", "indexing"):
        assert f"import us-irs-bmf {phase}:" in log


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_leaves_no_process_and_the_next_run_marks_it_failed(registries, tmp_path):
    big = big_bmf_file(registries / BMF, tmp_path / "eo_big.csv", copies=40)  # 129,560 rows
    # One transaction (IMPORT_COMMIT_ROWS=0): batched SQLite runs take a 15-minute lease the kill would leave held.
    env = command_env(IMPORT_WORKERS="2", IMPORT_PARALLEL_MIN_BYTES="0", IMPORT_COMMIT_ROWS="0")
    family: set[int] = set()
    process = subprocess.Popen(
        import_command("us-irs-bmf", str(big), "--progress-every", "0.2"),
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        # Wait until rows are being written, with the parsing workers up.
        seen = ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not re.search(r"writing: [1-9][\d,]*/", seen):
            ready, _, _ = select.select([process.stderr], [], [], 1)
            if ready:
                seen += process.stderr.readline()
            assert process.poll() is None, seen
        family = descendants(process.pid)
        assert len(family) >= 3, family  # the forkserver and two workers (and multiprocessing's resource tracker)
        run = ImportRun.objects.get(status=ImportRun.Status.RUNNING)
        assert run.pid == process.pid and run.host
        assert run_is_alive(run) is True and import_runs_fail_stale() == []  # a live run is left alone

        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(running(pid) for pid in family):
            time.sleep(0.2)
        assert not [pid for pid in family if running(pid)], "orphan processes outlived the killed import"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
        for pid in family:  # on failure, leave nothing running behind the test either
            if running(pid):
                os.kill(pid, signal.SIGKILL)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.RUNNING  # nobody could record its end: the next run does
    assert not Organisation.objects.exists()  # one transaction: nothing of the killed run was kept
    deadline = time.monotonic() + 15
    while run_is_alive(run) and time.monotonic() < deadline:  # PostgreSQL notices the closed connection
        time.sleep(0.2)
    registry_import(source="us-irs-bmf", paths=[str(registries / BMF / "eo_ak.csv")])
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and run.finished_at
    assert f"pid {process.pid} on {run.host}" in run.error and "killed or crashed" in run.error
    assert ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED).count() == 1
