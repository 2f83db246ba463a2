"""`manage.py run_scheduler [--list] [--once] [--tick SECONDS]`: enqueue the periodic jobs of settings.SCHEDULE.

Start one per machine (or several: one acts, the others wait on standby and take over if it dies).
"""

import signal

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.scheduling import TICK_SECONDS, Scheduler, schedule, scheduler_lease


class Command(BaseCommand):
    help = (
        "Run the scheduler: enqueue each periodic job when due (the worker runs them). Only one scheduler acts "
        "at a time; others wait on standby."
    )

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="print the schedule and each job's next run, then exit")
        parser.add_argument("--once", action="store_true", help="one tick (take the lease, enqueue what is due), exit")
        parser.add_argument("--tick", type=float, default=TICK_SECONDS, help="seconds between ticks")

    def handle(self, *args, **options):
        jobs = schedule()
        if options["list"]:
            now = timezone.now()
            for job in jobs:
                self.stdout.write(
                    f"{job.name:30} {job.cron:16} next {job.next_occurrence(now).isoformat()}  "
                    f"{job.task.name}: {job.description}"
                )
            return
        scheduler = Scheduler(jobs=jobs, lease=scheduler_lease(), tick=options["tick"])
        if options["once"]:
            enqueued = scheduler.step()
            if scheduler.acting:
                scheduler.lease.release()
                self.stdout.write(f"enqueued: {', '.join(enqueued) or 'nothing due'}")
            else:
                self.stdout.write("another scheduler is acting; nothing done")
            return
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: scheduler.stop())
        scheduler.run()
