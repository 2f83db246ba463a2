"""Documents an applicant uploads (organisations added by hand, answers to a reviewer, appeals), checked and
stored by core.uploads (type from the content, size counted while reading, random names outside the web root).

Which application states accept documents is the caller's decision (verification.services and the views).
"""

from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import InvalidInput
from core.uploads import upload_discard, upload_display_name, upload_open, upload_store
from verification.models import Application, Document

MAX_DOCUMENTS_PER_APPLICATION = 10
document_display_name = upload_display_name  # the name the pages show


def _check_count(application: Application) -> None:
    if Document.objects.filter(application_id=application.pk).count() >= MAX_DOCUMENTS_PER_APPLICATION:
        raise InvalidInput(
            _("At most %(count)d documents can be attached to an application.")
            % {"count": MAX_DOCUMENTS_PER_APPLICATION},
            code="too_many_documents", details={"max_documents": MAX_DOCUMENTS_PER_APPLICATION})


def document_store(*, application: Application, uploaded_file, for_appeal: bool = False, actor=None) -> Document:
    """Check and store one uploaded file for an application. Raises InvalidInput with code document_empty,
    document_too_large, document_type_not_allowed or too_many_documents."""
    _check_count(application)  # before reading the upload; checked again under a lock below
    stored = upload_store(uploaded_file, default_name="document")
    try:
        with transaction.atomic():
            # Serialise uploads to one application so the limit holds under concurrent requests.
            Application.objects.select_for_update().filter(pk=application.pk).exists()
            _check_count(application)
            document = Document.objects.create(
                application=application, stored_name=stored.stored_name, size=stored.size, sha256=stored.sha256,
                content_type=stored.content_type, for_appeal=for_appeal, original_name=stored.original_name)
            audit_record(action="document.uploaded", object_type="application", object_id=application.pk,
                         actor=actor, actor_label="" if actor else "applicant",
                         after={"document": document.pk, "name": document.original_name,
                                "type": stored.content_type, "size": stored.size, "sha256": stored.sha256,
                                "for_appeal": for_appeal})
    except BaseException:
        upload_discard(stored.stored_name)
        raise
    return document


def document_open(*, document: Document) -> IO[bytes]:
    """The stored file, opened for binary reading (the caller closes it). Raises NotFound if the file is gone."""
    return upload_open(document.stored_name)
