"""One importer module per registry format, all on the pipeline in `registry.importers.pipeline`."""

from importlib import import_module

from core.errors import InvalidInput

IMPORTERS = {
    "us-irs-bmf": "registry.importers.us_irs_bmf.BmfImporter",
    "us-irs-pub78": "registry.importers.us_irs_pub78.Pub78Importer",
    "us-irs-revocations": "registry.importers.us_irs_revocations.RevocationsImporter",
    "gb-ccew": "registry.importers.gb_ccew.CcewImporter",
    "gb-oscr": "registry.importers.gb_oscr.OscrImporter",
    "gb-ccni": "registry.importers.gb_ccni.CcniImporter",
    "au-acnc": "registry.importers.au_acnc.AcncImporter",
    "fr-rna": "registry.importers.fr_rna.RnaImporter",
}


def get_importer(slug: str):
    try:
        dotted = IMPORTERS[slug]
    except KeyError:
        raise InvalidInput(
            f"unknown source {slug!r}; known sources: {', '.join(IMPORTERS)}", code="unknown_source"
        ) from None
    module, _, name = dotted.rpartition(".")
    return getattr(import_module(module), name)()
