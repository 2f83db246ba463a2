"""What the proofs record: one row per attempt, with every check's evidence (what was looked at, what was found,
when). Imported by verification.models so Django sees them as the verification app's models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProofState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    VERIFIED = "verified", _("Verified")
    EXPIRED = "expired", _("Expired")


class DomainProof(models.Model):
    """The applicant's claim to control `domain` (the registered domain of their email), and its checks."""

    application = models.ForeignKey("verification.Application", on_delete=models.CASCADE, related_name="domain_proofs")
    domain = models.CharField(max_length=253)  # ASCII (punycode), lower case; shown in Unicode
    token = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=ProofState.choices, default=ProofState.PENDING)
    method = models.CharField(max_length=20, blank=True)  # dns_txt | well_known, once control is shown
    control_verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    recheck_until = models.DateTimeField()  # automatic re-checks stop then (48 hours)
    next_check_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    checks = models.PositiveIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)  # control shown and the domain tied
    evidence = models.JSONField(default=list, blank=True)  # the latest checks, newest last (bounded)
    # How the domain is tied to the organisation (register website/email, or its registry number on its site).
    tie = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "domain"], name="one_domain_proof_per_domain")]
        indexes = [models.Index(fields=["state", "next_check_at"])]

    def __str__(self) -> str:
        return f"{self.domain} ({self.state})"


class ContactState(models.TextChoices):
    PENDING = "pending", _("Waiting for the published contact")
    CONFIRMED = "confirmed", _("Confirmed by the published contact")
    DENIED = "denied", _("Denied by the published contact")
    EXPIRED = "expired", _("Expired")


class ContactConfirmation(models.Model):
    """An email to the address the register publishes for the organisation, asking it to confirm the applicant."""

    application = models.ForeignKey(
        "verification.Application", on_delete=models.CASCADE, related_name="contact_confirmations"
    )
    email = models.EmailField()  # the published address the request went to
    source = models.CharField(max_length=40)  # which register published it
    token_hash = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=10, choices=ContactState.choices, default=ContactState.PENDING)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.state})"
