from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REGISTRIES = SHARED / "registries"


@pytest.fixture
def registries() -> Path:
    if not REGISTRIES.is_dir():
        pytest.fail(f"the shared registry samples are expected at {REGISTRIES}")
    return REGISTRIES


@pytest.fixture
def import_files(db):
    """Run the import pipeline as the command does; returns (run, summary)."""
    from registry.importers.pipeline import registry_import

    def run(source: str, *paths, snapshot: bool = False):
        return registry_import(source=source, paths=[str(p) for p in paths], snapshot=snapshot)

    return run
