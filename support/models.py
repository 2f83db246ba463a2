"""Support cases: what a person reported that staff must look at. Today one kind: "this was not me" (the applicant
says someone else redeemed their coupon), opened from the status page. The support console lists open cases and
each application's page shows its cases; closing one needs a resolution note. Audited (support.services).

The support app sits above verification and billing (it reads both, neither imports it): it owns the console's
permissions and the roles (support.roles)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    NOT_ME = "not_me", _("Coupon redeemed by someone else")


class CaseState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SupportCase(models.Model):
    application = models.ForeignKey("verification.Application", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices)
    state = models.CharField(_("state"), max_length=10, choices=CaseState.choices, default=CaseState.OPEN)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            # One open case per application and kind: pressing the button twice does not open two.
            models.UniqueConstraint(
                fields=["application", "kind"],
                condition=Q(state="open"),
                name="support_one_open_case_per_application_and_kind",
            ),
        ]
        permissions = [
            ("use_console", "Can search and read the support console"),
            ("act_on_coupons", "Can revoke, reissue and extend coupons"),
            ("resend_email", "Can resend an email to an applicant"),
            ("handle_case", "Can close support cases"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.application_id} ({self.state})"
