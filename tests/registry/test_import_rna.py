import datetime

import pytest

from core.errors import ImportFailed
from registry.models import ImportRun, Organisation
from tests.conftest import CRAFTED

IMPORT_CP1252 = CRAFTED / "rna_import_dpt_01_cp1252.csv"


@pytest.fixture
def waldec(registries):
    return registries / "france" / "rna_waldec_dpt_976_rows_from_spec.csv"


def _org(rna_id: str) -> Organisation:
    return Organisation.objects.get(org_id=f"FR-RNA-{rna_id}")


@pytest.mark.django_db
def test_rna_waldec_sample(waldec, import_files):
    run, summary = import_files("fr-rna", waldec)
    assert (summary.read, summary.created, summary.rejected) == (4, 4, 0)
    assert run.files[0]["encoding"] == "utf-8"

    vie = _org("W9T1002867")
    assert vie.registry_number == "W9T1002867" and vie.country == "FR"
    assert vie.name == "LA VIE D'UN AGRICULTEUR & LA VIE D'UN ANIMAL"
    assert vie.other_names == []  # titre_court is the title cut short: no alias
    assert (vie.status, vie.status_detail) == ("active", "active, déclarée")
    assert vie.registered_on == datetime.date(2015, 12, 29)
    assert vie.removed_on is None  # date_disso 0001-01-01 means not dissolved
    assert vie.street == "Hamjago, 16 Dallage Iliassa, quartier Magoujou"
    assert (vie.city, vie.postcode, vie.region) == ("M tsamboro", "97630", "976")
    assert vie.categories == ["other"]
    assert vie.raw_codes["fr-rna"]["objet_social"] == ["024026"]  # 000000 is no code
    assert vie.raw_codes["fr-rna"]["layout"] == "waldec"
    assert vie.income_minor is None

    ajoi = _org("W9T1000001")
    assert ajoi.other_names == [{"kind": "short", "name": "AJOI SECTION MAHORAISE"}]
    assert ajoi.street == "Immeuble douka, RUE du stade, B.P. 1328"

    escale = _org("W9T1002359")
    assert (escale.status, escale.removed_on) == ("removed", datetime.date(2020, 9, 30))
    assert escale.removal_reason == "dissolved (RNA position D: dissolution declared)"
    assert escale.status_detail == "dissoute, déclarée"
    assert escale.street == "Jardins des épices - Immeuble le Cannelier, Tsoundzou 2"

    parents = _org("W9T1000018")
    assert (parents.status, parents.removed_on) == ("removed", datetime.date(2024, 5, 15))
    assert parents.categories == ["other"]  # 015005 parents' association: about a school, not one
    assert parents.raw_codes["fr-rna"]["id_ex"] == "9851000014"


@pytest.mark.django_db
def test_rna_import_layout_in_cp1252(import_files):
    run, summary = import_files("fr-rna", IMPORT_CP1252)
    assert run.files[0]["encoding"] == "cp1252"
    assert (summary.read, summary.created, summary.rejected) == (12, 8, 4)

    amicale = _org("W011000123")
    assert amicale.street == "Caserne, 12 rue de l\u2019Église"  # cp1252 0x92 (right single quote), 0xC9 (É)
    assert (amicale.city, amicale.postcode, amicale.region) == ("Belley", "01300", "01")
    assert amicale.categories == ["mutual"]
    assert amicale.raw_codes["fr-rna"]["layout"] == "import"
    assert amicale.raw_codes["fr-rna"]["id_ex"] == "0011001234"  # leading zeros kept

    culte = _org("W011000456")
    assert culte.name == "ASSOCIATION CULTUELLE ÉVANGÉLIQUE DE BOURG-EN-BRESSE"
    assert culte.categories == ["religious"]
    assert culte.status_detail == "active, cultuelle"
    assert culte.website == "www.eglise-bourg.fr"

    cercle = _org("W011000789")
    assert cercle.categories == ["political"]
    # rna_import has no date_disso: the record's last change dates the removal.
    assert (cercle.status, cercle.removed_on) == ("removed", datetime.date(2005, 2, 1))

    emulation = _org("W011001012")
    assert emulation.name == "SOCIÉTÉ D\u2019ÉMULATION DE L\u2019AIN"
    assert emulation.raw_codes["fr-rna"]["rup_mi"] == "12345"
    assert emulation.raw_codes["fr-rna"]["nature"] == "R"
    assert emulation.categories == ["other"]

    assert _org("W011001345").categories == ["school"]
    assert _org("W011001678").categories == ["other"]  # 015005
    amis = _org("W011001901")
    assert (amis.status, amis.removed_on, amis.categories) == ("removed", datetime.date(2011, 12, 31), ["health"])
    assert amis.removal_reason == "deleted from the RNA (position S)"
    assert _org("W011003123").website == "http://www.fc-miribel.fr"

    reasons = {r.line: r.reason for r in run.rejected_rows.all()}
    assert set(reasons) == {9, 10, 11, 12}
    assert reasons[9] == "id '12345' is not an RNA number (W and 9 letters or digits)"
    assert reasons[10] == "unreadable date '1975-13-45'"
    assert reasons[11] == "wrong number of fields (9)"
    assert reasons[12] == "position 'X' is not A, R, D or S"


@pytest.mark.django_db
def test_rna_reimport_changes_nothing(waldec, import_files):
    import_files("fr-rna", waldec, IMPORT_CP1252)
    before = {o.org_id: o.updated_at for o in Organisation.objects.all()}
    assert len(before) == 12
    _, summary = import_files("fr-rna", waldec, IMPORT_CP1252)
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (0, 0, 12, 4)
    assert {o.org_id: o.updated_at for o in Organisation.objects.all()} == before


@pytest.mark.django_db
def test_rna_waldec_codes_natures_and_positions(waldec, tmp_path, import_files):
    header = waldec.read_text(encoding="utf-8").splitlines()[0].split(";")

    def row(**values: str) -> str:
        base = {
            "gestion": "751P",
            "date_creat": "2001-02-03",
            "nature": "D",
            "groupement": "S",
            "date_disso": "0001-01-01",
            "objet_social1": "000000",
            "objet_social2": "000000",
            "adrs_libcommune": "Paris",
            "adrs_codeinsee": "75056",
            "adrs_codepostal": "75001",
            "position": "A",
            "maj_time": "2020-01-01 00:00:00",
        }
        return ";".join({**base, **values}.get(column, "") for column in header)

    lines = [
        row(id="W751000001", titre="PAROISSE ORTHODOXE SAINT-SERGE", nature="U", siteweb="https://saint-serge.fr"),
        row(id="W751000002", titre="UNION DES COMMERÇANTS DU MARAIS", titre_court="UCM", objet_social1="023005"),
        row(
            id="W751000003",
            titre="LIGUE CONTRE LE CANCER PARIS",
            rup_mi="R12345",
            objet_social1="017040",
            objet_social2="020000",
        ),
        row(id="W751000004", titre="ANCIENNE ASSOCIATION", position="S", maj_time="2019-07-14 08:00:00"),
        row(id="W751000005", titre="REPRISE", position="R", observation="Reprise => date ag=0000-00-00"),
        row(id="w751000006", titre="CENTRE BOUDDHISTE", objet_social1="040005"),
    ]
    path = tmp_path / "rna_waldec_20250901_dpt_75.csv"
    path.write_text("\r\n".join([";".join(header), *lines]) + "\r\n", encoding="utf-8")
    _, summary = import_files("fr-rna", path)
    assert (summary.created, summary.rejected) == (6, 0)

    serge = _org("W751000001")
    assert serge.categories == ["religious"] and serge.website == "https://saint-serge.fr"
    assert serge.region == "75"
    ucm = _org("W751000002")
    assert ucm.categories == ["professional"]
    assert ucm.other_names == [{"kind": "short", "name": "UCM"}]
    assert "ucm" in ucm.search_alt
    ligue = _org("W751000003")
    assert ligue.categories == ["health"] and ligue.raw_codes["fr-rna"]["rup_mi"] == "R12345"
    old = _org("W751000004")
    assert (old.status, old.removed_on) == ("removed", datetime.date(2019, 7, 14))
    assert (_org("W751000005").status, _org("W751000005").status_detail) == ("active", "reprise, déclarée")
    assert _org("W751000006").categories == ["religious"]  # ids upper-cased


@pytest.mark.django_db
def test_rna_rejects_a_file_of_another_layout(registries, import_files):
    sirene = registries / "france" / "sirene_StockUniteLegale_2026_sample_companies.csv"
    with pytest.raises(ImportFailed, match="neither RNA layout"):
        import_files("fr-rna", sirene)
    assert not Organisation.objects.exists()
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED
