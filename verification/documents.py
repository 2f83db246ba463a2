"""Documents an applicant uploads (organisations added by hand, answers to a reviewer, appeals), checked and
stored by core.uploads (type from the content, size counted while reading, random names outside the web root).

Which application states accept documents is the caller's decision (verification.services and the views).
"""

from datetime import datetime, timedelta
from typing import IO

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import InvalidInput
from core.uploads import upload_discard, upload_display_name, upload_open, upload_store
from verification.models import Application, ApplicationState, Document

MAX_DOCUMENTS_PER_APPLICATION = 10  # the default of settings.DOCUMENTS_PER_APPLICATION_MAX
document_display_name = upload_display_name  # the name the pages show


def _check_count(application: Application, adding_bytes: int = 0) -> None:
    """The application's quota: settings.DOCUMENTS_PER_APPLICATION_MAX files, DOCUMENTS_PER_APPLICATION_MAX_BYTES
    in all."""
    most = settings.DOCUMENTS_PER_APPLICATION_MAX
    stored = Document.objects.filter(application_id=application.pk).aggregate(count=Count("pk"), size=Sum("size"))
    if stored["count"] >= most:
        raise InvalidInput(
            _("At most %(count)d documents can be attached to an application.") % {"count": most},
            code="too_many_documents",
            details={"max_documents": most},
        )
    most_bytes = settings.DOCUMENTS_PER_APPLICATION_MAX_BYTES
    if (stored["size"] or 0) + adding_bytes > most_bytes:
        raise InvalidInput(
            _("The documents of an application may total %(size)s MB at most.")
            % {"size": f"{most_bytes / (1024 * 1024):.3g}"},
            code="documents_quota_exceeded",
            details={"max_total_bytes": most_bytes},
        )


def _require_email_proven(application: Application) -> None:
    if application.email_verified_at is None:
        raise InvalidInput(
            _("Confirm your email with the code we sent before uploading documents."), code="email_not_verified"
        )


def document_store(*, application: Application, uploaded_file, for_appeal: bool = False, actor=None) -> Document:
    """Check and store one uploaded file for an application whose email is proven. Raises InvalidInput with code
    email_not_verified, document_empty, document_too_large, document_type_not_allowed, too_many_documents or
    documents_quota_exceeded."""
    _require_email_proven(application)
    claimed = getattr(uploaded_file, "size", None)
    _check_count(application, claimed if isinstance(claimed, int) else 0)  # checked again under a lock below
    stored = upload_store(uploaded_file, default_name="document")
    try:
        with transaction.atomic():
            # Serialise uploads to one application so the limit holds under concurrent requests.
            Application.objects.select_for_update().filter(pk=application.pk).exists()
            _check_count(application, stored.size)
            document = Document.objects.create(
                application=application,
                stored_name=stored.stored_name,
                size=stored.size,
                sha256=stored.sha256,
                content_type=stored.content_type,
                for_appeal=for_appeal,
                original_name=stored.original_name,
            )
            audit_record(
                action="document.uploaded",
                object_type="application",
                object_id=application.pk,
                actor=actor,
                actor_label="" if actor else "applicant",
                after={
                    "document": document.pk,
                    "name": document.original_name,
                    "type": stored.content_type,
                    "size": stored.size,
                    "sha256": stored.sha256,
                    "for_appeal": for_appeal,
                },
            )
    except BaseException:
        upload_discard(stored.stored_name)
        raise
    return document


def document_open(*, document: Document) -> IO[bytes]:
    """The stored file, opened for binary reading (the caller closes it). Raises NotFound if the file is gone."""
    return upload_open(document.stored_name)


def documents_rejected_prune(*, now: datetime | None = None, retention_days: int | None = None) -> int:
    """Delete the files (and rows) of documents attached to applications rejected more than retention_days ago
    (settings.REJECTED_UPLOAD_RETENTION_DAYS). Idempotent; returns how many went. Scheduled daily through the
    `documents_rejected_prune_task` task or the `prune_rejected_documents` command."""

    now = now or timezone.now()
    days = settings.REJECTED_UPLOAD_RETENTION_DAYS if retention_days is None else retention_days
    old = Document.objects.filter(
        application__state=ApplicationState.REJECTED, application__decided_at__lt=now - timedelta(days=days)
    )
    removed = 0
    for document in old.iterator():
        with transaction.atomic():
            if Document.objects.filter(pk=document.pk).delete()[0]:
                audit_record(
                    action="document.pruned",
                    object_type="application",
                    object_id=document.application_id,
                    actor_label="retention",
                    before={"document": document.pk, "size": document.size, "sha256": document.sha256},
                )
                removed += 1
        upload_discard(document.stored_name)
    return removed
