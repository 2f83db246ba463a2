import json

import pytest

from registry.models import ImportRun, Organisation


@pytest.mark.django_db
def test_bmf_state_files_import_with_codes_income_and_categories(registries, import_files):
    run, summary = import_files("us-irs-bmf", registries / "us" / "irs_eo_bmf")
    # The slices of the four state files (tests/data/PROVENANCE.md): 563 + 1208 + 690 + 779 rows.
    assert summary.read == 3240
    assert (summary.created, summary.rejected) == (3240, 0)
    assert Organisation.objects.filter(country="US").count() == summary.created
    valdez = Organisation.objects.get(org_id="US-EIN-010564885")
    assert valdez.name == "VALDEZ JUNIOR RIFLE CLUB"
    assert valdez.registry_number == "010564885"  # leading zero kept
    assert valdez.city == "VALDEZ" and valdez.region == "AK"
    assert valdez.raw_codes["us-irs-bmf"]["NTEE_CD"] == "N99"
    assert "public_charity" in valdez.categories
    peer = Organisation.objects.get(org_id="US-EIN-010604986")
    assert peer.other_names == [{"kind": "sort", "name": "PEER PROPERTIES"}]
    assert run.status == ImportRun.Status.SUCCEEDED
    assert len(run.files) == 4 and all(len(f["sha256"]) == 64 for f in run.files)


@pytest.mark.django_db
def test_bmf_reimport_changes_nothing(registries, import_files):
    import_files("us-irs-bmf", registries / "us" / "irs_eo_bmf" / "eo_ak.csv")
    before = {o.org_id: o.updated_at for o in Organisation.objects.all()}
    _, summary = import_files("us-irs-bmf", registries / "us" / "irs_eo_bmf" / "eo_ak.csv")
    assert summary.created == summary.updated == summary.removed == 0
    assert summary.unchanged == len(before)
    assert {o.org_id: o.updated_at for o in Organisation.objects.all()} == before


@pytest.mark.django_db
def test_bmf_negative_and_blank_amounts(tmp_path, import_files):
    header = (
        "EIN,NAME,ICO,STREET,CITY,STATE,ZIP,GROUP,SUBSECTION,AFFILIATION,CLASSIFICATION,RULING,DEDUCTIBILITY,"
        "FOUNDATION,ACTIVITY,ORGANIZATION,STATUS,TAX_PERIOD,ASSET_CD,INCOME_CD,FILING_REQ_CD,PF_FILING_REQ_CD,"
        "ACCT_PD,ASSET_AMT,INCOME_AMT,REVENUE_AMT,NTEE_CD,SORT_NAME"
    )
    rows = [
        "001234567,NEGATIVE INCOME FUND,,1 MAIN ST,DOVER,DE,19901,0000,03,3,1000,200001,1,15,0,1,01,201912,1,1,01,0,12,5,-300,-250,T30J,",
        "001234568,BLANK AMOUNTS CLUB,,1 MAIN ST,DOVER,DE,19901,0000,07,3,1000,200001,1,00,0,1,01,,0,0,02,0,12,,,,,",
        "12AB,BAD EIN,,,,,,,,,,,,,,,,,,,,,,,,,,",
        "001234569,TOO FEW FIELDS",
    ]
    path = tmp_path / "eo_xx.csv"
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode())
    run, summary = import_files("us-irs-bmf", path)
    assert (summary.created, summary.rejected) == (2, 2)
    negative = Organisation.objects.get(registry_number="001234567")
    assert negative.income_minor == -25000 and negative.income_currency == "USD"
    assert str(negative.income_period_end) == "2019-12-31"
    blank = Organisation.objects.get(registry_number="001234568")
    assert blank.income_minor is None and "mutual" in blank.categories
    reasons = {r.line: r.reason for r in run.rejected_rows.all()}
    assert "EIN" in reasons[4] and "fields" in reasons[5]
    assert all(r.file.endswith("eo_xx.csv") for r in run.rejected_rows.all())
    json.dumps(summary.as_dict())
