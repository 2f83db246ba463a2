#!/usr/bin/env bash
# Creates .venv with a Python >= 3.12 and installs the pinned dependencies.
# Sourced by scripts/run and scripts/test; safe to run again (skips work when the lock is unchanged).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCK="${1:-requirements.lock}"

python_ok() { "$1" -c 'import sys, sqlite3; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

find_python() {
  local candidate
  for candidate in "${VOUCH_PYTHON:-}" python3.14 python3.13 python3.12 python3; do
    [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate" && { command -v "$candidate"; return; }
  done
  # pyenv keeps interpreters outside PATH until selected: look at its versions directly.
  local root="${PYENV_ROOT:-$HOME/.pyenv}"
  command -v pyenv >/dev/null 2>&1 && root="$(pyenv root)"
  for candidate in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -rV); do
    python_ok "$candidate/bin/python3" && { echo "$candidate/bin/python3"; return; }
  done
  return 1
}

if [ ! -x "$ROOT/.venv/bin/python" ] || ! python_ok "$ROOT/.venv/bin/python"; then
  PY="$(find_python)" || {
    echo "Vouch needs Python 3.12 or newer. Install it (e.g. 'apt-get install python3.12' or 'pyenv install 3.13')," >&2
    echo "or point VOUCH_PYTHON at an interpreter." >&2
    exit 1
  }
  echo "Creating .venv with $PY" >&2
  rm -rf "$ROOT/.venv"
  "$PY" -m venv "$ROOT/.venv"
fi

STAMP="$ROOT/.venv/.installed-$(basename "$LOCK")"
if [ ! -f "$STAMP" ] || ! cmp -s "$ROOT/$LOCK" "$STAMP"; then
  # (this machine kind's pip configuration names local package folders that may not exist: hide that noise)
  "$ROOT/.venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r "$ROOT/$LOCK" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  cp "$ROOT/$LOCK" "$STAMP"
fi
