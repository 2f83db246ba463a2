"""Receipts issued, the keys that sign them, the issuers programs trust, and receipts applicants presented.
Imported by verification.models so Django sees them as the verification app's models."""

from django.db import models


class SigningKey(models.Model):
    """An Ed25519 key. One is active (signs); retired keys stay published in the key set so receipts they signed
    still verify. The private half is stored as a JWK (protect the database and its backups accordingly)."""

    kid = models.CharField(max_length=64, unique=True)
    private_jwk = models.JSONField()
    public_jwk = models.JSONField()
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.kid


class Receipt(models.Model):
    """A receipt issued on approval. `status_index` is its bit in the revocation status list."""

    application = models.OneToOneField("verification.Application", on_delete=models.PROTECT, related_name="receipt")
    receipt_id = models.CharField(max_length=80, unique=True)  # urn:uuid:…
    status_index = models.PositiveIntegerField(unique=True)
    kid = models.CharField(max_length=64)
    jws = models.TextField()
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.receipt_id


class TrustedIssuer(models.Model):
    """Another Vouch (or compatible issuer) whose receipts a program accepts, for the checks listed in `covers`."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="trusted_issuers")
    name = models.CharField(max_length=200)
    base_url = models.URLField()  # the issuer id in its receipts; its key set is at <base_url>/.well-known/jwks.json
    covers = models.JSONField(default=list)  # rule names the receipt may settle
    is_active = models.BooleanField(default=True)
    jwks = models.JSONField(default=dict, blank=True)  # the last key set fetched
    jwks_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "base_url"], name="one_trusted_issuer_per_url")]

    def __str__(self) -> str:
        return f"{self.name} ({self.base_url})"


class PresentedReceipt(models.Model):
    """A receipt an applicant presented, with the verification's answer (kept as evidence either way)."""

    application = models.ForeignKey(
        "verification.Application", on_delete=models.CASCADE, related_name="presented_receipts"
    )
    issuer = models.CharField(max_length=300, blank=True)
    receipt_id = models.CharField(max_length=200, blank=True)
    org_id = models.CharField(max_length=48, blank=True)
    covers = models.JSONField(default=list, blank=True)
    representative_domain = models.CharField(max_length=253, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    accepted = models.BooleanField(default=False)
    outcome = models.CharField(max_length=20)  # valid | invalid | expired | revoked
    code = models.CharField(max_length=60)
    detail = models.TextField(blank=True)
    jws = models.TextField()
    presented_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.receipt_id} ({self.outcome})"
