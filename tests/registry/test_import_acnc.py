import csv
import datetime

import pytest

from registry.models import ImportRun, Organisation


@pytest.fixture
def acnc(registries):
    return registries / "australia" / "acnc_datadotgov_main.slice.csv"


def _org(abn: str) -> Organisation:
    return Organisation.objects.get(org_id=f"AU-ABN-{abn}")


@pytest.mark.django_db
def test_acnc_slice_imports_registered_charities(acnc, import_files):
    run, summary = import_files("au-acnc", acnc)
    assert (summary.read, summary.created, summary.rejected) == (78, 71, 7)
    assert run.status == ImportRun.Status.SUCCEEDED
    assert Organisation.objects.filter(country="AU", status="active").count() == 71
    assert not Organisation.objects.exclude(income_minor=None).exists()  # no income in this file

    kooringal = _org("55374997148")
    assert kooringal.registry_number == "55374997148"
    assert kooringal.name == "Kooringal High School P & C"
    assert kooringal.status == "active" and kooringal.status_detail == "registered charity"
    assert kooringal.registered_on == datetime.date(2012, 12, 3)
    assert kooringal.website == "https://kooringal-h.schools.nsw.gov.au"
    assert kooringal.categories == ["public_charity"]  # a parents' association, not the school
    facts = kooringal.raw_codes["au-acnc"]
    assert facts["charity_size"] == "Small" and facts["purposes"] == ["Advancing_Education"]
    assert facts["beneficiaries"] == ["Children", "Youth"]
    assert facts["established"] == "1972-01-01" and facts["financial_year_end"] == "31-Dec"
    assert facts["pbi"] is False and facts["hpc"] is False

    cabra = _org("55403574164")
    assert cabra.categories == ["public_charity", "school"]
    assert (cabra.street, cabra.city, cabra.region, cabra.postcode) == (
        "225 CROSS ROAD",
        "CUMBERLAND PARK",
        "SA",
        "5041",
    )
    assert cabra.raw_codes["au-acnc"]["operates_in"] == ["SA"]
    assert _org("46253211955").categories == ["public_charity", "higher_education"]  # James Cook University
    assert _org("49686205639").categories == ["public_charity", "school"]  # Upper Macleay Pre-School
    assert _org("46081240904").categories == ["public_charity"]  # The Scots Pgc College Foundation
    assert _org("49791479741").categories == ["public_charity"]  # University Of The Third Age: not a university
    assert _org("46146239073").categories == ["public_charity", "religious"]  # Anglican parish
    # Advocacy for a change in law is a charitable purpose in Australia: kept raw, not political.
    realliance = _org("46159949149")
    assert realliance.categories == ["public_charity"]
    assert "Promote_or_oppose_a_change_to_law__government_poll_or_prac" in realliance.raw_codes["au-acnc"]["purposes"]
    hartwig = _org("56618536726")  # health promotion charity, not a hospital
    assert hartwig.categories == ["public_charity"] and hartwig.raw_codes["au-acnc"]["hpc"] is True

    careflight = _org("50151540886")
    assert careflight.other_names == [{"kind": "known_as", "name": "Careflight"}]
    assert careflight.status_detail == "registered charity (public benevolent institution)"
    assert careflight.raw_codes["au-acnc"]["pbi"] is True
    # The legal name again, and "Previously known as ABN …", are not other names.
    assert _org("46352295826").other_names == []
    assert _org("49918241771").other_names == []
    assert _org("55639731155").other_names == [{"kind": "known_as", "name": "Islandpointe Church"}]

    reasons = {r.line: r.reason for r in run.rejected_rows.all()}
    assert set(reasons) == set(range(2, 9))
    assert reasons[2] == "ABN is empty (withheld record)"
    assert reasons[4] == "ABN is empty (withheld record, named '431228-D7J7F3')"
    assert reasons[7] == "ABN is empty (withheld record, named 'PAF1599495-L6F5C5')"


@pytest.mark.django_db
def test_acnc_reimport_changes_nothing(acnc, import_files):
    import_files("au-acnc", acnc)
    before = {o.org_id: o.updated_at for o in Organisation.objects.all()}
    _, summary = import_files("au-acnc", acnc)
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (0, 0, 71, 7)
    assert {o.org_id: o.updated_at for o in Organisation.objects.all()} == before


@pytest.mark.django_db
def test_acnc_older_vintage_by_header_name_and_bad_abns(tmp_path, import_files):
    # An older layout: CABN first, columns in another order, fewer flags.
    header = [
        "CABN",
        "Charity_Legal_Name",
        "ABN",
        "Registration_Date",
        "Town_City",
        "State",
        "Postcode",
        "Other_Organisation_Names",
        "Advancing_Health",
        "Advancing_Religion",
        "Charity_Size",
        "Youth",
    ]
    rows = [
        [
            "",
            "Darwin Private Hospital Ltd",
            "51 824 753 556",
            "2012-12-03",
            "Tiwi",
            "NT",
            "0810",
            'Previously known as "Darwin Hospital", DPH',
            "Y",
            "",
            "Large",
            "",
        ],
        [
            "",
            "Friends of the Royal Hobart Hospital Inc",
            "53 004 085 616",
            "03/12/2012",
            "Hobart",
            "TAS",
            "7000",
            "",
            "Y",
            "",
            "Small",
            "Y",
        ],
        ["", "Bad Checksum Inc", "51824753557", "03/12/2012", "", "", "", "", "", "", "", ""],
        ["", "Too Short Inc", "5182475", "03/12/2012", "", "", "", "", "", "", "", ""],
        ["", "", "33 051 775 556", "03/12/2012", "", "", "", "", "", "", "", ""],
        ["", "Bad Date Inc", "83 914 571 673", "31/02/2012", "", "", "", "", "", "", "", ""],
    ]
    path = tmp_path / "datadotgov_main.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    run, summary = import_files("au-acnc", path)
    assert (summary.created, summary.rejected) == (2, 4)

    hospital = _org("51824753556")  # spaces in the ABN are dropped
    assert hospital.categories == ["public_charity", "health"]
    assert hospital.postcode == "0810"  # leading zero kept
    assert hospital.registered_on == datetime.date(2012, 12, 3)
    assert hospital.other_names == [
        {"kind": "previous", "name": "Darwin Hospital"},
        {"kind": "known_as", "name": "DPH"},
    ]
    friends = _org("53004085616")
    assert friends.categories == ["public_charity"]  # raises money for a hospital; is not one
    assert friends.raw_codes["au-acnc"]["beneficiaries"] == ["Youth"]

    reasons = {r.line: r.reason for r in run.rejected_rows.all()}
    assert "not a valid ABN" in reasons[4] and "checksum" in reasons[4]
    assert "not a valid ABN" in reasons[5]
    assert reasons[6] == "Charity_Legal_Name is empty (withheld record)"
    assert reasons[7] == "unreadable date '31/02/2012'"
