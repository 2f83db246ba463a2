"""Rebuild tests/data/registries/ from the full registry samples (a maintainer's tool, not a test).

    python tests/data/slice_registries.py /path/to/registries [/path/to/specs]

Small files are copied whole. The big ones (the IRS BMF state files and the 2020 Northern Ireland register) are
cut to: the header; every row the repository names (an EIN or charity number written in tests, templates, docs or
code, or a name quoted in a test); the rows the tests exercise as messy (quoted fields, non-ASCII bytes, negative
or blank amounts, wrong field counts); every Nth row as a representative sample. Rows are copied byte for byte
(original encoding and line endings), in their original order. See tests/data/PROVENANCE.md.
"""

import csv
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = HERE / "registries"
WHOLE = [
    "us/irs_pub78/pub78_slice_before.txt",
    "uk-england-wales/ccew_publicextract_txt",
    "uk-scotland/CharityExport-Removed-06-Jul-2020.slice.csv",
    "uk-ni/ccni_charitydetails_2024_head.csv",
    "australia/acnc_datadotgov_main.slice.csv",
    "france/rna_waldec_dpt_976_rows_from_spec.csv",
    "france/sirene_StockUniteLegale_2026_sample_companies.csv",
]
BMF_FILES = ["eo_ak.csv", "eo_dc.csv", "eo_de.csv", "eo_ri.csv"]
BMF_SAMPLE = 12  # every 12th row
NI_SAMPLE = 40  # every 40th row
PHRASE_CAP = 40  # a quoted phrase matching more rows than this in one file keeps only its first 40


def repository_text() -> str:
    parts = []
    for pattern in ("**/*.py", "**/*.html", "**/*.md", "**/*.txt", "tests/data/crafted/**/*.csv"):
        for path in ROOT.glob(pattern):
            if any(p in path.parts for p in (".venv", "node_modules", ".git", "registries", "specs")):
                continue
            parts.append(path.read_text(errors="replace"))
    return "\n".join(parts)


def quoted_phrases() -> set[str]:
    """Names quoted in tests: two words or more, letters only, upper-cased (the BMF's case)."""
    phrases = set()
    for path in (ROOT / "tests").rglob("*.py"):
        for literal in re.findall(r"\"([^\"\n]{6,80})\"|'([^'\n]{6,80})'", path.read_text()):
            text = (literal[0] or literal[1]).strip()
            if re.fullmatch(r"[A-Za-z][A-Za-z&.,' -]+", text) and len(text.split()) >= 2:
                phrases.add(re.sub(r"[.,]", "", text.upper()))
    return phrases


def records(raw: bytes, delimiter: str = ","):
    """(raw bytes of one record, its parsed fields): quoted fields may span lines."""
    text = raw.decode("latin-1")  # byte-preserving: only ASCII delimiters and quotes matter to csv
    lines = text.splitlines(keepends=True)
    consumed: list[str] = []

    def feed():
        for line in lines:
            consumed.append(line)
            yield line

    for fields in csv.reader(feed(), delimiter=delimiter):
        chunk = "".join(consumed)
        consumed.clear()
        yield chunk.encode("latin-1"), fields


def messy(chunk: bytes, fields: list[str], width: int) -> str | None:
    if any(b > 0x7F for b in chunk):
        return "non-ascii"
    if b'"' in chunk:
        return "quoted"
    if len([f for f in fields]) != width and not (len(fields) > width and not any(fields[width:])):
        return "width"
    if any(f.startswith("-") for f in fields):
        return "negative"
    return None


def slice_file(source: Path, target: Path, keep, sample: int, per_kind: int = 15) -> tuple[int, int]:
    raw = source.read_bytes()
    out, kinds, total, kept = [], {}, 0, 0
    for index, (chunk, fields) in enumerate(records(raw)):
        if index == 0:
            out.append(chunk)
            width = len([f for f in fields if f] if fields[-1] == "" else fields)
            continue
        total += 1
        kind = messy(chunk, fields, width)
        take = keep(fields) or index % sample == 0
        if kind and kinds.get(kind, 0) < per_kind:
            kinds[kind] = kinds.get(kind, 0) + 1
            take = True
        if take:
            out.append(chunk)
            kept += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"".join(out))
    return total, kept


def main(registries: Path, specs: Path | None) -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    for name in WHOLE:
        source, target = registries / name, OUT / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, target)

    text = repository_text()
    numbers = set(re.findall(r"(?<!\d)\d{9}(?!\d)", text))
    numbers |= {a + b for a, b in re.findall(r"(?<!\d)(\d{2})-(\d{7})(?!\d)", text)}
    # Pub 78 rows that are also in the BMF files: the tests of how the two sources meet need every one.
    pub78 = (registries / "us" / "irs_pub78" / "pub78_slice_before.txt").read_text()
    numbers |= {line.split("|")[0] for line in pub78.splitlines() if line}
    phrases = quoted_phrases()
    for name in BMF_FILES:
        hits: dict[str, int] = {}

        def keep(fields, hits=hits):
            if fields[0] in numbers:
                return True
            names = f"{fields[1]} | {fields[-1]}".upper()
            for phrase in phrases:
                if phrase in names and hits.get(phrase, 0) < PHRASE_CAP:
                    hits[phrase] = hits.get(phrase, 0) + 1
                    return True
            return False

        total, kept = slice_file(registries / "us" / "irs_eo_bmf" / name, OUT / "us" / "irs_eo_bmf" / name, keep,
                                 BMF_SAMPLE)
        print(f"{name}: {kept} of {total} rows")

    ni_2024 = (registries / "uk-ni" / "ccni_charitydetails_2024_head.csv").read_bytes()
    in_2024 = {fields[0] for _, fields in list(records(ni_2024))[1:]}
    ni_numbers = in_2024 | set(re.findall(r"GB-NIC-(\d{6})", text))
    total, kept = slice_file(registries / "uk-ni" / "ni-roc-2020-06-30.csv", OUT / "uk-ni" / "ni-roc-2020-06-30.csv",
                             lambda fields: fields[0] in ni_numbers, NI_SAMPLE)
    print(f"ni-roc-2020-06-30.csv: {kept} of {total} rows")

    if specs:
        target = HERE / "specs" / "reconciliation" / "0.2"
        if target.exists():
            shutil.rmtree(target)
        for part in ("schemas", "examples"):
            shutil.copytree(specs / "reconciliation" / "0.2" / part, target / part)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
