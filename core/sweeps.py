"""The shape every sweep command shares (send_outbox, send_webhooks): one pass for cron or the scheduler, or
`--loop` with a pause between passes, each pass's counts as one JSON line (`--json`) or a sentence when something
happened. The pass itself is the app's service; this file only runs it."""

import json
import time
from collections.abc import Callable


def sweep_arguments(parser, *, what: str) -> None:
    parser.add_argument("--loop", action="store_true", help=f"keep {what} until interrupted")
    parser.add_argument("--interval", type=float, default=15.0, help="seconds between passes with --loop")
    parser.add_argument("--json", action="store_true", help="print each pass's counts as one JSON line")


def sweep_run(
    *,
    sweep: Callable[[], dict],
    describe: Callable[[dict], str],
    busy: Callable[[dict], bool],
    write: Callable[[str], object],
    loop: bool,
    interval: float,
    as_json: bool,
) -> None:
    """Run `sweep()` once, or until interrupted with `loop`; print its counts (always for one pass or JSON,
    only when `busy(counts)` in a loop, so an idle loop stays quiet)."""
    while True:
        counts = sweep()
        if as_json:
            write(json.dumps(counts))
        elif busy(counts) or not loop:
            write(describe(counts))
        if not loop:
            return
        try:
            time.sleep(interval)
        except KeyboardInterrupt:
            return
