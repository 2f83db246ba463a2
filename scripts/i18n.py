#!/usr/bin/env python
"""Keeps the translation catalogs complete.

python scripts/i18n.py check          # exit 1 listing every untranslated or fuzzy entry (fr and en)
python scripts/i18n.py fill-en        # English is the source language: copy each msgid into its msgstr
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = {lang: ROOT / "locale" / lang / "LC_MESSAGES" / "django.po" for lang in ("en", "fr")}
_ENTRY = re.compile(
    r'(?m)^((?:#.*\n)*)msgid ((?:".*"\n)+)(?:msgid_plural ((?:".*"\n)+))?'
    r'((?:msgstr(?:\[\d\])? (?:".*"\n)+)+)'
)
_FUZZY = re.compile(r"(?m)^#,.*\bfuzzy\b")


def _text(quoted: str) -> str:
    return "".join(re.findall(r'"(.*)"', quoted))


def entries(path: Path):
    for match in _ENTRY.finditer(path.read_text(encoding="utf-8") + "\n"):
        msgid = _text(match.group(2))
        if msgid:
            strs = re.findall(r'msgstr(?:\[\d\])? ((?:".*"\n)+)', match.group(4))
            yield match, msgid, [_text(s) for s in strs]


def _unfuzzy(flags: str) -> str:
    kept = [f.strip() for f in flags.split(",") if f.strip() and f.strip() != "fuzzy"]
    return "#, " + ", ".join(kept) if kept else "#"


def check() -> int:
    problems = []
    for lang, path in CATALOGS.items():
        for match, msgid, strs in entries(path):
            if _FUZZY.search(match.group(1)) or not all(strs):
                problems.append(f"{lang}: {msgid[:70]!r}")
    print("\n".join(problems) or "catalogs complete")
    return 1 if problems else 0


def fill_en() -> int:
    path = CATALOGS["en"]
    text = path.read_text(encoding="utf-8")
    for match, _, strs in reversed(list(entries(path))):
        if all(strs) and not _FUZZY.search(match.group(1)):
            continue
        singular, plural = match.group(2), match.group(3) or match.group(2)
        block = f"msgstr[0] {singular}msgstr[1] {plural}" if match.group(3) else f"msgstr {singular}"
        start, end = match.span(4)
        text = text[:start] + block + text[end:]
        if _FUZZY.search(match.group(1)):
            comments = re.sub(r"(?m)^#,(.*)$", lambda m: _unfuzzy(m.group(1)), match.group(1))
            text = text[: match.start(1)] + comments + text[match.end(1) :]
    path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit({"check": check, "fill-en": fill_en}[sys.argv[1] if len(sys.argv) > 1 else "check"]())
