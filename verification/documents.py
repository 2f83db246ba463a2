"""Documents an applicant uploads (organisations added by hand, answers to a reviewer, appeals).

Trust nothing the upload claims: the type comes from the content's first bytes (PDF, PNG or JPEG only), the size is
counted while reading (settings.DOCUMENT_MAX_BYTES), and the file is stored under settings.DOCUMENTS_DIR (outside
the web root, never served as a static file) with a random name: no part of the uploaded name reaches the file
system. The uploaded name is kept, cleaned, for display only. Reviewers read files through `document_open`; serve
them with the recorded content type, `X-Content-Type-Options: nosniff` and a restrictive Content-Security-Policy.

Which application states accept documents is the caller's decision (verification.services and the views).
"""

import contextlib
import hashlib
import os
import re
import secrets
import tempfile
import unicodedata
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import InvalidInput, NotFound
from verification.models import Application, Document

MAX_DOCUMENTS_PER_APPLICATION = 10  # the default of settings.DOCUMENTS_PER_APPLICATION_MAX
NAME_MAX_CHARS = 255
CHUNK_BYTES = 64 * 1024

# Content signatures at offset 0 -> (content type, extension).
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|png|jpg)$")


def document_sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an allowed format from the file's first bytes, or None."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            if extension == "png" and head[12:16] != b"IHDR":  # the first chunk of every PNG
                return None
            return content_type, extension
    return None


def document_display_name(name: str | None, *, default: str = "document") -> str:
    """The uploaded name, for display only: no folders, no control or bidi-override characters, 255 at most."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(" " if ch.isspace() else ch for ch in name if ch.isspace() or unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    return name[:NAME_MAX_CHARS] or default


def _path(stored_name: str) -> Path:
    if not _STORED_NAME.match(stored_name):
        raise NotFound(_("This document does not exist."), code="document_not_found")
    return Path(settings.DOCUMENTS_DIR) / stored_name[:2] / stored_name


def _chunks(uploaded_file):
    if hasattr(uploaded_file, "seek"):
        with contextlib.suppress(OSError, ValueError):  # not seekable: read from where it is
            uploaded_file.seek(0)
    if hasattr(uploaded_file, "chunks"):
        yield from uploaded_file.chunks(CHUNK_BYTES)
        return
    while chunk := uploaded_file.read(CHUNK_BYTES):
        yield chunk


def _too_large(limit: int) -> InvalidInput:
    return InvalidInput(
        _("The file is too large: at most %(size)s MB.") % {"size": f"{limit / (1024 * 1024):.3g}"},
        code="document_too_large", details={"max_bytes": limit})


def _write_temporary(uploaded_file, folder: Path, limit: int) -> tuple[Path, int, str, str, str]:
    """Copy the upload to a temporary file, checking size and type as it streams.
    Returns (temporary path, size, sha256, content type, extension); removes the file on any refusal."""
    digest, size, head = hashlib.sha256(), 0, b""
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=".upload-", delete=False)  # noqa: SIM115
    path = Path(handle.name)
    try:
        with handle:
            for chunk in _chunks(uploaded_file):
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                if len(head) < 16:
                    head += chunk[: 16 - len(head)]
                    if len(head) >= 16 and document_sniff(head) is None:
                        raise _type_not_allowed()
                digest.update(chunk)
                handle.write(chunk)
        if size == 0:
            raise InvalidInput(_("The file is empty."), code="document_empty")
        sniffed = document_sniff(head)
        if sniffed is None:
            raise _type_not_allowed()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size, digest.hexdigest(), *sniffed


def _type_not_allowed() -> InvalidInput:
    return InvalidInput(_("Only PDF, PNG and JPEG files are accepted."), code="document_type_not_allowed",
                        details={"allowed": [content_type for _magic, content_type, _ext in SIGNATURES]})


def _check_count(application: Application, adding_bytes: int = 0) -> None:
    """The application's quota: settings.DOCUMENTS_PER_APPLICATION_MAX files, DOCUMENTS_PER_APPLICATION_MAX_BYTES
    in all."""
    most = settings.DOCUMENTS_PER_APPLICATION_MAX
    stored = Document.objects.filter(application_id=application.pk).aggregate(count=Count("pk"), size=Sum("size"))
    if stored["count"] >= most:
        raise InvalidInput(
            _("At most %(count)d documents can be attached to an application.") % {"count": most},
            code="too_many_documents", details={"max_documents": most})
    most_bytes = settings.DOCUMENTS_PER_APPLICATION_MAX_BYTES
    if (stored["size"] or 0) + adding_bytes > most_bytes:
        raise InvalidInput(
            _("The documents of an application may total %(size)s MB at most.")
            % {"size": f"{most_bytes / (1024 * 1024):.3g}"},
            code="documents_quota_exceeded", details={"max_total_bytes": most_bytes})


def _require_email_proven(application: Application) -> None:
    if application.email_verified_at is None:
        raise InvalidInput(_("Confirm your email with the code we sent before uploading documents."),
                           code="email_not_verified")


def document_store(*, application: Application, uploaded_file, for_appeal: bool = False, actor=None) -> Document:
    """Check and store one uploaded file for an application whose email is proven. Raises InvalidInput with code
    email_not_verified, document_empty, document_too_large, document_type_not_allowed, too_many_documents or
    documents_quota_exceeded."""
    limit = settings.DOCUMENT_MAX_BYTES
    _require_email_proven(application)
    claimed_size = getattr(uploaded_file, "size", None)
    if isinstance(claimed_size, int) and claimed_size > limit:  # a quick refusal; the real count is below
        raise _too_large(limit)
    _check_count(application, claimed_size if isinstance(claimed_size, int) else 0)  # checked again below
    root = Path(settings.DOCUMENTS_DIR)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary, size, sha256, content_type, extension = _write_temporary(uploaded_file, root, limit)
    final = None
    try:
        stored_name = f"{secrets.token_hex(16)}.{extension}"
        final = _path(stored_name)
        final.parent.mkdir(exist_ok=True, mode=0o700)
        os.chmod(temporary, 0o600)
        os.replace(temporary, final)
        with transaction.atomic():
            # Serialise uploads to one application so the limit holds under concurrent requests.
            Application.objects.select_for_update().filter(pk=application.pk).exists()
            _check_count(application, size)
            document = Document.objects.create(
                application=application, stored_name=stored_name, size=size, sha256=sha256,
                content_type=content_type, for_appeal=for_appeal,
                original_name=document_display_name(getattr(uploaded_file, "name", ""),
                                                    default=f"document.{extension}"),
            )
            audit_record(action="document.uploaded", object_type="application", object_id=application.pk,
                         actor=actor, actor_label="" if actor else "applicant",
                         after={"document": document.pk, "name": document.original_name, "type": content_type,
                                "size": size, "sha256": sha256, "for_appeal": for_appeal})
    except BaseException:
        temporary.unlink(missing_ok=True)
        if final is not None:
            final.unlink(missing_ok=True)
        raise
    return document


def document_open(*, document: Document) -> BinaryIO:
    """The stored file, opened for binary reading (the caller closes it). Raises NotFound if the file is gone."""
    try:
        return _path(document.stored_name).open("rb")
    except FileNotFoundError as error:
        raise NotFound(_("The file of this document is missing."), code="document_file_missing") from error


def documents_rejected_prune(*, now=None, retention_days: int | None = None) -> int:
    """Delete the files (and rows) of documents attached to applications rejected more than retention_days ago
    (settings.REJECTED_UPLOAD_RETENTION_DAYS). Idempotent; returns how many went. Scheduled daily through the
    `documents_rejected_prune_task` task or the `prune_rejected_documents` command."""
    from datetime import timedelta

    from verification.models import ApplicationState

    now = now or timezone.now()
    days = settings.REJECTED_UPLOAD_RETENTION_DAYS if retention_days is None else retention_days
    old = Document.objects.filter(application__state=ApplicationState.REJECTED,
                                  application__decided_at__lt=now - timedelta(days=days))
    removed = 0
    for document in old.iterator():
        with transaction.atomic():
            if Document.objects.filter(pk=document.pk).delete()[0]:
                audit_record(action="document.pruned", object_type="application", object_id=document.application_id,
                             actor_label="retention", before={"document": document.pk, "size": document.size,
                                                              "sha256": document.sha256})
                removed += 1
        with contextlib.suppress(NotFound):
            _path(document.stored_name).unlink(missing_ok=True)
    return removed
