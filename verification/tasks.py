"""Background tasks of verification (django.tasks), for the scheduler to run periodically."""

from django.tasks import task

from verification.documents import documents_rejected_prune


@task
def documents_rejected_prune_task() -> int:
    """Daily: delete the documents of applications rejected longer ago than REJECTED_UPLOAD_RETENTION_DAYS."""
    return documents_rejected_prune()
