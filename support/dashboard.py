"""The dashboard's figures for a program (or all) and a period: what happened to applications, how fast they were
decided against the program's promise, why refusals were made, where applicants come from, what became of the
coupons and how much discount the store granted. One pass of plain queries; grouping by week and the percentiles
are done in Python so that SQLite and PostgreSQL give the same answer.

It spans verification, coupons and billing (the discount granted), so it lives in the support app, above both."""

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Sum
from django.utils import timezone

from billing.models import Invoice
from coupons.models import Coupon
from programs.models import Program
from verification.models import Application


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )


def period_of(choice: str, start: date | None = None, end: date | None = None, *, today: date | None = None) -> Period:
    today = today or timezone.localdate()
    if choice == "custom" and start and end and start <= end:
        return Period(start, end)
    if choice == "12m":
        return Period(today - timedelta(days=364), today)
    return Period(today - timedelta(days=29), today)


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))  # nearest-rank
    return ordered[index]


def dashboard_data(*, program: Program | None, period: Period) -> dict:
    since, until = period.bounds
    applications = Application.objects.exclude(state="draft")
    coupons = Coupon.objects.all()
    invoices = Invoice.objects.exclude(status="void").filter(credit_note_for__isnull=True)
    if program is not None:
        applications = applications.filter(program=program)
        coupons = coupons.filter(program=program)
        invoices = invoices.filter(subscription__coupon__program=program)
    submitted = applications.filter(submitted_at__gte=since, submitted_at__lt=until)
    by_state = dict(submitted.order_by().values_list("state").annotate(n=Count("pk")))

    weeks: Counter = Counter()
    for moment in submitted.values_list("submitted_at", flat=True):
        local = timezone.localtime(moment).date()
        weeks[local - timedelta(days=local.weekday())] += 1
    first_monday = period.start - timedelta(days=period.start.weekday())
    week_rows, monday = [], first_monday
    while monday <= period.end:
        week_rows.append((monday, weeks.get(monday, 0)))
        monday += timedelta(days=7)

    decided = list(
        applications.filter(decided_at__gte=since, decided_at__lt=until, submitted_at__isnull=False).values_list(
            "submitted_at",
            "decided_at",
            "due_at",
            "decided_automatically",
            "state",
            "decision_reasons",
            "program__review_sla_business_days",
        )
    )
    hours = [(d - s).total_seconds() / 3600 for s, d, *_ in decided]
    within = sum(1 for _s, d, due, automatic, *_ in decided if automatic or (due is not None and d <= due))
    automatic = sum(1 for row in decided if row[3])
    refusals: Counter = Counter()
    for *_, state, reasons, _sla in decided:
        if state == "rejected":
            for reason in reasons or []:
                refusals[reason.get("code", "?")] += 1
    promises = sorted({row[6] for row in decided}) or ([program.review_sla_business_days] if program else [])

    countries = Counter(dict(submitted.exclude(country="").order_by().values_list("country").annotate(n=Count("pk"))))
    discount = {
        currency: total
        for currency, total in invoices.filter(issued_at__gte=since, issued_at__lt=until)
        .order_by()
        .values_list("currency")
        .annotate(total=Sum("discount_minor"))
        if total
    }
    return {
        "period": period,
        "submitted": sum(by_state.values()),
        "by_state": by_state,
        "weeks": week_rows,
        "decided": len(decided),
        "automatic": automatic,
        "reviewed": len(decided) - automatic,
        "median_hours": statistics.median(hours) if hours else None,
        "p90_hours": _percentile(hours, 0.9),
        "within_promise": within,
        "promise_days": promises,
        "refusals": refusals.most_common(),
        "countries": countries.most_common(12),
        "coupons_issued": coupons.filter(issued_at__gte=since, issued_at__lt=until).count(),
        "coupons_redeemed": coupons.filter(redeemed_at__gte=since, redeemed_at__lt=until).count(),
        "coupons_expired": coupons.filter(state="expired", redeem_by__gte=since, redeem_by__lt=until).count(),
        "discount_minor": discount,
    }
