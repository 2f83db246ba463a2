import datetime

import pytest

from registry.importers.base import OrgRecord
from registry.importers.us_irs_revocations import REASON, RevocationsImporter
from registry.models import ImportRun, Organisation
from tests.conftest import CRAFTED

FIXTURE = CRAFTED / "revocations.txt"
REVOKED_IN_AK = ["US-EIN-010639455", "US-EIN-010704433", "US-EIN-454763274"]
REINSTATED_IN_AK = "US-EIN-810649085"


@pytest.fixture
def eo_ak(registries):
    return registries / "us" / "irs_eo_bmf" / "eo_ak.csv"


def _rejections(run: ImportRun) -> dict[int, str]:
    return {r.line: r.reason for r in run.rejected_rows.all()}


@pytest.mark.django_db
def test_revocations_alone_create_removed_organisations(import_files):
    run, summary = import_files("us-irs-revocations", FIXTURE)
    assert (summary.read, summary.created, summary.updated, summary.rejected) == (12, 7, 0, 5)
    assert run.status == ImportRun.Status.SUCCEEDED

    choir = Organisation.objects.get(org_id="US-EIN-012345678")
    assert choir.registry_number == "012345678"
    assert choir.status == "removed"
    assert choir.removed_on == datetime.date(2020, 5, 15)
    assert choir.removal_reason == REASON
    assert choir.status_detail == "exemption revoked on 2020-05-15"
    assert choir.other_names == [{"kind": "trading", "name": "AURORA SINGERS"}]
    assert "aurora singers" in choir.search_alt
    assert choir.categories == ["public_charity"]  # subsection 03
    assert (choir.city, choir.region, choir.postcode) == ("FAIRBANKS", "AK", "99701")
    assert choir.raw_codes == {
        "us-irs-revocations": {
            "revoked_on": "2020-05-15",
            "posted_on": "2020-07-13",
            "reinstated_on": None,
            "exemption_type": "03",
            "reason": REASON,
        }
    }
    assert choir.income_minor is None

    cemetery = Organisation.objects.get(org_id="US-EIN-860112233")
    assert cemetery.status == "active" and cemetery.removed_on is None and cemetery.removal_reason == ""
    assert cemetery.status_detail == "exemption reinstated on 2016-08-20"
    assert cemetery.categories == ["mutual"]  # subsection 13, cemetery company
    assert cemetery.raw_codes["us-irs-revocations"]["reinstated_on"] == "2016-08-20"

    maple = Organisation.objects.get(org_id="US-EIN-980001234")
    assert maple.country == "US" and maple.region == "ON" and maple.postcode == "M5X 1A9"
    assert maple.raw_codes["us-irs-revocations"]["country"] == "Canada"

    reasons = _rejections(run)
    assert set(reasons) == {8, 9, 11, 12, 13}  # line 10 is blank and skipped
    assert reasons[8] == "unreadable date '31-FOO-2019'"
    assert reasons[9] == "wrong number of fields (11)"
    assert "EIN '12-ABC'" in reasons[11]
    assert reasons[12] == "Revocation Date is empty"
    assert reasons[13] == "duplicate id US-EIN-010639455 (first seen on line 1); first kept"
    assert all(r.file == str(FIXTURE) for r in run.rejected_rows.all())


@pytest.mark.django_db
def test_revocations_remove_bmf_organisations_and_survive_bmf_reimports(eo_ak, tmp_path, import_files):
    _, bmf = import_files("us-irs-bmf", eo_ak)
    active_before = Organisation.objects.filter(status="active").count()
    assert active_before == bmf.created
    pavva_before = Organisation.objects.get(org_id=REVOKED_IN_AK[0])

    _, summary = import_files("us-irs-revocations", FIXTURE)
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (3, 4, 0, 5)
    for org_id in REVOKED_IN_AK:
        org = Organisation.objects.get(org_id=org_id)
        assert org.status == "removed", org_id
        assert org.removal_reason == REASON
        assert org.source.slug == "us-irs-bmf"  # still the register's organisation
    pavva = Organisation.objects.get(org_id=REVOKED_IN_AK[0])
    assert pavva.removed_on == datetime.date(2019, 5, 15)
    assert pavva.name == pavva_before.name and pavva.categories == pavva_before.categories
    assert pavva.raw_codes["us-irs-bmf"] == pavva_before.raw_codes["us-irs-bmf"]
    assert pavva.raw_codes["us-irs-revocations"]["revoked_on"] == "2019-05-15"
    reinstated = Organisation.objects.get(org_id=REINSTATED_IN_AK)
    assert reinstated.status == "active" and reinstated.removed_on is None
    assert reinstated.raw_codes["us-irs-revocations"]["reinstated_on"] == "2013-03-01"
    # Rows rejected for a bad date or field count leave their organisations alone.
    assert Organisation.objects.get(org_id="US-EIN-475158151").status == "active"
    assert Organisation.objects.get(org_id="US-EIN-010718551").status == "active"
    assert Organisation.objects.filter(status="active", source__slug="us-irs-bmf").count() == active_before - 3

    _, again = import_files("us-irs-revocations", FIXTURE)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 7, 5)

    _, bmf_again = import_files("us-irs-bmf", eo_ak)
    assert (bmf_again.updated, bmf_again.unchanged) == (0, bmf.created)
    assert all(Organisation.objects.get(org_id=o).status == "removed" for o in REVOKED_IN_AK)

    # A changed BMF row rewrites the record, and the revocation still stands (BmfImporter.reconcile).
    changed = tmp_path / "eo_ak.csv"
    text = eo_ak.read_text()
    line = next(row for row in text.splitlines() if row.startswith("010639455,"))
    changed.write_text(text.replace(line, line.replace("PAVVA INUPIAQ DANCERS", "PAVVA INUPIAQ DANCE GROUP")))
    _, rewrite = import_files("us-irs-bmf", changed)
    assert rewrite.updated == 1
    pavva = Organisation.objects.get(org_id=REVOKED_IN_AK[0])
    assert pavva.name == "PAVVA INUPIAQ DANCE GROUP"
    assert (pavva.status, pavva.removed_on, pavva.removal_reason) == ("removed", datetime.date(2019, 5, 15), REASON)
    assert Organisation.objects.get(org_id=REINSTATED_IN_AK).status == "active"


@pytest.mark.django_db
def test_revocation_first_then_bmf_keeps_the_organisation_removed(eo_ak, import_files):
    import_files("us-irs-revocations", FIXTURE)
    assert Organisation.objects.get(org_id=REVOKED_IN_AK[0]).source.slug == "us-irs-revocations"
    import_files("us-irs-bmf", eo_ak)
    pavva = Organisation.objects.get(org_id=REVOKED_IN_AK[0])
    assert pavva.source.slug == "us-irs-bmf" and pavva.name == "PAVVA INUPIAQ DANCERS"
    assert (pavva.status, pavva.removed_on) == ("removed", datetime.date(2019, 5, 15))
    assert Organisation.objects.get(org_id=REINSTATED_IN_AK).status == "active"
    _, again = import_files("us-irs-revocations", FIXTURE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)


@pytest.mark.django_db
def test_a_later_reinstatement_restores_the_organisation(eo_ak, tmp_path, import_files):
    import_files("us-irs-bmf", eo_ak)
    import_files("us-irs-revocations", FIXTURE)
    later = tmp_path / "data-download-revocation.txt"
    later.write_text(
        "010639455|PAVVA INUPIAQ DANCERS||4783 DRAKE ST|FAIRBANKS|AK|99709-3009|United States|03|"
        "15-MAY-2019|10-JUN-2019|02-DEC-2020\n"
    )
    _, summary = import_files("us-irs-revocations", later)
    assert summary.updated == 1
    pavva = Organisation.objects.get(org_id=REVOKED_IN_AK[0])
    assert (pavva.status, pavva.removed_on, pavva.removal_reason) == ("active", None, "")
    assert pavva.raw_codes["us-irs-revocations"]["reinstated_on"] == "2020-12-02"


@pytest.mark.django_db
def test_pub78_organisation_stays_revoked_when_pub78_rewrites_it(tmp_path, import_files):
    pub78 = tmp_path / "data-download-pub78.txt"
    pub78.write_text("012345678|Northern Lights Youth Choir|Fairbanks|AK|United States|PC\n")
    import_files("us-irs-pub78", pub78)
    import_files("us-irs-revocations", FIXTURE)
    choir = Organisation.objects.get(org_id="US-EIN-012345678")
    assert (choir.source.slug, choir.status) == ("us-irs-pub78", "removed")
    pub78.write_text("012345678|Northern Lights Youth Choir Inc.|Fairbanks|AK|United States|PC\n")
    _, summary = import_files("us-irs-pub78", pub78)
    assert summary.updated == 1
    choir = Organisation.objects.get(org_id="US-EIN-012345678")
    assert choir.name == "Northern Lights Youth Choir Inc."
    assert (choir.status, choir.removed_on) == ("removed", datetime.date(2020, 5, 15))


def _record(reinstated_on: str | None) -> OrgRecord:
    facts = {
        "revoked_on": "2019-05-15",
        "posted_on": "2019-06-10",
        "reinstated_on": reinstated_on,
        "exemption_type": "03",
        "reason": REASON,
    }
    return OrgRecord(
        org_id="US-EIN-010639455",
        registry_number="010639455",
        country="US",
        name="X",
        raw_codes={"us-irs-revocations": facts},
    )


def test_merge_returns_only_changes_and_never_undoes_another_sources_removal():
    importer = RevocationsImporter()
    record = _record(None)
    existing = {
        "raw_codes": {"us-irs-bmf": {}},
        "status": "active",
        "status_detail": "",
        "removed_on": None,
        "removal_reason": "",
        "categories": ["public_charity"],
    }
    change = importer.merge(existing, record)
    assert set(change) == {"raw_codes", "status", "removed_on", "removal_reason"}
    assert change["removed_on"] == datetime.date(2019, 5, 15)
    # As the databases hand the row back: SQLite gives text, PostgreSQL a date; both count as unchanged.
    for stored in ("2019-05-15", datetime.date(2019, 5, 15)):
        assert importer.merge({**existing, **change, "removed_on": stored}, record) == {}
    # Removed by a BMF snapshot, then reinstated on the list: not this source's removal to undo.
    snapshot = {
        **existing,
        "status": "removed",
        "removed_on": "2024-01-01",
        "removal_reason": "no longer listed by IRS Exempt Organizations Business Master File",
    }
    assert set(importer.merge(snapshot, _record("2020-12-02"))) == {"raw_codes"}
