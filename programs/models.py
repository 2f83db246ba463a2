"""Programs: a vendor's nonprofit discount program, every rule of it as data a program admin edits; its published
rules versions; its terms and privacy texts, per version and language."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from programs import validation

DEFAULT_EXCLUSIONS = ["school", "higher_education", "government", "political"]
DEFAULT_PRODUCTS = ["workplace-pro", "workplace-business", "large-meetings", "webinars", "cloud-storage"]


class Program(models.Model):
    """A vendor's nonprofit discount program: every rule the page states, as data a program admin edits.

    The fields that decide eligibility and the discount (programs.rulebook.RULE_FIELDS) are published as numbered,
    immutable rules versions (ProgramRulesVersion) whenever they change; the terms and privacy texts are ProgramText
    rows, `terms_version` and `privacy_version` naming the ones in force."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    description = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    vendor_name = models.CharField(max_length=200)
    budget_cap_minor = models.BigIntegerField(default=10_000_000 * 100)  # inclusive
    budget_currency = models.CharField(
        max_length=3, default="USD", validators=[validation.validate_currency], help_text=validation.HELP["currency"]
    )
    # Units of the budget currency per unit of another currency, e.g. {"GBP": "1.27", "EUR": "1.08"}.
    exchange_rates = models.JSONField(
        default=dict, blank=True, validators=[validation.validate_exchange_rates], help_text=validation.HELP["rates"]
    )
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("50"))
    eligible_products = models.JSONField(
        default=list, validators=[validation.validate_products], help_text=validation.HELP["products"]
    )
    # ISO codes; empty = every country with a register
    supported_countries = models.JSONField(
        default=list, blank=True, validators=[validation.validate_countries], help_text=validation.HELP["countries"]
    )
    exclusions = models.JSONField(  # category slugs (registry.categories.Category)
        default=list, blank=True, validators=[validation.validate_exclusions], help_text=validation.HELP["exclusions"]
    )
    sanctioned_countries = models.JSONField(
        default=list, blank=True, validators=[validation.validate_countries], help_text=validation.HELP["sanctioned"]
    )
    # Documents accepted where no imported register settles the organisation, by country ("*": any other), as
    # DocumentKind codes; empty: programs.documents' defaults.
    country_documents = models.JSONField(
        default=dict,
        blank=True,
        validators=[validation.validate_country_documents],
        help_text=validation.HELP["documents"],
    )
    terms_version = models.CharField(max_length=40, blank=True)
    privacy_version = models.CharField(max_length=40, blank=True)
    review_sla_business_days = models.PositiveSmallIntegerField(default=3)
    application_expiry_days = models.PositiveSmallIntegerField(default=30)
    coupon_redeem_days = models.PositiveSmallIntegerField(default=90)
    education_program_url = models.URLField(blank=True)
    sales_contact_url = models.URLField(blank=True)
    support_contact = models.CharField(max_length=200, blank=True)  # the vendor's support, for coupon problems
    is_active = models.BooleanField(default=True)

    class Meta:
        # The table kept its first name when the model moved from verification (no data migration needed).
        db_table = "verification_program"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Codes in their canonical case (ISO codes upper case), then the texts named must exist."""
        self.budget_currency = (self.budget_currency or "").strip().upper()
        self.supported_countries = validation.codes_upper(self.supported_countries)
        self.sanctioned_countries = validation.codes_upper(self.sanctioned_countries)
        if isinstance(self.exchange_rates, dict):
            self.exchange_rates = {str(key).strip().upper(): value for key, value in self.exchange_rates.items()}
        if isinstance(self.country_documents, dict):
            self.country_documents = {str(key).strip().upper(): value for key, value in self.country_documents.items()}
        if self.pk:
            errors = {
                field: message
                for field, kind in (
                    ("terms_version", ProgramTextKind.TERMS),
                    ("privacy_version", ProgramTextKind.PRIVACY),
                )
                if (message := validation.text_version_missing(self, kind, getattr(self, field)))
            }
            if errors:
                raise ValidationError(errors)

    @property
    def display_name(self) -> str:
        """The name in the active language (French when one is set and the page is French)."""
        return self.name_fr if _is_french() and self.name_fr else self.name

    @property
    def display_description(self) -> str:
        return self.description_fr if _is_french() and self.description_fr else self.description


def _is_french() -> bool:
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0] == "fr"


class ProgramRulesVersion(models.Model):
    """One published state of a program's rules: numbered 1, 2, 3… per program, never changed once written
    (programs.rulebook.program_rules_publish writes them). `snapshot` is the language-neutral rules
    (programs.rulebook.rules_snapshot), `engine_version` the rule engine's version that applied them."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="rules_versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    snapshot = models.JSONField()
    engine_version = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["program", "number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="programs_one_rules_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("A published rules version cannot be changed."), code="rules_version_immutable")
        super().save(*args, **kwargs)


class ProgramTextKind(models.TextChoices):
    TERMS = "terms", _("Terms")
    PRIVACY = "privacy", _("Privacy policy")


class ProgramTextLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")


class ProgramText(models.Model):
    """One version of a program's terms or privacy notice in one language. Immutable: a new version is a new row;
    the program's `terms_version` / `privacy_version` say which is in force."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="texts")
    kind = models.CharField(_("kind"), max_length=10, choices=ProgramTextKind.choices)
    version = models.CharField(_("version"), max_length=40)
    language = models.CharField(_("language"), max_length=8, choices=ProgramTextLanguage.choices)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "kind", "-created_at", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "kind", "version", "language"], name="programs_one_text_per_version_language"
            ),
        ]
        verbose_name = _("program text")
        verbose_name_plural = _("program texts")

    def __str__(self) -> str:
        return f"{self.kind} {self.version} ({self.language})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("A published text cannot be changed: add a new version."), code="text_immutable")
        super().save(*args, **kwargs)
