import pytest

from registry.models import ImportRun, Organisation


@pytest.fixture
def pub78(registries):
    return registries / "us" / "irs_pub78" / "pub78_slice_before.txt"


@pytest.mark.django_db
def test_pub78_slice_creates_organisations_with_codes_and_categories(pub78, import_files):
    run, summary = import_files("us-irs-pub78", pub78)
    assert (summary.read, summary.created, summary.rejected) == (1001, 1001, 0)
    assert run.status == ImportRun.Status.SUCCEEDED
    assert Organisation.objects.filter(source__slug="us-irs-pub78").count() == 1001

    oakleaf = Organisation.objects.get(org_id="US-EIN-000003154")  # leading zeros kept
    assert oakleaf.registry_number == "000003154"
    assert oakleaf.name == "Oakleaf Forest Tenant Management"  # mixed case as published
    assert (oakleaf.city, oakleaf.region, oakleaf.country) == ("Norfolk", "VA", "US")
    assert oakleaf.status == "active"
    assert oakleaf.categories == ["public_charity"]
    assert oakleaf.raw_codes == {"us-irs-pub78": {"deductibility": ["PC"]}}
    assert oakleaf.income_minor is None

    assert Organisation.objects.get(registry_number="002067446").categories == ["private_foundation"]  # POF
    assert Organisation.objects.get(registry_number="002237333").categories == ["public_charity"]  # SOUNK
    lodges = [
        o
        for o in Organisation.objects.all()
        if o.raw_codes["us-irs-pub78"]["deductibility"] == ["EO", "GROUP", "LODGE"]
    ]
    assert len(lodges) == 5 and all(o.categories == ["mutual"] for o in lodges)
    vfw = Organisation.objects.get(registry_number="010191822")  # EO,GROUP: nothing more specific
    assert vfw.categories == ["other"]
    assert vfw.raw_codes["us-irs-pub78"]["deductibility"] == ["EO", "GROUP"]


@pytest.mark.django_db
def test_pub78_foreign_rows_stay_us_registered_and_keep_their_country(pub78, import_files):
    import_files("us-irs-pub78", pub78)
    gender = Organisation.objects.get(org_id="US-EIN-760735531")
    assert gender.name == "Gender at Work"
    assert gender.country == "US" and gender.region == "" and gender.city == "Toronto on"
    assert gender.raw_codes["us-irs-pub78"] == {"deductibility": ["FORGN"], "country": "CANADA"}
    assert gender.categories == ["other"]
    foreign = sorted(o.raw_codes["us-irs-pub78"].get("country", "") for o in Organisation.objects.all())
    assert [c for c in foreign if c] == ["CANADA", "UNITED KINGDOM", "UNITED KINGDOM"]


@pytest.mark.django_db
def test_pub78_reimport_changes_nothing(pub78, import_files):
    import_files("us-irs-pub78", pub78)
    before = {o.org_id: o.updated_at for o in Organisation.objects.all()}
    _, summary = import_files("us-irs-pub78", pub78)
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (0, 0, 1001, 0)
    assert {o.org_id: o.updated_at for o in Organisation.objects.all()} == before


@pytest.mark.django_db
def test_pub78_only_adds_its_codes_to_bmf_organisations(registries, pub78, import_files):
    import_files("us-irs-bmf", registries / "us" / "irs_eo_bmf" / "eo_ri.csv")
    wylie_before = Organisation.objects.get(org_id="US-EIN-010342663")
    _, summary = import_files("us-irs-pub78", pub78)
    # Three of the slice's 1,001 EINs are in the Rhode Island BMF file.
    assert (summary.created, summary.updated, summary.rejected) == (998, 3, 0)
    wylie = Organisation.objects.get(org_id="US-EIN-010342663")
    assert wylie.source.slug == "us-irs-bmf"
    assert wylie.name == "HELEN F WYLIE FOUNDATION"  # the register's name, not Pub 78's
    assert wylie.categories == wylie_before.categories
    assert wylie.raw_codes["us-irs-pub78"] == {"deductibility": ["PF"]}
    assert wylie.raw_codes["us-irs-bmf"] == wylie_before.raw_codes["us-irs-bmf"]

    _, again = import_files("us-irs-pub78", pub78)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1001)
    _, bmf_again = import_files("us-irs-bmf", registries / "us" / "irs_eo_bmf" / "eo_ri.csv")
    assert bmf_again.updated == 0
    assert Organisation.objects.get(org_id="US-EIN-010342663").raw_codes["us-irs-pub78"] == {"deductibility": ["PF"]}


@pytest.mark.django_db
def test_bmf_takes_over_what_pub78_created_and_keeps_its_codes(registries, pub78, import_files):
    import_files("us-irs-pub78", pub78)
    _, summary = import_files("us-irs-bmf", registries / "us" / "irs_eo_bmf" / "eo_ri.csv")
    assert summary.updated == 3
    rsvp = Organisation.objects.get(org_id="US-EIN-010390887")
    assert rsvp.source.slug == "us-irs-bmf"
    assert rsvp.name == "NEW ENGLAND RSVP COUNCIL" and rsvp.region == "RI"
    assert rsvp.raw_codes["us-irs-pub78"] == {"deductibility": ["PC"]}


@pytest.mark.django_db
def test_pub78_blank_lines_crlf_and_bad_rows(tmp_path, import_files):
    lines = [
        "",
        "",
        "000123456|Friends of the Library Inc.|Dover|DE|United States|PC",
        '000123457|"Quoted" Arts Council|Dover|DE|United States|EO,LODGE',
        "",
        "12AB|Not an EIN|Dover|DE|United States|PC",
        "000123458|Too Few Fields|Dover|DE",
        "000123459|No Status|Dover|DE|United States|",
        "000123460|Shifted Status|Dover|DE|United States|United States",
        "000123456|Friends of the Library Inc.|Dover|DE|United States|PC",
        "000123461|Brand New Code Trust|Dover|DE|United States|NEWCD",
    ]
    path = tmp_path / "data-download-pub78.txt"
    path.write_bytes("\r\n".join(lines).encode())
    run, summary = import_files("us-irs-pub78", path)
    assert (summary.read, summary.created, summary.rejected) == (8, 3, 5)
    quoted = Organisation.objects.get(registry_number="000123457")
    assert quoted.name == '"Quoted" Arts Council'  # never read as CSV quoting
    assert quoted.categories == ["mutual"]
    assert Organisation.objects.get(registry_number="000123461").categories == ["other"]  # unknown code kept
    reasons = {r.line: r.reason for r in run.rejected_rows.all()}
    assert set(reasons) == {6, 7, 8, 9, 10}
    assert "EIN" in reasons[6]
    assert "fields" in reasons[7]
    assert "Deductibility Status is empty" in reasons[8]
    assert "not a list of codes" in reasons[9]
    assert "duplicate id US-EIN-000123456" in reasons[10]
    assert all(r.file.endswith("data-download-pub78.txt") for r in run.rejected_rows.all())
