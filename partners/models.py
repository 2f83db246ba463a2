"""Partners integrate through the API: each holds API keys (stored hashed, scoped, revocable) and its idempotency
records. Locking and counting rules are in docs/api.md, "Keys, limits and retries"."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    ORGANISATIONS_READ = "organisations:read", _("Read organisations")
    APPLICATIONS_READ = "applications:read", _("Read applications")
    APPLICATIONS_WRITE = "applications:write", _("Create applications and invites")
    COUPONS_REDEEM = "coupons:redeem", _("Validate and redeem coupons")
    WEBHOOKS_MANAGE = "webhooks:manage", _("Manage webhook subscriptions")


class Partner(models.Model):
    """A vendor whose store is elsewhere, or a product embedding Vouch. It works within one program."""

    name = models.CharField(max_length=200)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="partners")
    # The program's vendor sees every application of the program; other partners only the ones they brought.
    sees_all_applications = models.BooleanField(default=False)
    contact_email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    """`vch_<prefix>_<secret>`: the prefix finds the row, the SHA-256 of the whole key proves it (the secret has 256
    bits of entropy, so a fast hash is enough). The key itself is shown once and stored nowhere."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    requests_per_minute = models.PositiveIntegerField(default=120)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (vch_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.partner.is_active


class ApiKeyWindow(models.Model):
    """Requests made with a key in one minute: a row per key and minute, incremented with one UPDATE so concurrent
    requests count exactly."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["api_key", "window_start"], name="one_window_per_key_minute")]

    def __str__(self) -> str:
        return f"{self.api_key_id} @ {self.window_start:%Y-%m-%d %H:%M}: {self.count}"


class IdempotencyRecord(models.Model):
    """The first response to a creating POST under an Idempotency-Key, replayed for retries of the same request.
    A row without a status is a request still running."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    path = models.CharField(max_length=300)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "key"], name="one_record_per_partner_key")]

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.key}"


class Invite(models.Model):
    """A link to the hosted journey that a partner hands to one applicant: the application it starts is the
    partner's, prefilled with what the partner already knows, and the status page leads back to `redirect_url`.
    One use: the first application started through it takes it (a conditional UPDATE on `used_at`)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="invites")
    public_id = models.CharField(max_length=32, unique=True)  # what the API calls its id: inv_…
    token = models.CharField(max_length=64, unique=True)  # the link's secret, like an application's status link
    redirect_url = models.CharField(max_length=2000)
    external_id = models.CharField(max_length=200, blank=True)  # the partner's own id, echoed back
    prefill_email = models.CharField(max_length=254, blank=True)
    prefill_org_id = models.CharField(max_length=48, blank=True)
    prefill_country = models.CharField(max_length=2, blank=True)
    language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    application = models.OneToOneField(
        "verification.Application", null=True, blank=True, on_delete=models.SET_NULL, related_name="invite"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.public_id
