"""How an import tells a person how far it is: one small interface the pipeline (and the writer) call per phase.

    phase = reporter.phase("parsing", total=estimated_rows)   # a phase starts
    phase.advance(5000)                                        # some units done
    phase.close()                                              # the phase is over

Phases of a run, in order: hashing (bytes of the input, read once to fingerprint it), parsing (rows read and
parsed), writing (rows looked up and written), indexing (the search vocabulary), snapshot (marking what the
register no longer lists). Parsing and writing overlap: batches are written while the next ones are parsed.

Reporters: `ImportProgress` says nothing (the default, and tests); `BarProgress` draws a tqdm bar per phase with
rows, rate and ETA (a terminal); `LogProgress` writes the same figures as a log line every few seconds (cron, a
task, anything without a terminal).
"""

import logging
import os
import time
from typing import IO

logger = logging.getLogger("registry.import")


class Phase:
    """One phase of a run. Subclasses show it; this one only counts."""

    def __init__(self, name: str, total: int | None, unit: str):
        self.name, self.total, self.unit = name, total, unit
        self.done = 0
        self.started = time.monotonic()
        self.closed = False

    def advance(self, count: int = 1) -> None:
        self.done += count

    def set_total(self, total: int | None) -> None:
        self.total = total

    def close(self, stopped: bool = False) -> None:
        """The phase is over; stopped: cut short by a failure (the total stays what was expected)."""
        self.closed = True
        if not stopped and (self.total is None or self.done > self.total):
            self.total = self.done

    # The figures every reporter shows.
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def eta(self) -> float | None:
        rate = self.rate()
        if not self.total or not rate or self.done >= self.total:
            return None if not self.total or self.done < self.total else 0.0
        return (self.total - self.done) / rate

    def describe(self, finished: bool = False) -> str:
        unit = self.unit
        if self.total:
            share = min(100, self.done * 100 // self.total)
            head = f"{self.name}: {self.done:,}/{self.total:,} {unit} ({share}%)"
        else:
            head = f"{self.name}: {self.done:,} {unit}"
        eta = None if finished else self.eta()
        tail = f", ETA {_duration(eta)}" if eta is not None else ""
        return f"{head}, {self.rate():,.0f} {unit}/s{tail}"


class ImportProgress:
    """The interface, reporting nothing."""

    phase_class = Phase

    def __init__(self, label: str = ""):
        self.label = label
        self.phases: list[Phase] = []

    def phase(self, name: str, *, total: int | None = None, unit: str = "rows") -> Phase:
        phase = self._make(name, total, unit)
        self.phases.append(phase)
        return phase

    def _make(self, name: str, total: int | None, unit: str) -> Phase:
        return self.phase_class(name, total, unit)

    def close(self) -> None:
        """Close the phases a failed run left open."""
        for phase in self.phases:
            if not phase.closed:
                phase.close(stopped=True)


class _LogPhase(Phase):
    def __init__(self, name, total, unit, *, reporter: "LogProgress"):
        super().__init__(name, total, unit)
        self.reporter = reporter
        self.last = self.started

    def advance(self, count: int = 1) -> None:
        super().advance(count)
        now = time.monotonic()
        if now - self.last >= self.reporter.every:
            self.last = now
            self.reporter.emit(self)

    def close(self, stopped: bool = False) -> None:
        if not self.closed:
            super().close(stopped)
            self.reporter.emit(self, finished=True, stopped=stopped)


class LogProgress(ImportProgress):
    """A log line per phase every `every` seconds, and one when the phase ends."""

    def __init__(self, label: str = "", *, every: float = 5.0, log: logging.Logger = logger):
        super().__init__(label)
        self.every = every
        self.log = log

    def _make(self, name: str, total: int | None, unit: str) -> Phase:
        return _LogPhase(name, total, unit, reporter=self)

    def emit(self, phase: Phase, finished: bool = False, stopped: bool = False) -> None:
        took = _duration(time.monotonic() - phase.started)
        end = (f" stopped after {took}" if stopped else f" done in {took}") if finished else ""
        self.log.info("import %s %s%s", self.label, phase.describe(finished), end)


class _BarPhase(Phase):
    def __init__(self, name, total, unit, *, reporter: "BarProgress"):
        super().__init__(name, total, unit)
        from tqdm import tqdm

        # tqdm gives overlapping bars (parsing and writing) a line each.
        # A terminal that reports no size (some pseudo-terminals) would show nothing: 100 x 20 then.
        sized = _columns(reporter.stream) > 0
        self.bar = tqdm(
            total=total,
            desc=f"{reporter.label} {name}".strip(),
            unit=f" {unit}",
            unit_scale=unit == "bytes",
            unit_divisor=1024 if unit == "bytes" else 1000,
            file=reporter.stream,
            leave=True,
            dynamic_ncols=sized,
            ncols=None if sized else 100,
            nrows=None if sized else 20,
            mininterval=0.2,
        )

    def advance(self, count: int = 1) -> None:
        super().advance(count)
        self.bar.update(count)

    def set_total(self, total: int | None) -> None:
        super().set_total(total)
        self.bar.total = total
        self.bar.refresh()

    def close(self, stopped: bool = False) -> None:
        if not self.closed:
            super().close(stopped)
            self.bar.total = self.total
            self.bar.refresh()
            self.bar.close()


class BarProgress(ImportProgress):
    """A tqdm progress bar per phase (rows, rate, ETA), for a terminal. Overlapping phases get a line each."""

    def __init__(self, label: str = "", *, stream: IO[str]):
        super().__init__(label)
        self.stream = stream

    def _make(self, name: str, total: int | None, unit: str) -> Phase:
        return _BarPhase(name, total, unit, reporter=self)


def _columns(stream: IO[str]) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 0


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
