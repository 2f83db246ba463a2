"""Reads for partners: which applications a partner may see, filtered and in a stable order for paging.

A partner sees the applications it brought (API call or hosted invite); the program's vendor
(`sees_all_applications`) sees every application of its program. Anything else is "not found", never
"forbidden": a partner must not learn that another's application exists.
"""

import re
from datetime import datetime

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.models import AuditEntry
from verification.models import Application

REFERENCE_PATTERN = re.compile(r"^VCH-[0-9A-Z]{8}$")


def partner_applications(*, partner) -> QuerySet[Application]:
    visible = Q(partner=partner)
    if partner.sees_all_applications:
        visible |= Q(program_id=partner.program_id)
    return Application.objects.filter(visible).select_related("program", "organisation", "partner")


def partner_application_get(*, partner, reference: str) -> Application:
    reference = (reference or "").strip().upper()
    application = (
        partner_applications(partner=partner).filter(reference=reference).first()
        if REFERENCE_PATTERN.fullmatch(reference)
        else None
    )
    if application is None:
        raise NotFound(_("No application with this reference."), code="application_not_found")
    return application


def partner_applications_filter(
    *,
    partner,
    state: str | None = None,
    country: str | None = None,
    org_id: str | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    updated_since: datetime | None = None,
    after: tuple[datetime, int] | None = None,
) -> QuerySet[Application]:
    """Oldest first, by (created_at, id): a total order, so keyset paging from `after` skips and repeats nothing.

    "Updated" is a change that was audited (every state change is: submission, decisions, expiry, the email
    proven) or the creation itself."""
    queryset = partner_applications(partner=partner)
    if state:
        queryset = queryset.filter(state=state)
    if country:
        queryset = queryset.filter(country=country.upper())
    if org_id:
        queryset = queryset.filter(organisation__org_id=org_id.strip().upper())
    if created_after:
        queryset = queryset.filter(created_at__gte=created_after)
    if created_before:
        queryset = queryset.filter(created_at__lt=created_before)
    if updated_since:
        changed = AuditEntry.objects.filter(
            object_type="application", at__gte=updated_since, object_id=Cast(OuterRef("pk"), output_field=CharField())
        )
        queryset = queryset.filter(Q(created_at__gte=updated_since) | Exists(changed))
    if after:
        created_at, pk = after
        queryset = queryset.filter(Q(created_at__gt=created_at) | Q(created_at=created_at, pk__gt=pk))
    return queryset.order_by("created_at", "pk")
