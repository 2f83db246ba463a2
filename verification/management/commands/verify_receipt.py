"""`manage.py verify_receipt FILE`: valid / invalid / expired / revoked, with why. Exit status 0 only when valid."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verification.receipts.verify import receipt_verify


class Command(BaseCommand):
    help = "Verify a decision receipt (a compact JWS file; '-' reads standard input)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="print the answer as JSON")

    def handle(self, *args, file: str, **options):
        try:
            token = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {file}: {error}") from error
        result = receipt_verify(token=token)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            answer = result.as_dict()
            self.stdout.write(f"{result.status}: {result.code} ({result.reason})")
            for name in ("issuer", "receipt_id", "org_id", "valid_until"):
                if answer.get(name):
                    self.stdout.write(f"  {name}: {answer[name]}")
        if not result.valid:
            sys.exit(1)
