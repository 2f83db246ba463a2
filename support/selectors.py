"""Reads of the support console: one search across applications (any state), coupons, organisations and store
accounts, and an application's timeline. Coupons are found by their full code (compared by keyed hash, the code is
never stored: coupons.services.coupon_find) or by the hint (the code's last characters, shown in lists)."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from billing.models import CustomerAccount
from core.masking import email_mask
from core.models import AuditEntry
from coupons.models import Coupon
from coupons.services import coupon_find
from notifications.models import OutboxEmail
from registry.models import Organisation
from support.models import SupportCase
from verification.models import Application
from webhooks.models import WebhookEvent

RESULTS_PER_KIND = 25
_HINT = re.compile(r"^[A-Za-z0-9]{4,8}$")


@dataclass(frozen=True)
class SearchResults:
    query: str
    applications: list
    coupons: list
    organisations: list
    accounts: list

    @property
    def empty(self) -> bool:
        return not (self.applications or self.coupons or self.organisations or self.accounts)


def support_search(*, query: str) -> SearchResults:
    """Applications by reference, email, organisation name or org-id (decided ones included); coupons by code or
    hint; organisations by name or org-id; store accounts by email or organisation name."""
    q = " ".join((query or "").split())[:200]
    if len(q) < 3:
        return SearchResults(q, [], [], [], [])
    applications = (
        Application.objects.select_related("program", "organisation")
        .filter(
            Q(reference__iexact=q)
            | Q(email__icontains=q)
            | Q(organisation__name__icontains=q)
            | Q(organisation__org_id__iexact=q)
            | Q(manual_name__icontains=q)
            | Q(applicant_name__icontains=q),
        )
        .exclude(state="draft", email="")
        .order_by("-created_at")[:RESULTS_PER_KIND]
    )
    coupons = []
    found = coupon_find(code=q)
    if found is not None:
        coupons.append(found)
    if _HINT.match(q.replace("-", "")):
        hint = q.replace("-", "").upper()
        coupons += list(
            Coupon.objects.filter(code_hint__iendswith=hint).exclude(pk__in=[c.pk for c in coupons])[:RESULTS_PER_KIND]
        )
    coupons = list(Coupon.objects.select_related("program").filter(pk__in=[c.pk for c in coupons]))
    organisations = list(
        Organisation.objects.filter(Q(org_id__iexact=q) | Q(name__icontains=q) | Q(registry_number__iexact=q)).order_by(
            "name"
        )[:RESULTS_PER_KIND]
    )
    accounts = list(
        CustomerAccount.objects.filter(Q(email__icontains=q) | Q(organisation_name__icontains=q)).order_by("email")[
            :RESULTS_PER_KIND
        ]
    )
    return SearchResults(q, list(applications), coupons, organisations, accounts)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "audit", "email", "webhook", "case"
    what: str
    actor: str
    detail: str = ""


def _actor(entry: AuditEntry) -> str:
    if entry.actor_id:
        return entry.actor.get_username()
    return entry.actor_label or "system"


def application_timeline(*, application: Application) -> list[TimelineEntry]:
    """Every transition (the audit log of the application and its coupon), email and webhook, oldest first."""
    entries = []
    coupon = application.coupon
    audits = AuditEntry.objects.select_related("actor").filter(
        Q(object_type="application", object_id=str(application.pk))
        | Q(object_type="coupon", object_id=str(coupon.pk) if coupon else "-")
    )
    for entry in audits:
        detail = ""
        after = entry.after or {}
        if isinstance(after, dict):
            detail = after.get("reason") or after.get("state") or ""
        entries.append(TimelineEntry(entry.at, "audit", entry.action, _actor(entry), str(detail)))
    for email in OutboxEmail.objects.filter(dedupe_key__startswith=f"application:{application.pk}:"):
        entries.append(
            TimelineEntry(
                email.created_at,
                "email",
                email.template,
                "outbox",
                f"{email.subject} → {email_mask(email.to)} ({email.state})",
            )
        )
    for event in WebhookEvent.objects.filter(
        Q(application=application) | Q(coupon=coupon) if coupon else Q(application=application)
    ):
        entries.append(TimelineEntry(event.created_at, "webhook", event.type, "webhooks", str(event.uuid)))
    for case in SupportCase.objects.filter(application=application):
        entries.append(TimelineEntry(case.opened_at, "case", case.kind, "applicant", case.message[:200]))
    return sorted(entries, key=lambda entry: entry.at)


def coupon_redemption(coupon: Coupon | None) -> dict | None:
    """When and by which store account (masked) the coupon was redeemed. The store binds a coupon to its email,
    so the account is the one with that email; a checkout's redemption key also names the account."""
    if coupon is None or coupon.redeemed_at is None:
        return None
    account = None
    match = re.match(r"^checkout:(\d+):", coupon.redemption_key or "")
    if match:
        account = CustomerAccount.objects.filter(pk=int(match.group(1))).first()
    return {
        "at": coupon.redeemed_at,
        "account": email_mask(account.email if account else coupon.email),
        "account_id": account.pk if account else None,
        "channel": _("store") if match else _("partner API"),
    }


def open_cases():
    return SupportCase.objects.select_related("application").filter(state="open")
