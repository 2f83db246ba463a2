"""Files people upload (applicants' documents, customers' tax certificates), checked and stored one way.

Trust nothing the upload claims: the type comes from the content's first bytes (PDF, PNG or JPEG only), the size is
counted while reading (the caller's limit, settings.DOCUMENT_MAX_BYTES by default), and the file is stored with a
random name: no part of the uploaded name reaches the storage. The uploaded name is kept, cleaned, for display only.

Where files live is the "uploads" storage (settings.STORAGES): local disk under settings.DOCUMENTS_DIR (outside the
web root, never served as a static file) by default, or private objects in S3-compatible storage when STORAGE_URL
says so (several web machines then share the files). Either way nothing is served by URL: readers open files
through `upload_open`, in Vouch's authorised views, which serve them with the recorded content type,
`X-Content-Type-Options: nosniff` and a restrictive Content-Security-Policy.
"""

import contextlib
import hashlib
import os
import re
import secrets
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.translation import gettext as _

from core.errors import InvalidInput, NotFound

NAME_MAX_CHARS = 255
CHUNK_BYTES = 64 * 1024

# Content signatures at offset 0 -> (content type, extension).
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|png|jpg)$")


def upload_sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an allowed format from the file's first bytes, or None."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            if extension == "png" and head[12:16] != b"IHDR":  # the first chunk of every PNG
                return None
            return content_type, extension
    return None


def upload_display_name(name: str | None, *, default: str = "document") -> str:
    """The uploaded name, for display only: no folders, no control or bidi-override characters, 255 at most."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(" " if ch.isspace() else ch for ch in name if ch.isspace() or unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    return name[:NAME_MAX_CHARS] or default


class UploadFileStorage(FileSystemStorage):
    """Local disk under settings.DOCUMENTS_DIR, read at each use (a test or an operator changing the setting is
    followed at once), owner-only files and folders."""

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return str(settings.DOCUMENTS_DIR)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def upload_storage() -> Storage:
    return storages["uploads"]


def upload_key(stored_name: str) -> str:
    """The storage key of a stored upload (two-character folders keep directories small)."""
    if not _STORED_NAME.match(stored_name or ""):
        raise NotFound(_("This document does not exist."), code="document_not_found")
    return f"{stored_name[:2]}/{stored_name}"


def _chunks(uploaded_file):
    if hasattr(uploaded_file, "seek"):
        with contextlib.suppress(OSError, ValueError):  # not seekable: read from where it is
            uploaded_file.seek(0)
    if hasattr(uploaded_file, "chunks"):
        yield from uploaded_file.chunks(CHUNK_BYTES)
        return
    while chunk := uploaded_file.read(CHUNK_BYTES):
        yield chunk


def upload_too_large(limit: int) -> InvalidInput:
    return InvalidInput(
        _("The file is too large: at most %(size)s MB.") % {"size": f"{limit / (1024 * 1024):.3g}"},
        code="document_too_large",
        details={"max_bytes": limit},
    )


def _write_temporary(uploaded_file, limit: int) -> tuple[Path, int, str, str, str]:
    """Copy the upload to a temporary file, checking size and type as it streams.
    Returns (temporary path, size, sha256, content type, extension); removes the file on any refusal."""
    digest, size, head = hashlib.sha256(), 0, b""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
        dir=settings.FILE_UPLOAD_TEMP_DIR,
        prefix=".upload-",
        delete=False,
    )
    path = Path(handle.name)
    try:
        with handle:
            for chunk in _chunks(uploaded_file):
                size += len(chunk)
                if size > limit:
                    raise upload_too_large(limit)
                if len(head) < 16:
                    head += chunk[: 16 - len(head)]
                    if len(head) >= 16 and upload_sniff(head) is None:
                        raise _type_not_allowed()
                digest.update(chunk)
                handle.write(chunk)
        if size == 0:
            raise InvalidInput(_("The file is empty."), code="document_empty")
        sniffed = upload_sniff(head)
        if sniffed is None:
            raise _type_not_allowed()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size, digest.hexdigest(), *sniffed


def _type_not_allowed() -> InvalidInput:
    return InvalidInput(
        _("Only PDF, PNG and JPEG files are accepted."),
        code="document_type_not_allowed",
        details={"allowed": [content_type for _magic, content_type, _ext in SIGNATURES]},
    )


@dataclass(frozen=True)
class StoredUpload:
    stored_name: str
    size: int
    sha256: str
    content_type: str
    original_name: str


def upload_store(uploaded_file, *, default_name: str = "document", limit: int | None = None) -> StoredUpload:
    """Check the upload and store it under a random name. Raises InvalidInput with code document_empty,
    document_too_large or document_type_not_allowed (nothing is stored then). The caller records the returned
    facts; if that fails it calls `upload_discard(stored_name)`."""
    limit = limit or settings.DOCUMENT_MAX_BYTES
    claimed_size = getattr(uploaded_file, "size", None)
    if isinstance(claimed_size, int) and claimed_size > limit:  # a quick refusal; the real count is while reading
        raise upload_too_large(limit)
    temporary, size, sha256, content_type, extension = _write_temporary(uploaded_file, limit)
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    try:
        with temporary.open("rb") as handle:
            saved = upload_storage().save(upload_key(stored_name), File(handle, name=stored_name))
        if saved != upload_key(stored_name):  # a random name never collides; if it did, keep nobody's file
            upload_storage().delete(saved)
            raise RuntimeError("upload storage renamed a new file")
    finally:
        temporary.unlink(missing_ok=True)
    original = upload_display_name(getattr(uploaded_file, "name", ""), default=f"{default_name}.{extension}")
    return StoredUpload(
        stored_name=stored_name, size=size, sha256=sha256, content_type=content_type, original_name=original
    )


def upload_discard(stored_name: str) -> None:
    """Remove a stored file whose record could not be written (or was deleted)."""
    with contextlib.suppress(NotFound):
        upload_storage().delete(upload_key(stored_name))


def upload_open(stored_name: str) -> IO[bytes]:
    """The stored file, opened for binary reading (the caller closes it). Raises NotFound if the file is gone."""
    key, storage = upload_key(stored_name), upload_storage()
    missing = NotFound(_("The file of this document is missing."), code="document_file_missing")
    if not storage.exists(key):  # object storage opens lazily: ask first
        raise missing
    try:
        return storage.open(key, "rb")
    except OSError as error:
        raise missing from error
