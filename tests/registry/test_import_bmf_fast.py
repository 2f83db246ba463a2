"""The BMF importer's fast path (prepared_values) against its reference, parse(): the same INSERT values for every
row it takes, and every row it is unsure of left to parse()."""

from pathlib import Path

import pytest

from registry.importers.files import InputFile, read_raw_rows
from registry.importers.prepare import fit, has_nul
from registry.importers.us_irs_bmf import BmfImporter
from registry.importers.writer import record_fields, row_values
from registry.models import Organisation
from tests.conftest import REGISTRIES

HEADER = (
    "EIN,NAME,ICO,STREET,CITY,STATE,ZIP,GROUP,SUBSECTION,AFFILIATION,CLASSIFICATION,RULING,DEDUCTIBILITY,"
    "FOUNDATION,ACTIVITY,ORGANIZATION,STATUS,TAX_PERIOD,ASSET_CD,INCOME_CD,FILING_REQ_CD,PF_FILING_REQ_CD,"
    "ACCT_PD,ASSET_AMT,INCOME_AMT,REVENUE_AMT,NTEE_CD,SORT_NAME"
)
# Rows the committed slices do not have: each is either plain (the fast path must agree with parse()) or not (the
# fast path must step aside, whatever parse() then makes of it).
CRAFTED = [
    "001234567,NEGATIVE INCOME FUND,,1 MAIN ST,DOVER,DE,19901,0000,03,3,1000,200001,1,15,0,1,01,201912,1,1,01,0,12,5,-300,-250,T30J,",
    "001234568,BLANK AMOUNTS CLUB,,1 MAIN ST,DOVER,DE,19901,0000,07,3,1000,200001,1,00,0,1,01,,0,0,02,0,12,,,,,",
    "01-2345678,DASHED EIN FUND,,,,,,,03,,,000000,,,,,,,,,,,,,,,,",
    "1234,SHORT EIN FUND,,,,,,,03,,,,,,,,,,,,,,,,,,,",
    "001234569,  PADDED NAME INC  ,, 2 ELM ST ,  AUSTIN , TX , 73301 ,,92,,7000,201313,,04,,,02,201412,,,06,1,,,100,,x20,  THE SORT CO  ",
    "001234570,,,,,,,,03,,,,,,,,,,,,,,,,,,,",
    "001234571,   ,,,,,,,03,,,,,,,,,,,,,,,,,,,",
    "001234572,SOCIÉTÉ D'ENTRAIDE DU CŒUR,,,,,,,03,,,199912,,,,,99,202006,,,,,,,1234,,b25,ÉCOLE",
    "001234573,FRIENDS OF THE COMMUNITY INTEREST COMPANY LTD,,,,,,,03,,,,,,,,01,,,,,,,,12.50,,,THE INC",
    "001234574,THE LTD INC,,,,,,,50,,,,,,,,25,,,,,,,,,99999999999999999999,E21,",
    "001234575,NUL\x00NAME,,,,,,,03,,,,,,,,,,,,,,,,,,,",
    "001234576," + "LONG NAME " * 40 + ",,,,,,,03,,,,,,,,,,,,,,,,,,,",
    "001234577,STATUS TOO LONG,,,,,,,03,,,,,,,,{},,,,,,,,,,,".format("S" * 250),
    "001234578,'APOSTROPHE' & CO. -- HYPHEN/SLASH,,,,,,,82,,,202513,,,,,,,,,,,,,,,W24,O'BRIEN",
    "001234579,PLAIN ORG,,,,,,,03,,,,,,,,,2019,,,,,,,,,,",
    "001234580,TAB\tNAME\x0bAND\x1fCONTROL,,,,,,,03,,,,,,,,,,,,,,,,,,,",
]


def _rows(path: Path):
    return list(read_raw_rows(InputFile(str(path), path), "utf-8"))


def _reference(importer, row, fingerprint, context):
    if has_nul(row):
        return None
    try:
        return row_values(record_fields(fit(importer.parse(row))), fingerprint, **context)
    except Exception:  # RowRejected: the fast path must not have taken it
        return None


def _compare(rows) -> tuple[int, int]:
    importer, taken = BmfImporter(), 0
    for vendor in ("sqlite", "postgresql"):
        context = {"vendor": vendor, "source_id": 7, "now": "2026-12-08 00:00:00"}
        for row in rows:
            if has_nul(row):  # refused before either path (prepare.prepare_batch)
                continue
            fingerprint = importer.fingerprint(row)
            fast = importer.prepared_values(row, fingerprint, context)
            if fast is not None:
                taken += 1
                assert fast == _reference(importer, row, fingerprint, context), (row.line, row.fields)
    return taken // 2, len(rows)


@pytest.mark.parametrize("path", sorted((REGISTRIES / "us" / "irs_eo_bmf").glob("*.csv")), ids=lambda p: p.name)
def test_fast_path_gives_parses_values_for_every_committed_row(path):
    taken, total = _compare(_rows(path))
    assert total > 500 and taken == total  # the IRS's own rows are all plain


def test_fast_path_agrees_or_steps_aside_on_crafted_rows(tmp_path):
    path = tmp_path / "eo_xx.csv"
    path.write_text("\r\n".join([HEADER, *CRAFTED]) + "\r\n", encoding="utf-8", newline="")
    rows = _rows(path)
    taken, total = _compare(rows)
    assert total == len(CRAFTED)
    importer = BmfImporter()
    context = {"vendor": "sqlite", "source_id": 7, "now": "now"}
    declined = {
        r.line for r in rows if has_nul(r) or importer.prepared_values(r, importer.fingerprint(r), context) is None
    }
    # The dashed and short EINs, the blank names, the decimal and out-of-range amounts, the bad tax period, NUL,
    # the over-long name and status: parse() decides (tidies, cuts or rejects) those.
    assert declined == {4, 5, 7, 8, 10, 11, 12, 13, 14, 16}
    assert taken == total - len(declined)


def test_fast_path_steps_aside_when_a_column_is_missing(tmp_path):
    path = tmp_path / "eo_xx.csv"
    header = HEADER.replace(",SORT_NAME", "")
    path.write_text(header + "\r\n" + CRAFTED[0].rsplit(",", 1)[0] + "\r\n", encoding="utf-8", newline="")
    [row] = _rows(path)
    importer = BmfImporter()
    assert importer.prepared_values(row, "f", {"vendor": "sqlite", "source_id": 1, "now": "now"}) is None
    assert importer.parse(row).other_names == []


@pytest.mark.django_db
def test_imports_with_and_without_the_fast_path_store_the_same(tmp_path, registries, import_files, monkeypatch):
    crafted = tmp_path / "eo_xx.csv"
    crafted.write_text("\r\n".join([HEADER, *CRAFTED]) + "\r\n", encoding="utf-8", newline="")
    files = [registries / "us" / "irs_eo_bmf" / "eo_ri.csv", crafted]
    columns = [f.name for f in Organisation._meta.fields if f.name not in {"id", "updated_at", "source"}]

    def stored():
        return {o["org_id"]: o for o in Organisation.objects.values(*columns)}

    fast_run, fast = import_files("us-irs-bmf", *files)
    fast_rows = stored()
    fast_rejected = sorted(fast_run.rejected_rows.values_list("file", "line", "reason"))
    Organisation.objects.all().delete()
    monkeypatch.setattr(BmfImporter, "prepared_values", lambda self, row, fingerprint, context: None)
    slow_run, slow = import_files("us-irs-bmf", *files)
    assert stored() == fast_rows
    assert (fast.created, fast.rejected) == (slow.created, slow.rejected) and fast.rejected > 0
    assert sorted(slow_run.rejected_rows.values_list("file", "line", "reason")) == fast_rejected
