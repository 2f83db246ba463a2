"""The repository tests by itself: no test reads outside it, and its test data stays small and accounted for."""

import fnmatch
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CRAFTED, DATA, REGISTRIES, ROOT, SPECS

MAX_DATA_BYTES = 4 * 1024 * 1024
# What a test may not write: the maintainers' sample folder beside the repository, or a path above the root
# (test files sit at most at tests/<app>/test_x.py: three .parent reach the root, a fourth leaves it).
OUTSIDE = [
    re.compile(r"\.\./+shared"),
    re.compile(r"\bshared\b[\"']?\s*/\s*[\"']?(registries|specs|reference)"),
    re.compile(r"/work/"),
    re.compile(r"\bROOT\s*\.\s*parent\b"),
    re.compile(r"\bparents\s*\[\s*[3-9]\s*\]"),
    re.compile(r"(\.\s*parent\b\s*){4,}"),
    re.compile(r"\bSHARED\b"),
    re.compile(r"""(/\s*|Path\(\s*|join\([^)]*)["']\.\.["']"""),  # ROOT / "..", Path(".."), os.path.join(x, "..")
    re.compile(r"""\bos\.pardir\b"""),
]


# The samples below name the maintainers' folder without spelling its path, so that this file, which reads nothing
# outside the repository, does not look as if it did.
SIBLING = "".join(("sha", "red"))


def outside_references(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if any(p.search(line) for p in OUTSIDE)]


def test_data_folders_are_inside_the_repository():
    for folder in (DATA, REGISTRIES, CRAFTED, SPECS):
        assert folder.is_dir(), folder
        assert folder.resolve().is_relative_to(ROOT), folder


def test_no_test_reads_outside_the_repository():
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path != Path(__file__):
            offenders += [f"{path.relative_to(ROOT)}: {line}" for line in outside_references(path.read_text())]
    assert not offenders, "tests must read only the repository (tests/data):\n" + "\n".join(offenders)


def test_the_guard_catches_references_to_the_shared_samples():
    for line in [
        f'REGISTRIES = ROOT.parent / "{SIBLING}" / "registries"',
        f'Path("../{SIBLING}/specs/x.json")',
        f'Path(__file__).resolve().parent.parent.parent.parent / "{SIBLING}"',
        "SHARED / 'specs'",
        'Path(__file__).parents[3] / "x"',
        f'Path("/work/{SIBLING}/registries")',
        'ROOT / ".." / "x"',
        "os.path.join(ROOT, os.pardir)",
        f'Path("..") / "{SIBLING}"',
    ]:
        assert outside_references(line), line
    for line in [
        'pdf("../../etc/passwd.pdf")',
        "ROOT = Path(__file__).resolve().parent.parent",
        '("..", "document.pdf"),',
    ]:  # what a test feeds a file-name sanitiser is not a path it reads
        assert not outside_references(line), line


def test_data_stays_small_and_every_file_has_its_provenance():
    provenance = (DATA / "PROVENANCE.md").read_text()
    patterns = [p for p in re.findall(r"`([^`\s]+)`", provenance) if "/" in p]
    files = [p.relative_to(DATA).as_posix() for p in DATA.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert sum((DATA / f).stat().st_size for f in files) <= MAX_DATA_BYTES
    undocumented = [
        f
        for f in files
        if f not in {"PROVENANCE.md", "slice_registries.py"}
        and not any(fnmatch.fnmatch(f, pattern) for pattern in patterns)
    ]
    assert not undocumented, f"files without their line in tests/data/PROVENANCE.md: {undocumented}"


def test_no_data_file_is_ignored_by_git():
    """A file git ignores is missing from every clone: the tests would pass here and fail there."""
    if not (ROOT / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout")
    files = [str(p.relative_to(ROOT)) for p in DATA.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=ROOT,
        input="\n".join(files),
        capture_output=True,
        text=True,
    ).stdout.split()
    assert not ignored, f"git ignores these test data files: {ignored}"
