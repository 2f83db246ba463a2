#!/usr/bin/env bash
# Refresh both catalogs from the code (no line wrapping, so each msgid is one line), then fill English.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python manage.py makemessages -l fr -l en --no-wrap --ignore=.venv --ignore=bench --ignore=tests --ignore=data
for po in locale/*/LC_MESSAGES/django.po; do msgcat --no-wrap -o "$po" "$po"; done
.venv/bin/python scripts/i18n.py fill-en
.venv/bin/python scripts/i18n.py check || true
