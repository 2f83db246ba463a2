from datetime import date
from pathlib import Path

import pytest

from core.errors import ImportFailed
from registry.models import Organisation
from tests.conftest import CRAFTED

FIXTURES = CRAFTED


def _files(registries: Path) -> tuple[Path, Path]:
    folder = registries / "uk-ni"
    return folder / "ni-roc-2020-06-30.csv", folder / "ccni_charitydetails_2024_head.csv"


@pytest.mark.django_db
def test_ccni_2020_register_cp1252(registries, import_files):
    old, _ = _files(registries)
    run, summary = import_files("gb-ccni", old)
    # The slice of the 2020 register (tests/data/PROVENANCE.md): 476 of its 6,565 rows.
    assert (summary.read, summary.created, summary.rejected) == (476, 476, 0)
    assert run.files[0]["encoding"] == "cp1252"
    charities = Organisation.objects.filter(source__slug="gb-ccni")
    assert charities.filter(status="removed").count() == 26
    assert sum("religious" in o.categories for o in charities) == 116

    lifeline = Organisation.objects.get(org_id="GB-NIC-100002")
    assert lifeline.registry_number == "100002" and lifeline.name == "Cancer Lifeline"
    assert lifeline.status == "active" and lifeline.status_detail == "Up-to-date"
    assert lifeline.registered_on == date(2013, 12, 13)
    assert lifeline.income_minor == 34_677_000 and lifeline.income_currency == "GBP"
    assert lifeline.income_period_end == date(2019, 3, 31) and lifeline.income_period_start is None
    assert lifeline.categories == ["public_charity"]  # education and health purposes are raw signals only
    assert "The advancement of education" in lifeline.raw_codes["gb-ccni"]["what"]
    # An item with commas inside stays whole.
    assert (
        "The relief of those in need by reason of youth, age, ill-health, disability, financial hardship or "
        "other disadvantage"
    ) in lifeline.raw_codes["gb-ccni"]["what"]
    assert (lifeline.website, lifeline.email_domain) == ("cancerlifeline.info", "cancerlifeline.info")
    assert (lifeline.street, lifeline.city, lifeline.postcode) == (
        "Cancer Lifeline, 44 Alliance Avenue",
        "Belfast",
        "BT14 7PJ",
    )

    assert Organisation.objects.get(org_id="GB-NIC-100016").name == "Fírinne"  # 0xED in cp1252
    assert Organisation.objects.get(org_id="GB-NIC-101181").name.startswith("Endowment Of Gwyn\u2019S")  # 0x92
    negative = Organisation.objects.get(org_id="GB-NIC-100612")
    assert negative.name == "Garvagh Women's Network" and negative.income_minor == -28_000
    assert negative.region == "Co. Londonderry" and negative.postcode == "BT51 5AB"
    church = Organisation.objects.get(org_id="GB-NIC-100024")
    assert church.categories == ["public_charity", "religious"]
    removed = Organisation.objects.get(org_id="GB-NIC-100019")
    assert removed.status == "removed" and removed.status_detail == "Removed"
    assert removed.removed_on is None  # the export has no removal date


@pytest.mark.django_db
def test_ccni_2024_layout(registries, import_files):
    _, new = _files(registries)
    _, summary = import_files("gb-ccni", new)
    assert (summary.read, summary.created, summary.rejected) == (365, 365, 0)
    charities = Organisation.objects.filter(source__slug="gb-ccni")
    assert charities.filter(status="removed").count() == 36
    assert sum("religious" in o.categories for o in charities) == 91

    lifeline = Organisation.objects.get(org_id="GB-NIC-100002")
    assert lifeline.raw_codes["gb-ccni"]["layout"] == "2024"
    assert lifeline.status_detail == "Received: on time" and lifeline.status == "active"
    assert lifeline.income_minor == 46_215_400
    assert (lifeline.income_period_start, lifeline.income_period_end) == (date(2022, 4, 1), date(2023, 3, 31))
    assert lifeline.raw_codes["gb-ccni"]["governing_document"] == "Memorandum and Articles"
    overdue = Organisation.objects.get(org_id="GB-NIC-100003")
    assert overdue.status == "active" and overdue.status_detail == "Overdue: 64 days"
    brigade = Organisation.objects.get(org_id="GB-NIC-100013")
    assert brigade.status == "removed" and brigade.other_names == [{"kind": "known_as", "name": "BBNI"}]
    assert brigade.categories == ["public_charity", "religious"]
    assert Organisation.objects.get(org_id="GB-NIC-100016").other_names == []  # 'N/A' is no name
    gwyn = Organisation.objects.get(org_id="GB-NIC-101181")
    assert gwyn.name == "Endowment of Gwyn\u2019s Charitable Institution and Joseph Young\u2019s Charity"
    no_start = Organisation.objects.get(org_id="GB-NIC-100028")
    assert no_start.income_period_start is None and no_start.income_period_end == date(2024, 3, 31)


@pytest.mark.django_db
def test_ccni_newer_export_updates_the_older_one(registries, import_files):
    old, new = _files(registries)
    import_files("gb-ccni", old)
    assert Organisation.objects.get(org_id="GB-NIC-100013").status == "active"
    _, summary = import_files("gb-ccni", new)
    assert (summary.created, summary.updated) == (59, 306)
    assert Organisation.objects.get(org_id="GB-NIC-100013").status == "removed"
    assert Organisation.objects.count() == 476 + 59


@pytest.mark.django_db
def test_ccni_both_layouts_in_one_run_told_apart_by_header(registries, import_files):
    _, summary = import_files("gb-ccni", *_files(registries))
    # Files are read in the order given; the 306 charities in both are kept from the first file (2020).
    assert (summary.read, summary.created, summary.rejected) == (476 + 365, 476 + 59, 306)
    assert Organisation.objects.get(org_id="GB-NIC-100002").raw_codes["gb-ccni"]["layout"] == "2020"
    assert Organisation.objects.get(org_id="GB-NIC-109804").raw_codes["gb-ccni"]["layout"] == "2024"


@pytest.mark.django_db
def test_ccni_reimport_is_unchanged_and_snapshot_marks_removed(registries, import_files, tmp_path):
    old, _ = _files(registries)
    import_files("gb-ccni", old)
    before = {o.org_id: o.updated_at for o in Organisation.objects.all()}
    _, summary = import_files("gb-ccni", old)
    assert (summary.unchanged, summary.created, summary.updated) == (476, 0, 0)
    assert {o.org_id: o.updated_at for o in Organisation.objects.all()} == before

    smaller = tmp_path / "charitydetails.csv"
    smaller.write_bytes(
        b"".join(line for line in old.read_bytes().splitlines(keepends=True) if not line.startswith(b"100003,"))
    )
    _, summary = import_files("gb-ccni", smaller, snapshot=True)
    assert (summary.unchanged, summary.removed) == (475, 1)
    gone = Organisation.objects.get(org_id="GB-NIC-100003")
    assert gone.status == "removed" and gone.removed_on == date.today()
    assert gone.removal_reason.startswith("no longer listed by Charity Commission for Northern Ireland")


@pytest.mark.django_db
def test_ccni_malformed_rows_are_rejected_with_line_numbers(import_files):
    run, summary = import_files("gb-ccni", FIXTURES / "ccni_2020_hostile.csv")
    assert (summary.read, summary.created, summary.rejected) == (11, 4, 7)
    reasons = {r.line: r.reason for r in run.rejected_rows.all()}
    assert reasons[3].startswith("Sub charity number '1': a subsidiary")
    assert reasons[4] == "Reg charity number 'ABC' is not a number"
    assert reasons[5] == "wrong number of fields (4)"
    assert reasons[6] == "unreadable date '31/13/2019'"
    assert reasons[7] == "unreadable date '31 Marchember 2019'"
    assert reasons[11].startswith("duplicate id GB-NIC-190001")
    assert reasons[12] == "unreadable amount '\u00b2'"  # isdigit() is True for '²', int() refuses it

    trust = Organisation.objects.get(org_id="GB-NIC-190001")
    assert trust.name == "Eaglais Naomh Pádraig\u2019s Trust"
    assert trust.categories == ["public_charity", "religious"]
    assert (trust.city, trust.region, trust.postcode) == ("Newry", "Co Down", "BT34 1AA")
    assert Organisation.objects.get(org_id="GB-NIC-190007").status_detail == "In default"
    gone = Organisation.objects.get(org_id="GB-NIC-190008")
    assert gone.status == "removed" and gone.income_minor is None and gone.income_period_end is None
    assert (gone.street, gone.website) == ("", "")  # 'Charity No Longer Operates' and 'N/A' placeholders
    assert Organisation.objects.get(org_id="GB-NIC-190009").registry_number == "190009"  # 'NIC' prefix dropped


@pytest.mark.django_db
def test_ccni_file_without_its_columns_fails(registries, import_files):
    with pytest.raises(ImportFailed, match="Reg charity number"):
        import_files("gb-ccni", registries / "uk-scotland" / "CharityExport-Removed-06-Jul-2020.slice.csv")
    assert not Organisation.objects.exists()
