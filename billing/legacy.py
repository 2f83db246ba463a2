"""The previous verification partner's discount: importing its CSV, and the "your discount ends" notice.

Accounts holding the old partner's discount keep it until the end of their current subscription term. A number of
days before that end (default 30) each gets ONE email per term saying the discount ends and inviting it to apply
through the new program; `notice_sent_for_period_end` records the term the email was for, and the outbox dedupe key
(legacy_discount_ending:<email>:<period end>) makes a second run, even a concurrent one, queue nothing new.

The term end comes from a `period_end_for(email)` callable, so this module does not depend on how subscriptions are
stored; `subscription_period_end` (the command's default) reads billing.Subscription when that model exists.
"""

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from billing.accounts import account_email_normalise, store_email_queue
from billing.models import CustomerAccount, LegacyDiscount, Subscription
from core.audit import audit_record
from core.errors import ApplicationError, InvalidInput
from programs.demo import DEMO_SLUG

DEFAULT_DAYS_BEFORE = 30
COLUMNS = {"account email": "email", "percent": "percent", "partner": "partner"}
_ALIASES = {
    "email": "account email",
    "account e-mail": "account email",
    "e-mail": "account email",
    "discount percent": "percent",
    "percentage": "percent",
    "partner name": "partner",
}


@dataclass(frozen=True)
class RejectedRow:
    line: int
    code: str
    reason: str


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)


@dataclass
class NoticeSummary:
    queued: int = 0
    already_sent: int = 0
    not_due: int = 0
    no_term: int = 0


def _header_key(name: str) -> str:
    key = " ".join((name or "").replace("_", " ").replace("\ufeff", "").strip().lower().split())
    return _ALIASES.get(key, key)


def _percent(raw: str) -> Decimal:
    text = (raw or "").strip().rstrip("%").strip().replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise InvalidInput(f"percent {raw!r} is not a number", code="percent_invalid") from error
    if not value.is_finite():
        raise InvalidInput(f"percent {raw!r} is not a number", code="percent_invalid")
    if value < 0 or value > 100:
        raise InvalidInput(f"percent {raw!r} is not between 0 and 100", code="percent_out_of_range")
    if value != value.quantize(Decimal("0.01")):
        raise InvalidInput(f"percent {raw!r} has more than 2 decimals", code="percent_invalid")
    return value.quantize(Decimal("0.01"))


def legacy_discounts_import(
    *,
    lines: Iterable[str],
    source: str = "csv",
    now: datetime | None = None,
    actor_label: str = "import_legacy_discounts",
) -> ImportSummary:
    """Create or update one LegacyDiscount per valid row; report the others with their line numbers. Valid rows
    are written in one transaction. Running the same file again changes nothing."""
    now = now or timezone.now()
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration as error:
        raise InvalidInput("the CSV file is empty", code="csv_empty") from error
    positions = {}
    for index, name in enumerate(header):
        key = _header_key(name)
        if key in COLUMNS and COLUMNS[key] not in positions:
            positions[COLUMNS[key]] = index
    missing = [name for name, attr in COLUMNS.items() if attr not in positions]
    if missing:
        raise InvalidInput(
            f"the CSV header lacks the column(s) {', '.join(missing)} (found: {header})",
            code="csv_columns_missing",
            details={"missing": missing},
        )

    summary = ImportSummary()
    valid: dict[str, tuple[Decimal, str]] = {}
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank line
        cells = {attr: (row[index].strip() if index < len(row) else "") for attr, index in positions.items()}
        try:
            email = account_email_normalise(cells["email"])
            percent = _percent(cells["percent"])
            if not cells["partner"]:
                raise InvalidInput("the partner is empty", code="partner_missing")
            if len(cells["partner"]) > LegacyDiscount._meta.get_field("partner").max_length:
                raise InvalidInput("the partner name is too long", code="partner_too_long")
        except ApplicationError as error:
            summary.rejected.append(RejectedRow(line, error.code, str(error.message)))
            continue
        if email in valid:
            summary.rejected.append(
                RejectedRow(line, "duplicate", f"{email} already appears on line {first_line[email]}")
            )
            continue
        valid[email] = (percent, cells["partner"])
        first_line[email] = line

    with transaction.atomic():
        existing = {d.email: d for d in LegacyDiscount.objects.select_for_update().filter(email__in=list(valid))}
        for email, (percent, partner) in valid.items():
            discount = existing.get(email)
            if discount is None:
                LegacyDiscount.objects.create(email=email, percent=percent, partner=partner, imported_at=now)
                summary.created += 1
            elif (discount.percent, discount.partner) == (percent, partner):
                summary.unchanged += 1
            else:
                discount.percent, discount.partner, discount.imported_at = percent, partner, now
                discount.save(update_fields=["percent", "partner", "imported_at"])
                summary.updated += 1
        if summary.created or summary.updated:
            audit_record(
                action="legacy_discount.imported",
                object_type="legacy_discount_import",
                object_id=source[:64],
                actor_label=actor_label,
                after={
                    "created": summary.created,
                    "updated": summary.updated,
                    "unchanged": summary.unchanged,
                    "rejected": len(summary.rejected),
                },
            )
    return summary


def legacy_discounts_import_file(path: str, **kwargs) -> ImportSummary:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return legacy_discounts_import(lines=io.StringIO(handle.read()), source=path, **kwargs)


def subscription_period_end(email: str) -> date | None:
    """The end of the current term of the account's active subscription (None without one)."""
    return (
        Subscription.objects.filter(account__email=email, status="active")
        .order_by("current_period_end")
        .values_list("current_period_end", flat=True)
        .first()
    )


def _program_url(language: str) -> str:
    with translation.override(language):
        try:
            path = reverse("verification:program", args=[DEMO_SLUG])
        except NoReverseMatch:
            path = f"/{language}/programs/{DEMO_SLUG}/"
    return f"{settings.PUBLIC_BASE_URL}{path}"


def legacy_discount_notices_send(
    *,
    now: datetime,
    days_before: int = DEFAULT_DAYS_BEFORE,
    period_end_for: Callable[[str], date | None] = subscription_period_end,
    language: str = "",
) -> NoticeSummary:
    """Queue the "your discount ends" email for every legacy discount whose term ends within `days_before` days
    (from today up to today + days_before, inclusive), once per term."""
    language = language or settings.LANGUAGE_CODE
    today = timezone.localdate(now)
    horizon = today + timedelta(days=days_before)
    summary = NoticeSummary()
    for discount in LegacyDiscount.objects.order_by("email"):
        period_end = period_end_for(discount.email)
        if period_end is None:
            summary.no_term += 1
            continue
        if not (today <= period_end <= horizon):
            summary.not_due += 1
            continue
        if discount.notice_sent_for_period_end == period_end:
            summary.already_sent += 1
            continue
        with transaction.atomic():
            locked = LegacyDiscount.objects.select_for_update().get(pk=discount.pk)
            if locked.notice_sent_for_period_end == period_end:  # a concurrent run got here first
                summary.already_sent += 1
                continue
            # In the language the customer signed up in, when the store knows it.
            written_in = (
                CustomerAccount.objects.filter(email=locked.email).values_list("language", flat=True).first()
            ) or language
            store_email_queue(
                to=locked.email,
                template="legacy_discount_ending",
                language=written_in,
                context={
                    "period_end": period_end,
                    "percent": locked.percent,
                    "partner": locked.partner,
                    "program_url": _program_url(written_in),
                },
                dedupe_key=f"legacy_discount_ending:{locked.email}:{period_end.isoformat()}",
            )
            locked.notice_sent_for_period_end = period_end
            locked.save(update_fields=["notice_sent_for_period_end"])
            audit_record(
                action="legacy_discount.notice_queued",
                object_type="legacy_discount",
                object_id=locked.pk,
                actor_label="send_legacy_discount_notices",
                after={"email": locked.email, "period_end": period_end.isoformat()},
            )
        summary.queued += 1
    return summary


# ---------------------------------------------------------------------------------------------------------------
# Applying the previous partner's discount (issue 4, §4)

LEGACY_PARTNER_DISCOUNT = "legacy_partner_discount"  # the explanation on an invoice line it discounted


def legacy_discount_percent(subscription, *, today: date) -> Decimal | None:
    """The previous partner's percent for an invoice of `subscription` issued `today`, or None.

    It holds only for the term that was current when the discount was imported, and only for a subscription that
    already existed then: created before `imported_at`, its current period contains the import day, and `today` is
    still inside that period. A new purchase after the import, and every renewal (a later term), never get it.
    """
    if subscription.current_period_end <= today:
        return None
    discount = LegacyDiscount.objects.filter(email=subscription.account.email).first()
    if discount is None or discount.percent <= 0 or subscription.created_at > discount.imported_at:
        return None
    imported_on = timezone.localdate(discount.imported_at)
    if not (subscription.current_period_start <= imported_on < subscription.current_period_end):
        return None
    return discount.percent
