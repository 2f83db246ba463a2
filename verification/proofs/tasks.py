"""Background work for the proofs (the django.tasks API). The scheduler runs `recheck_domain_proofs` every few
minutes; `domain_proofs_recheck` is the same work as a plain function (the command and tests call it)."""

from django.tasks import task

from verification.proofs.services import domain_proofs_recheck


@task
def recheck_domain_proofs() -> dict[str, int]:
    """Re-check pending domain proofs that are due; expire those older than 48 hours. Idempotent."""
    return domain_proofs_recheck()
