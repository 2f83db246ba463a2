from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.Model):
    """A registry Vouch imports from (one per importer), with its licence and where to download it."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2)
    licence = models.CharField(max_length=200)
    licence_url = models.URLField(blank=True)
    download_url = models.URLField(blank=True)
    last_imported_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.slug


class OrganisationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REMOVED = "removed", _("Removed")


class Organisation(models.Model):
    """An organisation as its registry describes it. Written only by the import pipeline."""

    org_id = models.CharField(max_length=48, unique=True)  # org-id.guide style, e.g. US-EIN-030413726
    registry_number = models.CharField(max_length=32, db_index=True)
    country = models.CharField(max_length=2)
    # No index: only snapshots filter on it, rarely, and an index costs every import row.
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="organisations", db_index=False)

    name = models.CharField(max_length=300)
    other_names = models.JSONField(default=list, blank=True)  # [{"kind": "trading"|"sort"|"known_as"|…, "name": …}]
    search_name = models.CharField(max_length=300)  # normalised legal name; see registry.search.normalise
    search_alt = models.TextField(blank=True)  # normalised other names, separated by " | "

    status = models.CharField(max_length=10, choices=OrganisationStatus.choices, default=OrganisationStatus.ACTIVE)
    status_detail = models.CharField(max_length=200, blank=True)  # the registry's own wording
    registered_on = models.DateField(null=True, blank=True)
    removed_on = models.DateField(null=True, blank=True)
    removal_reason = models.CharField(max_length=300, blank=True)

    categories = models.JSONField(default=list, blank=True)
    raw_codes = models.JSONField(default=dict, blank=True)

    income_minor = models.BigIntegerField(null=True, blank=True)
    income_currency = models.CharField(max_length=3, blank=True)
    income_period_start = models.DateField(null=True, blank=True)
    income_period_end = models.DateField(null=True, blank=True)

    website = models.CharField(max_length=300, blank=True)
    email_domain = models.CharField(max_length=200, blank=True)
    street = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=120, blank=True)
    region = models.CharField(max_length=120, blank=True)
    postcode = models.CharField(max_length=20, blank=True)

    content_hash = models.CharField(max_length=32, blank=True)  # hash of the source row, to skip unchanged rows
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["search_name"], name="org_search_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.org_id})"

    @property
    def is_active(self) -> bool:
        return self.status == OrganisationStatus.ACTIVE


class ImportRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="runs")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    snapshot = models.BooleanField(default=False)
    files = models.JSONField(default=list)  # [{"path": …, "sha256": …, "bytes": …, "encoding": …}]
    read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source.slug} run {self.pk} ({self.status})"


class RejectedRow(models.Model):
    """A row an import skipped, with where it was and why. Kept for the first rows of each run."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejected_rows")
    file = models.CharField(max_length=500)
    line = models.PositiveIntegerField()
    reason = models.CharField(max_length=500)
    raw = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "id"]

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class ImportJournalEntry(models.Model):
    """An organisation row as it was before an import that commits in batches first changed it (`before` is None:
    the run inserted it). A failed run is undone from these; a finished run deletes them. See
    registry/importers/journal.py."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="+")
    organisation_pk = models.BigIntegerField()
    before = models.JSONField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "organisation_pk"], name="journal_one_image_per_row")]

    def __str__(self) -> str:
        return f"run {self.run_id} organisation {self.organisation_pk}"


class SearchIndexState(models.Model):
    """One row: the normalisation version the stored search keys were folded with (see registry.search.refold)."""

    normalisation_version = models.PositiveIntegerField(default=0)  # 0: never recorded (keys older than version 3)
    refolded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"search keys folded with version {self.normalisation_version}"
