"""Background tasks of the store (django.tasks), for the scheduler to run periodically."""

from django.tasks import task

from billing.tax_exemptions import tax_certificates_rejected_prune


@task
def tax_certificates_rejected_prune_task() -> int:
    """Daily: delete the certificates of tax-exemption requests rejected longer ago than
    REJECTED_UPLOAD_RETENTION_DAYS."""
    return tax_certificates_rejected_prune()
