import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest

from core.errors import ImportFailed
from registry.models import ImportRun, Organisation, Source
from tests.conftest import CRAFTED

FIXTURES = CRAFTED


def hostile_extract(folder: Path) -> Path:
    """The hand-made hostile tables under the official file names (kept under other names in the repository so
    that they are never mistaken for, or replaced by, the real register)."""
    folder.mkdir(parents=True, exist_ok=True)
    for table in (FIXTURES / "ccew_hostile").glob("hostile.*.txt"):
        shutil.copy(table, folder / table.name.replace("hostile.", "publicextract.", 1))
    return folder


def _sample(registries: Path) -> Path:
    return registries / "uk-england-wales" / "ccew_publicextract_txt"


def _copy(registries: Path, target: Path) -> Path:
    shutil.copytree(_sample(registries), target)
    return target


def _drop_lines(path: Path, keep) -> None:
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join(line for line in lines if keep(line.split(b"\t"))))


@pytest.mark.django_db
def test_ccew_sample_imports_main_charities_with_joined_tables(registries, import_files):
    run, summary = import_files("gb-ccew", _sample(registries))
    # 572 charity rows, of which 200 are main charities (linked_charity_number 0); linked ones are folded.
    assert (summary.read, summary.created, summary.rejected) == (200, 200, 0)
    charities = Organisation.objects.filter(source__slug="gb-ccew")
    assert charities.filter(status="active").count() == 122
    assert charities.filter(status="removed").count() == 78
    assert sum("religious" in o.categories for o in charities) == 31
    assert sum("school" in o.categories for o in charities) == 14
    assert sum("health" in o.categories for o in charities) == 9
    assert all("public_charity" in o.categories for o in charities)
    # A linked charity's own name is not an organisation.
    assert not Organisation.objects.filter(name="Amy haven Crime and Justice Charity").exists()

    cqc = Organisation.objects.get(org_id="GB-CHC-219260")
    assert cqc.registry_number == "219260" and cqc.country == "GB"
    assert cqc.name == "Terence burgh Religion Institute"
    assert cqc.status == "active" and cqc.status_detail == "Registered; Submission Received"
    assert cqc.categories == ["public_charity", "health"]
    assert cqc.raw_codes["gb-ccew"]["what"] == ["104", "105", "107", "112", "113"]
    assert cqc.raw_codes["gb-ccew"]["other_regulators"] == ["Care Quality Commission", "Homes England"]
    assert cqc.income_minor == 3_664_000_000 and cqc.income_currency == "GBP"
    assert (cqc.income_period_start, cqc.income_period_end) == (date(2021, 1, 1), date(2021, 12, 31))
    assert [n["kind"] for n in cqc.other_names] == ["known_as"] * 3
    assert {"kind": "known_as", "name": "Carol burgh Animal Welfare Foundation"} in cqc.other_names
    assert cqc.website == "example.com" and cqc.email_domain == "example.com"
    assert (cqc.street, cqc.city, cqc.postcode) == ("340 Vincent pike", "Marianmouth", "W44 8PE")

    previous = Organisation.objects.get(org_id="GB-CHC-220600")
    assert {n["kind"] for n in previous.other_names} == {"previous"}

    # Ofsted makes a school; What code 102 (education) alone does not.
    school = Organisation.objects.get(org_id="GB-CHC-1161864")
    assert school.categories == ["public_charity", "school"]
    assert "102" in Organisation.objects.get(org_id="GB-CHC-207237").raw_codes["gb-ccew"]["what"]
    assert Organisation.objects.get(org_id="GB-CHC-207237").categories == ["public_charity"]
    assert Organisation.objects.get(org_id="GB-CHC-1142794").categories == ["public_charity", "religious", "school"]

    removed = Organisation.objects.get(org_id="GB-CHC-203460")
    assert removed.status == "removed" and removed.removed_on == date(2018, 11, 6)
    assert removed.removal_reason == "Ceased to exist"
    assert removed.income_minor == 29_700
    # Removed in 2010, re-registered in 2012: the old removal does not apply.
    reregistered = Organisation.objects.get(org_id="GB-CHC-1119419")
    assert reregistered.status == "active" and reregistered.removal_reason == ""
    assert reregistered.registered_on == date(2012, 10, 30)
    no_income = Organisation.objects.get(org_id="GB-CHC-525394")
    assert no_income.income_minor is None and no_income.income_period_end is None

    assert run.status == ImportRun.Status.SUCCEEDED
    # Only the five tables a record uses are read (and hashed) from a folder.
    assert sorted(Path(f["path"]).name for f in run.files) == [
        "publicextract.charity.txt",
        "publicextract.charity_classification.txt",
        "publicextract.charity_event_history.txt",
        "publicextract.charity_other_names.txt",
        "publicextract.charity_other_regulators.txt",
    ]
    source = Source.objects.get(slug="gb-ccew")
    assert source.licence == "Open Government Licence v3.0" and source.download_url.startswith("https://")


@pytest.mark.django_db
def test_ccew_official_zip_files_read_like_the_folder(registries, import_files, tmp_path):
    zips = tmp_path / "zips"
    zips.mkdir()
    for txt in sorted(_sample(registries).glob("publicextract.*.txt")):
        with zipfile.ZipFile(zips / txt.with_suffix(".zip").name, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(txt, txt.name)
    run, summary = import_files("gb-ccew", zips)
    assert (summary.read, summary.created, summary.rejected) == (200, 200, 0)
    assert any(f["path"].endswith("publicextract.charity.zip:publicextract.charity.txt") for f in run.files)
    assert len(run.files) == 5
    assert Organisation.objects.get(org_id="GB-CHC-203460").removal_reason == "Ceased to exist"
    # The same rows from the TXT folder hash the same: nothing to rewrite.
    _, again = import_files("gb-ccew", _sample(registries))
    assert (again.unchanged, again.created, again.updated) == (200, 0, 0)


@pytest.mark.django_db
def test_ccew_reimport_is_unchanged_even_with_a_new_extract_date(registries, import_files, tmp_path):
    import_files("gb-ccew", _sample(registries))
    before = {o.org_id: o.updated_at for o in Organisation.objects.all()}
    folder = _copy(registries, tmp_path / "next-day")
    for path in folder.glob("*.txt"):
        path.write_bytes(path.read_bytes().replace(b"2023-09-07 00:00:00.0000000\t", b"2023-09-08 00:00:00.0000000\t"))
    _, summary = import_files("gb-ccew", folder)
    assert (summary.unchanged, summary.created, summary.updated, summary.removed) == (200, 0, 0, 0)
    assert {o.org_id: o.updated_at for o in Organisation.objects.all()} == before


@pytest.mark.django_db
def test_ccew_change_in_a_side_table_rewrites_that_charity(registries, import_files, tmp_path):
    import_files("gb-ccew", _sample(registries))
    folder = _copy(registries, tmp_path / "changed")
    _drop_lines(folder / "publicextract.charity_other_regulators.txt", lambda f: f[2:3] != [b"219260"])
    _, summary = import_files("gb-ccew", folder)
    assert (summary.updated, summary.unchanged) == (1, 199)
    assert Organisation.objects.get(org_id="GB-CHC-219260").categories == ["public_charity"]


@pytest.mark.django_db
def test_ccew_snapshot_marks_a_charity_missing_from_the_extract_removed(registries, import_files, tmp_path):
    import_files("gb-ccew", _sample(registries))
    folder = _copy(registries, tmp_path / "without-207237")
    _drop_lines(folder / "publicextract.charity.txt", lambda f: f[2:4] != [b"207237", b"0"])
    _, summary = import_files("gb-ccew", folder, snapshot=True)
    assert (summary.read, summary.unchanged, summary.removed) == (199, 199, 1)
    gone = Organisation.objects.get(org_id="GB-CHC-207237")
    assert gone.status == "removed" and gone.removed_on == date.today()
    assert gone.removal_reason.startswith("no longer listed by Charity Commission for England and Wales")
    # Already removed charities are not touched by the snapshot.
    assert Organisation.objects.get(org_id="GB-CHC-203460").removal_reason == "Ceased to exist"


@pytest.mark.django_db
def test_ccew_malformed_rows_are_rejected_with_file_and_line(import_files, tmp_path):
    run, summary = import_files("gb-ccew", hostile_extract(tmp_path / "ccew_hostile"))
    assert (summary.read, summary.created, summary.rejected) == (14, 3, 11)
    reasons = {(Path(r.file).name.split(".")[1], r.line): r.reason for r in run.rejected_rows.all()}
    assert reasons[("charity_other_names", 6)].startswith("wrong number of fields")
    assert "registered_charity_number 'N/A'" in reasons[("charity_other_names", 7)]
    assert "charity_event_order 'x'" in reasons[("charity_event_history", 6)]
    assert reasons[("charity", 4)].startswith("wrong number of fields")
    assert "'12AB' is not a number" in reasons[("charity", 5)]
    assert reasons[("charity", 6)] == "unreadable date '2023-13-45'"
    assert "linked_charity_number 'x'" in reasons[("charity", 7)]
    assert "'Suspended'" in reasons[("charity", 8)]
    assert reasons[("charity", 9)].startswith("duplicate id GB-CHC-1000001")
    # Line 10-11 is one record (an escaped line break), so the next rows keep their physical line numbers.
    assert "out of range" in reasons[("charity", 12)]
    assert reasons[("charity", 13)] == "contains a NUL character"

    hope = Organisation.objects.get(org_id="GB-CHC-1000001")
    assert hope.name == "Hope House Trust"  # BOM skipped, escaped tab read as a tab and spaces folded
    assert hope.other_names == [
        {"kind": "known_as", "name": "HH Leeds"},
        {"kind": "known_as", "name": "Hope House"},
        {"kind": "previous", "name": "Leeds Hope Trust"},
    ]
    assert hope.categories == ["public_charity", "religious", "school"]
    assert hope.status_detail == "Registered; Submission Received; insolvent"
    assert (hope.website, hope.email_domain, hope.postcode) == ("hope-house.org.uk", "hope-house.org.uk", "LS1 1AA")
    gone = Organisation.objects.get(org_id="GB-CHC-1000002")
    assert gone.status == "removed" and gone.removed_on == date(2020, 5, 6)
    assert gone.removal_reason == "Ceased to exist"  # the latest of two removal events
    assert gone.income_minor == -150_000
    assert gone.categories == ["public_charity"]  # education (102) alone is not a school
    blank = Organisation.objects.get(org_id="GB-CHC-1000008")
    assert blank.income_minor is None and blank.income_currency == ""
    assert blank.categories == ["public_charity", "higher_education"]  # Office for Students


@pytest.mark.django_db
def test_ccew_without_the_charity_table_fails_and_changes_nothing(registries, import_files):
    with pytest.raises(ImportFailed, match="charity table"):
        import_files("gb-ccew", _sample(registries) / "publicextract.charity_other_names.txt")
    assert not Organisation.objects.exists()
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED


@pytest.mark.django_db
def test_ccew_side_table_in_another_layout_fails_the_run(import_files, tmp_path):
    folder = tmp_path / "renamed"
    hostile_extract(folder)
    names = folder / "publicextract.charity_other_names.txt"
    names.write_bytes(names.read_bytes().replace(b"charity_name_type", b"name_type", 1))
    with pytest.raises(ImportFailed, match=r"missing column.*charity_name_type"):
        import_files("gb-ccew", folder)
    assert not Organisation.objects.exists()
