"""The pipeline's promises: atomic runs, idempotent re-imports, snapshots that remove but never delete."""

import io
import json
import shutil
import zipfile

import pytest
from django.core.management import CommandError, call_command

from core.errors import ImportFailed, InvalidInput
from registry.importers.pipeline import registry_import
from registry.models import ImportRun, Organisation

BMF = "us/irs_eo_bmf"


def _snapshot():
    return list(Organisation.objects.order_by("org_id").values_list("org_id", "name", "status", "updated_at"))


@pytest.mark.django_db
def test_crash_midway_leaves_earlier_data_intact(registries, import_files, monkeypatch):
    import_files("us-irs-bmf", registries / BMF / "eo_ak.csv")
    before = _snapshot()
    from registry.importers import pipeline
    from registry.importers.us_irs_bmf import BmfImporter

    parse, calls = BmfImporter.parse, []
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 500)  # the sample's 3,240 rows make several batches

    def crash_after_some_batches(self, row):
        calls.append(row.line)
        if len(calls) > 2500:  # five batches parsed, the first two of them written
            raise RuntimeError("worker killed")
        return parse(self, row)

    monkeypatch.setattr(BmfImporter, "parse", crash_after_some_batches)
    monkeypatch.setattr(BmfImporter, "prepared_values", lambda *args: None)  # every row through parse()
    with pytest.raises(ImportFailed) as failure:
        registry_import(source="us-irs-bmf", paths=[str(registries / BMF)])
    assert "nothing was changed" in failure.value.message and "worker killed" in failure.value.message
    assert _snapshot() == before
    run = ImportRun.objects.latest("started_at")
    assert run.status == ImportRun.Status.FAILED and "worker killed" in run.error
    assert run.created == run.updated == 0


@pytest.mark.django_db
def test_corrupt_archive_fails_cleanly(registries, import_files, tmp_path):
    import_files("us-irs-bmf", registries / BMF / "eo_ak.csv")
    before = _snapshot()
    good = tmp_path / "eo_de.csv"
    shutil.copy(registries / BMF / "eo_de.csv", good)
    broken = tmp_path / "eo_zz.zip"
    with zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("eo_zz.csv", (registries / BMF / "eo_ri.csv").read_bytes())
    data = bytearray(broken.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = b"\x00" * 64
    broken.write_bytes(bytes(data))
    with pytest.raises(ImportFailed, match="nothing was changed"):
        registry_import(source="us-irs-bmf", paths=[str(good), str(broken)])
    assert _snapshot() == before
    assert ImportRun.objects.latest("started_at").status == ImportRun.Status.FAILED


@pytest.mark.django_db
def test_snapshot_marks_absent_removed_and_never_deletes(registries, import_files, tmp_path):
    import_files("us-irs-bmf", registries / BMF / "eo_ak.csv")
    total = Organisation.objects.count()
    lines = (registries / BMF / "eo_ak.csv").read_bytes().split(b"\r\n")
    kept = tmp_path / "eo_ak.csv"
    kept.write_bytes(b"\r\n".join([*lines[:-11], b""]))  # the last 10 organisations vanish
    vanished = [line.split(b",")[0].decode() for line in lines[-11:-1]]

    _, partial = import_files("us-irs-bmf", kept)  # without --snapshot: only adds and updates
    assert partial.removed == 0
    _, summary = import_files("us-irs-bmf", kept, snapshot=True)
    assert summary.removed == 10 and summary.created == 0
    assert Organisation.objects.count() == total
    gone = Organisation.objects.get(org_id=f"US-EIN-{vanished[0]}")
    assert gone.status == "removed" and gone.removed_on and "no longer listed" in gone.removal_reason

    _, back = import_files("us-irs-bmf", registries / BMF / "eo_ak.csv", snapshot=True)
    assert back.updated == 10 and back.removed == 0
    assert Organisation.objects.get(org_id=f"US-EIN-{vanished[0]}").status == "active"


@pytest.mark.django_db
def test_duplicate_ids_in_one_run_keep_the_first_and_report_the_rest(registries, import_files, tmp_path):
    copy = tmp_path / "copy_of_ak.csv"
    shutil.copy(registries / BMF / "eo_ak.csv", copy)
    run, summary = import_files("us-irs-bmf", registries / BMF / "eo_ak.csv", copy)
    assert summary.created == summary.rejected
    first = run.rejected_rows.first()
    assert first.file.endswith("copy_of_ak.csv") and first.line == 2 and "duplicate id" in first.reason


@pytest.mark.django_db
def test_cp1252_file_is_decoded(import_files, tmp_path):
    header = ",".join(["EIN", "NAME", "CITY", "STATE", "SUBSECTION", "FOUNDATION", "REVENUE_AMT"])
    body = "012345678,CAFÉ DE LA PAIX SOCIETÉ,DOVER,DE,03,15,100\r\n"
    path = tmp_path / "eo_cp1252.csv"
    path.write_bytes((header + "\r\n" + body).encode("cp1252"))
    run, summary = import_files("us-irs-bmf", path)
    assert summary.created == 1
    assert Organisation.objects.get().name == "CAFÉ DE LA PAIX SOCIETÉ"
    assert run.files[0]["encoding"] == "cp1252"


@pytest.mark.django_db
def test_unknown_source_and_missing_file_are_clear_errors(tmp_path):
    with pytest.raises(InvalidInput, match="unknown source"):
        registry_import(source="xx-nowhere", paths=[str(tmp_path)])
    with pytest.raises(ImportFailed, match="no such file"):
        registry_import(source="us-irs-bmf", paths=[str(tmp_path / "missing.csv")])


@pytest.mark.django_db
def test_command_prints_summary_and_json_last_line(registries):
    out = io.StringIO()
    call_command("import_registry", "us-irs-bmf", str(registries / BMF / "eo_ak.csv"), "--json", stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert set(summary) == {"read", "created", "updated", "unchanged", "removed", "rejected", "seconds"}
    assert summary["created"] == summary["read"] > 0
    out = io.StringIO()
    call_command("import_registry", "us-irs-bmf", str(registries / BMF / "eo_ak.csv"), stdout=out)
    assert "unchanged" in out.getvalue()
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_registry", "us-irs-bmf", "/nonexistent/file.csv")


@pytest.mark.django_db
def test_worker_processes_give_the_same_result_as_in_process(registries, import_files, settings):
    fields = ("org_id", "name", "status", "categories", "income_minor", "raw_codes", "search_name", "content_hash")
    files = [registries / BMF / "eo_de.csv", registries / BMF / "eo_ri.csv"]  # batches spanning two files' headers
    _, inline = import_files("us-irs-bmf", *files)
    inline_rows = list(Organisation.objects.order_by("org_id").values_list(*fields))
    Organisation.objects.all().delete()
    settings.IMPORT_WORKERS, settings.IMPORT_PARALLEL_MIN_BYTES = 1, 0
    _, parallel = import_files("us-irs-bmf", *files)
    assert (parallel.created, parallel.rejected) == (inline.created, inline.rejected)
    assert list(Organisation.objects.order_by("org_id").values_list(*fields)) == inline_rows


@pytest.mark.django_db
def test_an_unusable_first_row_gives_way_to_the_next_row_with_the_same_id(import_files, tmp_path):
    header = "EIN,NAME,CITY,STATE,SUBSECTION,FOUNDATION,TAX_PERIOD"
    rows = [
        "012345678,,DOVER,DE,03,15,201912",  # no name: unusable
        "012345678,SECOND TAKE FUND,DOVER,DE,03,15,201912",
        "012345678,THIRD TAKE FUND,DOVER,DE,03,15,201912",
    ]
    path = tmp_path / "eo_dup.csv"
    path.write_text("\r\n".join([header, *rows]) + "\r\n")
    run, summary = import_files("us-irs-bmf", path)
    assert (summary.created, summary.rejected) == (1, 2)
    assert Organisation.objects.get().name == "SECOND TAKE FUND"
    reasons = {r.line: r.reason for r in run.rejected_rows.all()}
    assert "NAME is empty" in reasons[2] and "duplicate id" in reasons[4] and "line 3" in reasons[4]
