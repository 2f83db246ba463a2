from datetime import date
from pathlib import Path

import pytest

from core.errors import ImportFailed
from registry.models import ImportRun, Organisation
from tests.conftest import CRAFTED

FIXTURES = CRAFTED
CURRENT = FIXTURES / "oscr_current_register.csv"


def _removed_file(registries: Path) -> Path:
    return registries / "uk-scotland" / "CharityExport-Removed-06-Jul-2020.slice.csv"


@pytest.mark.django_db
def test_oscr_removed_export_imports_every_row_as_removed(registries, import_files):
    run, summary = import_files("gb-oscr", _removed_file(registries))
    assert (summary.read, summary.created, summary.rejected) == (1761, 1761, 0)
    charities = Organisation.objects.filter(source__slug="gb-oscr")
    assert charities.filter(status="removed").count() == 1761
    assert sum("religious" in o.categories for o in charities) == 151
    assert all("public_charity" in o.categories for o in charities)

    first = Organisation.objects.get(org_id="GB-SC-SC000002")
    assert first.registry_number == "SC000002"  # prefix and zeros kept
    assert first.name == "Miss Athene L W Munkman Trust"
    assert (first.registered_on, first.removed_on) == (date(1984, 10, 19), date(2012, 6, 2))
    assert first.income_minor == 0 and first.income_period_end == date(2008, 4, 5)
    assert first.raw_codes["gb-oscr"]["purposes"] == [
        "The advancement of education",
        "Any other purpose that may reasonably be regarded as analogous to any of the preceding purposes",
    ]
    assert first.categories == ["public_charity"]  # education is only a raw signal

    church = Organisation.objects.get(org_id="GB-SC-SC000023")
    assert church.categories == ["public_charity", "religious"]
    assert church.income_minor is None and church.income_currency == ""

    ballogie = Organisation.objects.get(org_id="GB-SC-SC000114")
    assert ballogie.other_names == [{"kind": "known_as", "name": "Ballogie Hall Community Association"}]
    assert ballogie.removal_reason.startswith("Ballogie Hall Committee (SC000114) has now wound up")
    assert not ballogie.removal_reason.endswith(" ")
    assert ballogie.income_minor == 33_500 and ballogie.income_period_end == date(2018, 10, 31)

    endowment = Organisation.objects.get(org_id="GB-SC-SC000752")
    assert endowment.raw_codes["gb-oscr"]["constitutional_form"] == "Educational endowment"
    assert "school" not in endowment.categories

    assert Organisation.objects.get(org_id="GB-SC-SC038220").name == "Nerses Gulbenkian £5000 Trust"
    assert run.files[0]["encoding"] == "utf-8"


@pytest.mark.django_db
def test_oscr_current_register_fixture_with_hostile_rows(import_files):
    run, summary = import_files("gb-oscr", CURRENT)
    assert (summary.read, summary.created, summary.rejected) == (14, 8, 6)
    reasons = {r.line: r.reason for r in run.rejected_rows.all()}
    assert reasons == {
        6: "Charity Number '12345' is not SC and six digits",
        7: "wrong number of fields (3)",
        8: "unreadable date '31/02/2019 00:00'",
        11: "duplicate id GB-SC-SC099101 (first seen on line 2); first kept",  # after a two-line record
        13: "unreadable amount '12,5x'",
        15: "Charity Name is empty",
    }
    assert all(r.file.endswith("oscr_current_register.csv") for r in run.rejected_rows.all())

    trust = Organisation.objects.get(org_id="GB-SC-SC099101")
    assert trust.status == "active" and trust.status_detail == "Active"
    assert trust.name == "Abbeyhill Community Trust"  # the first of the duplicates
    assert trust.other_names == [{"kind": "known_as", "name": "Abbeyhill CT"}]
    assert trust.income_minor == 1_234_500 and trust.income_period_end == date(2019, 3, 31)
    assert trust.website == "abbeyhill-trust.org.uk"
    assert (trust.street, trust.city, trust.postcode) == ("1 Abbey Street", "Edinburgh", "EH7 5AA")

    kirk = Organisation.objects.get(org_id="GB-SC-SC099102")
    assert kirk.categories == ["public_charity", "religious"]  # designated religious body
    assert kirk.raw_codes["gb-oscr"]["designated_religious_body"] is True
    assert Organisation.objects.get(org_id="GB-SC-SC099108").categories == ["public_charity", "religious"]
    assert Organisation.objects.get(org_id="GB-SC-SC099103").categories == ["public_charity"]

    gaelic = Organisation.objects.get(org_id="GB-SC-SC099104")
    assert gaelic.name == "Comann Fàilte Gàidhlig"
    assert gaelic.income_minor == -150_000
    assert gaelic.website == "" and gaelic.postcode == "IV51 9AA"  # 'N/A' and the XX0 0XX placeholder dropped

    insolvent = Organisation.objects.get(org_id="GB-SC-SC099109")
    assert insolvent.name == "Hope Trust"
    assert insolvent.status_detail == "Active; subject to insolvency proceedings"
    assert Organisation.objects.get(org_id="GB-SC-SC099111").raw_codes["gb-oscr"]["regulatory_type"] == "Cross Border"
    spaced = Organisation.objects.get(org_id="GB-SC-SC099113")
    assert spaced.registry_number == "SC099113" and spaced.registered_on is None  # 01/01/1970 placeholder


@pytest.mark.django_db
def test_oscr_current_and_removed_files_in_one_run(registries, import_files):
    _, summary = import_files("gb-oscr", CURRENT, _removed_file(registries))
    assert (summary.created, summary.rejected) == (1761 + 8, 6)
    assert Organisation.objects.filter(source__slug="gb-oscr", status="active").count() == 8


@pytest.mark.django_db
def test_oscr_reimport_is_unchanged(registries, import_files):
    import_files("gb-oscr", CURRENT, _removed_file(registries))
    before = {o.org_id: o.updated_at for o in Organisation.objects.all()}
    _, summary = import_files("gb-oscr", CURRENT, _removed_file(registries))
    assert (summary.unchanged, summary.created, summary.updated) == (1769, 0, 0)
    assert {o.org_id: o.updated_at for o in Organisation.objects.all()} == before


@pytest.mark.django_db
def test_oscr_snapshot_marks_charities_missing_from_the_register_removed(import_files, tmp_path):
    import_files("gb-oscr", CURRENT)
    lines = CURRENT.read_bytes().split(b"\r\n")
    smaller = tmp_path / "CharityExport-07-Jul-2020.csv"
    smaller.write_bytes(b"\r\n".join(line for line in lines if not line.startswith(b'"SC099103"')))
    _, summary = import_files("gb-oscr", smaller, snapshot=True)
    assert (summary.created, summary.unchanged, summary.removed) == (0, 7, 1)
    gone = Organisation.objects.get(org_id="GB-SC-SC099103")
    assert gone.status == "removed" and gone.removed_on == date.today()
    assert gone.removal_reason.startswith("no longer listed by Scottish Charity Regulator")


@pytest.mark.django_db
def test_oscr_wrong_file_fails_before_writing(import_files, registries):
    ni = registries / "uk-ni" / "ccni_charitydetails_2024_head.csv"
    with pytest.raises(ImportFailed, match="missing column"):
        import_files("gb-oscr", CURRENT, ni)
    assert not Organisation.objects.exists()
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED
