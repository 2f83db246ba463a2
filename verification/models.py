"""Applications (an organisation's request to join a program), their checks, email challenges, documents, appeals."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import SingleLineValidator
from programs.models import Program, ProgramRulesVersion
from registry.models import Organisation
from verification.rules.explanations import explanation_render


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")  # checks running or about to
    IN_REVIEW = "in_review", _("In review")
    NEEDS_INFORMATION = "needs_information", _("More information needed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    APPEALED = "appealed", _("Appealed")
    EXPIRED = "expired", _("Expired")


OPEN_STATES = (
    ApplicationState.DRAFT,
    ApplicationState.SUBMITTED,
    ApplicationState.IN_REVIEW,
    ApplicationState.NEEDS_INFORMATION,
    ApplicationState.APPEALED,
)


class Application(models.Model):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="applications")
    # The partner whose API call or hosted invite brought the application, if any (see partners).
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="applications"
    )
    # Unguessable: the status page's link. The reference is what people quote (support, the vendor's store).
    token = models.CharField(max_length=64, unique=True)
    reference = models.CharField(max_length=16, unique=True)
    state = models.CharField(max_length=20, choices=ApplicationState.choices, default=ApplicationState.DRAFT)
    language = models.CharField(max_length=8, default="en")

    declared_budget_minor = models.BigIntegerField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    # An organisation added by hand (not found in a register): documents and a review are needed.
    manual_name = models.CharField(max_length=300, blank=True)
    manual_registry_number = models.CharField(max_length=60, blank=True)
    manual_website = models.CharField(max_length=300, blank=True)
    manual_address = models.TextField(blank=True)

    applicant_name = models.CharField(max_length=200, blank=True, validators=[SingleLineValidator()])
    email = models.EmailField(blank=True)  # normalised: the vendor account's email, the coupon is bound to it
    email_verified_at = models.DateTimeField(null=True, blank=True)

    terms_version = models.CharField(max_length=40, blank=True)
    privacy_version = models.CharField(max_length=40, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_ip = models.GenericIPAddressField(null=True, blank=True)
    accepted_user_agent = models.CharField(max_length=500, blank=True)
    # The language of the terms and privacy texts the applicant was shown and accepted ("en", "fr").
    accepted_language = models.CharField(max_length=8, blank=True)
    # The program's rules version the decision applied (programs.ProgramRulesVersion), set with the decision.
    rules_version = models.ForeignKey(
        ProgramRulesVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)  # review promise: SLA business days after submission
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_automatically = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reasons = models.JSONField(default=list, blank=True)  # [{"code": …, "message": …}]
    decision_message = models.TextField(blank=True)
    # The coupon the approval earned (a coupon knows its organisation, program and email, not its application).
    coupon = models.OneToOneField("coupons.Coupon", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    information_request = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "due_at"]), models.Index(fields=["email"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_manual(self) -> bool:
        return self.organisation_id is None and bool(self.manual_name)

    @property
    def organisation_name(self) -> str:
        return self.organisation.name if self.organisation is not None else self.manual_name


class CheckOutcome(models.TextChoices):
    PASS = "pass", _("Passed")
    FAIL = "fail", _("Failed")
    REVIEW = "review", _("Needs review")


class CheckResult(models.Model):
    """One rule's verdict on an application, with what it looked at (kept as decided, for the record)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="checks")
    rule = models.CharField(max_length=40)  # which rule (verification.rules)
    outcome = models.CharField(max_length=10, choices=CheckOutcome.choices)
    code = models.CharField(max_length=60)
    # The explanation as a key of verification.rules.explanations.TEMPLATES and its parameters, rendered in the
    # reader's language; `message` keeps the text the applicant was told (shown where the key is unknown).
    message_key = models.CharField(max_length=80, blank=True)
    params = models.JSONField(default=dict, blank=True)
    message = models.TextField()
    evidence = models.JSONField(default=dict, blank=True)
    # The program's rules version the check applied.
    rules_version = models.ForeignKey(
        ProgramRulesVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.rule}: {self.outcome} ({self.code})"

    @property
    def explanation(self) -> str:
        """The explanation in the active language."""
        return explanation_render(self.message_key, self.params, fallback=self.message)


class EmailChallenge(models.Model):
    """A one-time code proving control of the application's email."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="email_challenges")
    email = models.EmailField()
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"challenge for {self.application_id}"


class Document(models.Model):
    """A file an applicant uploaded. Stored outside the web root; only reviewers can view it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    stored_name = models.CharField(max_length=100, unique=True)  # random; never the uploaded name
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)  # from the content, not from the upload's claim
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    for_appeal = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.original_name


class Appeal(models.Model):
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="appeal")
    statement = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    first_reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"appeal of {self.application_id}"


# The proofs' models live with their code (verification/proofs/models.py); importing them here registers them.
from verification.proofs.models import ContactConfirmation, DomainProof  # noqa: E402, F401
from verification.receipts.models import PresentedReceipt, Receipt, SigningKey, TrustedIssuer  # noqa: E402, F401
