"""The coupon an approval earns: issued by the coupons app, bound to the application here (Application.coupon).

Locking: the coupon row is inserted under the one-active-coupon-per-organisation constraint, then the application
takes it with `UPDATE … SET coupon = ? WHERE id = ? AND coupon IS NULL`; a second issue for the same application
loses that update and its transaction (with its coupon) rolls back.
"""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import Conflict
from coupons.models import Coupon
from coupons.services import coupon_issue
from verification.models import Application


def application_coupon_issue(
    *, application: Application, actor=None, now: datetime | None = None
) -> tuple[Coupon, str]:
    """Issue the application's coupon; returns it with its code (which exists nowhere else). Raises Conflict
    `coupon_already_issued` when the application already has one, or what `coupon_issue` raises."""
    already = Conflict(
        _("A coupon was already issued for this application."),
        code="coupon_already_issued",
        details={"reference": application.reference},
    )
    if application.coupon_id is not None:
        raise already
    with transaction.atomic():
        coupon, code = coupon_issue(
            program=application.program,
            organisation=application.organisation,
            email=application.email,
            reference=application.reference,
            actor=actor,
            now=now,
        )
        if not Application.objects.filter(pk=application.pk, coupon__isnull=True).update(coupon=coupon):
            raise already
    application.coupon = coupon
    return coupon, code
