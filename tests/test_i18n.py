import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_both_catalogs_are_complete():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "i18n.py"), "check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


def test_committed_compiled_catalogs_are_up_to_date(tmp_path):
    """Machines without gettext use the committed .mo files: they must match the .po files."""
    import shutil

    import pytest

    if not shutil.which("msgfmt"):
        pytest.skip("msgfmt (gettext) is not installed")
    for lang in ("en", "fr"):
        po = ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"
        out = tmp_path / f"{lang}.mo"
        subprocess.run(["msgfmt", "--check-format", "-o", str(out), str(po)], check=True)
        committed = po.with_suffix(".mo").read_bytes()
        assert out.read_bytes() == committed, f"{lang}: run `manage.py compilemessages` and commit the .mo"
