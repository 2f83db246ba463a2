"""The progress reporters: phases, figures, how often a log line is written."""

import io
import logging
import time

import pytest

from registry.importers.progress import BarProgress, ImportProgress, LogProgress


def test_a_phase_counts_and_gives_rate_and_eta():
    phase = ImportProgress("x").phase("parsing", total=1000)
    phase.started -= 2  # two seconds ago
    phase.advance(400)
    assert 190 < phase.rate() < 210
    assert 2.8 < phase.eta() < 3.2  # 600 rows left at about 200 rows/s
    assert phase.describe().startswith("parsing: 400/1,000 rows (40%), 2") and "ETA 3 s" in phase.describe()
    phase.advance(700)
    phase.close()
    assert phase.total == 1100  # an estimate that was short ends at the true count


def test_log_lines_come_every_few_seconds_and_at_the_end_of_each_phase(caplog):
    caplog.set_level(logging.INFO, logger="registry.import")
    quiet = LogProgress("us-irs-bmf", every=3600)
    phase = quiet.phase("parsing", total=100)
    for _ in range(100):
        phase.advance(1)
    phase.close()
    assert [r.getMessage() for r in caplog.records] == [
        caplog.records[0].getMessage()
    ]  # only the closing line within the hour
    assert caplog.records[0].getMessage().startswith("import us-irs-bmf parsing: 100/100 rows (100%), ")
    assert " done in 0 s" in caplog.records[0].getMessage()

    caplog.clear()
    chatty = LogProgress("us-irs-bmf", every=0.01)
    phase = chatty.phase("writing", total=3)
    for _ in range(3):
        time.sleep(0.02)
        phase.advance(1)
    assert len(caplog.records) == 3 and "writing: 2/3 rows (66%)" in caplog.records[1].getMessage()
    assert "ETA" in caplog.records[1].getMessage()


def test_close_ends_what_a_failed_run_left_open(caplog):
    caplog.set_level(logging.INFO, logger="registry.import")
    progress = LogProgress("gb-ccni", every=3600)
    progress.phase("hashing", total=10, unit="bytes").close()  # ended (a phase may end short)
    progress.phase("parsing", total=10).advance(4)
    progress.close()
    progress.close()  # twice: nothing more
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0].startswith("import gb-ccni hashing: 0/10 bytes (0%)") and " done in " in messages[0]
    assert messages[1].startswith("import gb-ccni parsing: 4/10 rows (40%)") and " stopped after " in messages[1]
    assert len(messages) == 2


def test_a_bar_per_phase_on_a_stream():
    stream = io.StringIO()
    progress = BarProgress("au-acnc", stream=stream)
    phase = progress.phase("parsing", total=50)
    phase.advance(50)
    phase.close()
    assert "au-acnc parsing: 100%" in stream.getvalue() and "50/50" in stream.getvalue()


@pytest.mark.django_db
def test_the_row_estimate_counts_the_main_table_only_for_ccew(registries, import_files):
    from registry.importers import get_importer

    run, summary = import_files("gb-ccew", registries / "uk-england-wales" / "ccew_publicextract_txt")
    assert get_importer("gb-ccew").estimate_rows(run.files) == 572  # the charity table's rows (not its 12 sides)
    run, summary = import_files("us-irs-bmf", registries / "us" / "irs_eo_bmf")
    assert get_importer("us-irs-bmf").estimate_rows(run.files) == summary.read == 3240
