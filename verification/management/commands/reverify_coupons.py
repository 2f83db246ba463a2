"""`manage.py reverify_coupons [--program SLUG] [--json] [--language en|fr]`

Re-runs the organisation-level checks (those of the `eligibility` command) for the organisation of every live coupon
(redeemed, or issued and still redeemable), flags the coupons that now fail, clears the flag of those that pass
again, and emits `organisation.status_changed` for registry status changes the imports did not report
(verification.reverification). Exits 0 whatever it finds: a run that found changes did its job.

With --json, one JSON object per coupon and a last line {"summary": {...}}:
  {"coupon", "application_reference", "program", "org_id", "was_eligible", "now_eligible", "decision",
   "reasons_new": [{"rule", "code", "message"}], "reasons_gone": [{"rule", "code"}], "flagged", "unflagged",
   "status_change": {"old", "new"} | null, "skipped": null | "organisation_added_by_hand"}
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from core.scheduling import lease_held
from programs.models import Program
from verification.reverification import coupons_reverify, reverification_summary
from verification.tasks import REVERIFY_LEASE


class Command(BaseCommand):
    help = "Re-check the organisation of every live coupon against its program's organisation-level rules."

    def add_arguments(self, parser):
        parser.add_argument("--program", metavar="SLUG", help="only this program's coupons (default: every program)")
        parser.add_argument("--json", action="store_true", help="one JSON object per coupon, then a summary line")
        parser.add_argument("--language", default="en", help="language of the messages (en, fr)")

    def handle(self, *args, **options):
        program = None
        if options["program"]:
            program = Program.objects.filter(slug=options["program"]).first()
            if program is None:
                raise CommandError(f"no program {options['program']!r}")
        with translation.override(options["language"]), lease_held("reverify_coupons", ttl=REVERIFY_LEASE) as alone:
            if not alone:
                raise CommandError("another reverification is running (the scheduler's, or a copy of this command)")
            results = coupons_reverify(program=program)
            for result in results:
                self.stdout.write(
                    json.dumps(result.as_dict(), ensure_ascii=False) if options["json"] else self._human(result)
                )
        summary = reverification_summary(results)
        if options["json"]:
            self.stdout.write(json.dumps({"summary": summary}))
        else:
            self.stdout.write(
                "{checked} coupons checked: {eligible} eligible, {not_eligible} not eligible; {flagged} flagged, "
                "{unflagged} unflagged, {status_changes} registry status changes, {skipped} skipped (added by "
                "hand)".format(**summary)
            )

    @staticmethod
    def _human(result) -> str:
        if result.skipped:
            return f"{result.reference}  {result.org_id}  SKIPPED ({result.skipped})"
        was = "eligible" if result.was_eligible else "flagged"
        now = {"approve": "eligible", "review": "eligible (needs review)", "reject": "NOT ELIGIBLE"}[result.decision]
        actions = [name for name, done in (("flagged", result.flagged), ("unflagged", result.unflagged)) if done]
        if result.status_change:
            actions.append(f"status {result.status_change['old']} -> {result.status_change['new']}")
        lines = [
            f"{result.reference}  {result.org_id}  was {was}, now {now}"
            + (f"  [{', '.join(actions)}]" if actions else "")
        ]
        lines += [f"  + {reason['code']}: {reason['message']}" for reason in result.reasons_new]
        lines += [f"  - {reason['code']}" for reason in result.reasons_gone]
        return "\n".join(lines)
