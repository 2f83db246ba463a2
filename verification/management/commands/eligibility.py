"""`manage.py eligibility ORG_ID [ORG_ID…] [--batch FILE] [--program SLUG] [--json]`

The organisation-level checks of a program (what the registers settle, without an applicant) for each id, in input
order. With --json, one JSON object per line:
  {"org_id": …, "eligible": true|false, "decision": "approve"|"reject"|"review", "name": …,
   "reasons": [{"code", "message"}], "checks": [{"rule", "outcome", "code", "message", "evidence"}],
   "rules_version": …}
"eligible" is true only when every check passes; "reasons" are the failures, or else what needs a reviewer.
"""

import json
import sys
from itertools import islice

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from programs.demo import DEMO_SLUG, program_demo_ensure
from programs.models import Program
from verification.eligibility_selectors import organisations_eligibility

CHUNK = 500


def _ids_from(path: str):
    handle = sys.stdin if path == "-" else open(path, encoding="utf-8-sig")  # noqa: SIM115 (closed below)
    try:
        for line in handle:
            line = line.split("#", 1)[0].strip()
            if line:
                yield line
    finally:
        if handle is not sys.stdin:
            handle.close()


def _chunks(iterable, size: int):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


class Command(BaseCommand):
    help = "Check organisations against a program's organisation-level eligibility rules."

    def add_arguments(self, parser):
        parser.add_argument("org_ids", nargs="*", metavar="ORG_ID", help="e.g. US-EIN-030413726, GB-CHC-1000000")
        parser.add_argument("--batch", metavar="FILE", help="a file with one id per line ('-' for standard input)")
        parser.add_argument("--program", metavar="SLUG", help=f"the program (default: {DEMO_SLUG})")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")
        parser.add_argument("--language", default="en", help="language of the messages (en, fr)")

    def handle(self, *args, **options):
        program = self._program(options["program"])
        ids = list(options["org_ids"])
        if options["batch"]:
            try:
                ids += list(_ids_from(options["batch"]))
            except OSError as error:
                raise CommandError(f"cannot read {options['batch']}: {error}") from error
        if not ids:
            raise CommandError("give at least one organisation id, or --batch FILE")
        counts = {"approve": 0, "reject": 0, "review": 0}
        with translation.override(options["language"]):
            for chunk in _chunks(ids, CHUNK):
                for result in self._check(chunk, program):
                    counts[result["decision"]] += 1
                    self.stdout.write(
                        json.dumps(result, ensure_ascii=False) if options["json"] else self._human(result)
                    )
        if not options["json"]:
            self.stdout.write(
                f"{program.slug}: {counts['approve']} eligible, {counts['reject']} not eligible, "
                f"{counts['review']} need a review"
            )

    def _program(self, slug: str | None) -> Program:
        if slug:
            program = Program.objects.filter(slug=slug).first()
            if program is None:
                raise CommandError(f"no program {slug!r}")
            return program
        return Program.objects.filter(slug=DEMO_SLUG).first() or program_demo_ensure()

    def _check(self, chunk: list[str], program: Program):
        # The same function as the public pre-check (verification.eligibility_selectors), plus the duplicate
        # question, which only this command (run by staff) asks.
        for result in organisations_eligibility(program=program, org_ids=chunk, ask_duplicates=True):
            yield {
                "org_id": result.org_id,
                "eligible": result.decision.outcome == "approve",
                "decision": result.decision.outcome,
                "name": result.organisation.name if result.organisation else None,
                "reasons": [verdict.as_reason() for verdict in result.decision.reasons],
                "checks": [verdict.as_dict() for verdict in result.verdicts],
                "rules_version": result.rules_version,
            }

    @staticmethod
    def _human(result: dict) -> str:
        label = {"approve": "ELIGIBLE", "reject": "NOT ELIGIBLE", "review": "NEEDS REVIEW"}[result["decision"]]
        lines = [f"{result['org_id']}  {label}  {result['name'] or ''}".rstrip()]
        lines += [f"  {check['outcome']:<6} {check['code']:<36} {check['message']}" for check in result["checks"]]
        return "\n".join(lines)
