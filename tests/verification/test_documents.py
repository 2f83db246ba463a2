"""Uploaded documents: only real PDF, PNG and JPEG files, size-capped, stored under random names outside the web root."""

import hashlib
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.errors import InvalidInput, NotFound
from core.models import AuditEntry
from tests.coupons.factories import make_application, make_program
from verification.documents import (
    MAX_DOCUMENTS_PER_APPLICATION,
    document_display_name,
    document_open,
    document_store,
)
from verification.models import Document

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def documents_dir(settings, tmp_path):
    settings.DOCUMENTS_DIR = tmp_path / "documents"
    return settings.DOCUMENTS_DIR


@pytest.fixture
def application(db):
    return make_application(make_program(), state="needs_information", email_verified_at=timezone.now())


def upload(content: bytes, name="statutes.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


@pytest.mark.parametrize(
    ("content", "name", "expected_type"),
    [
        (PDF, "statutes.pdf", "application/pdf"),
        (PNG, "scan.png", "image/png"),
        (JPEG, "photo.jpeg", "image/jpeg"),
        (PDF, "no-extension", "application/pdf"),  # the content decides, not the name
    ],
)
def test_accepted_files_are_stored_under_a_random_name(application, documents_dir, content, name, expected_type):
    document = document_store(application=application, uploaded_file=upload(content, name, "text/plain"))
    assert document.content_type == expected_type
    assert document.size == len(content) and document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.original_name == name and name not in document.stored_name
    [path] = stored_files(documents_dir)
    assert path.name == document.stored_name and path.read_bytes() == content
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    with document_open(document=document) as handle:
        assert handle.read() == content
    entry = AuditEntry.objects.get(action="document.uploaded")
    assert entry.object_id == str(application.pk) and entry.after["sha256"] == document.sha256


@pytest.mark.parametrize(
    ("content", "name", "claimed_type"),
    [
        (EXE, "statutes.pdf", "application/pdf"),  # a program renamed .pdf
        (HTML, "logo.png", "image/png"),  # an HTML page claiming to be an image
        (SVG, "logo.svg", "image/svg+xml"),  # SVG can carry scripts: not accepted
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "anim.gif", "image/gif"),
        (b"\x89PNG\r\n\x1a\n" + b"<html>" * 4, "fake.png", "image/png"),  # PNG signature without a PNG after it
        (b"PK\x03\x04" + b"\x00" * 60, "statutes.docx", "application/pdf"),
    ],
)
def test_other_content_is_refused_whatever_its_name_or_claimed_type(
    application, documents_dir, content, name, claimed_type
):
    with pytest.raises(InvalidInput) as refused:
        document_store(application=application, uploaded_file=upload(content, name, claimed_type))
    assert refused.value.code == "document_type_not_allowed"
    assert not Document.objects.exists() and not stored_files(documents_dir)


def test_empty_file_is_refused(application, documents_dir):
    with pytest.raises(InvalidInput) as refused:
        document_store(application=application, uploaded_file=upload(b""))
    assert refused.value.code == "document_empty"
    assert not stored_files(documents_dir)


def test_oversized_file_is_refused_even_when_it_lies_about_its_size(application, documents_dir, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    big = PDF + b"0" * 2048
    with pytest.raises(InvalidInput) as refused:
        document_store(application=application, uploaded_file=upload(big))
    assert refused.value.code == "document_too_large" and refused.value.details == {"max_bytes": 1024}

    lying = upload(big)
    lying.size = 10  # the claimed size is not trusted: bytes are counted while reading
    with pytest.raises(InvalidInput) as refused:
        document_store(application=application, uploaded_file=lying)
    assert refused.value.code == "document_too_large"
    assert not Document.objects.exists() and not stored_files(documents_dir)
    # Exactly at the limit is fine.
    assert document_store(application=application, uploaded_file=upload(PDF + b"0" * (1024 - len(PDF)))).size == 1024


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\statutes.pdf", "statutes.pdf"),
        ("/var/www/html/shell.pdf", "shell.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override would show "exe.pdf"
        ("line\r\nbreak\x00.pdf", "line break.pdf"),
        ("..", "document.pdf"),
        ("", "document.pdf"),
        ("\u0000\u0007", "document.pdf"),
        ("a" * 400 + ".pdf", "a" * 255),
    ],
)
def test_hostile_names_never_reach_the_file_system(application, documents_dir, name, shown):
    raw = io.BytesIO(PDF)  # a plain file object: the name arrives exactly as sent, without Django's own cleaning
    raw.name = name
    document = document_store(application=application, uploaded_file=raw)
    assert document.original_name == shown
    [path] = stored_files(documents_dir)
    assert path.resolve().is_relative_to(documents_dir.resolve())
    assert path.name == document.stored_name


def test_display_name_cleaning():
    assert document_display_name("") == "document"
    assert document_display_name("C:\\Users\\me\\Board minutes 2025.pdf") == "Board minutes 2025.pdf"
    assert document_display_name("  \t tabs\tand  spaces .pdf ") == "tabs and spaces .pdf"


def test_at_most_ten_documents_per_application(application, documents_dir):
    for i in range(MAX_DOCUMENTS_PER_APPLICATION):
        document_store(application=application, uploaded_file=upload(PDF, name=f"{i}.pdf"))
    with pytest.raises(InvalidInput) as refused:
        document_store(application=application, uploaded_file=upload(PDF, name="eleventh.pdf"))
    assert refused.value.code == "too_many_documents"
    assert application.documents.count() == MAX_DOCUMENTS_PER_APPLICATION
    assert len(stored_files(documents_dir)) == MAX_DOCUMENTS_PER_APPLICATION


def test_appeal_documents_are_marked(application, documents_dir):
    document = document_store(application=application, uploaded_file=upload(PNG, "scan.png"), for_appeal=True)
    assert document.for_appeal


def test_plain_file_objects_are_accepted(application, documents_dir):
    handle = io.BytesIO(JPEG)
    handle.name = "../photo.jpg"
    document = document_store(application=application, uploaded_file=handle)
    assert document.content_type == "image/jpeg" and document.original_name == "photo.jpg"


def test_open_refuses_a_tampered_stored_name_and_reports_a_missing_file(application, documents_dir):
    document = document_store(application=application, uploaded_file=upload(PDF))
    os.remove(stored_files(documents_dir)[0])
    with pytest.raises(NotFound) as missing:
        document_open(document=document)
    assert missing.value.code == "document_file_missing"
    document.stored_name = "../../etc/passwd"
    with pytest.raises(NotFound):
        document_open(document=document)


# --- quotas and retention ----------------------------------------------------------------------------------------


def test_no_upload_before_the_email_is_proven(db, documents_dir):
    draft = make_application(make_program(), state="needs_information", email_verified_at=None)
    with pytest.raises(InvalidInput) as error:
        document_store(application=draft, uploaded_file=upload(PDF))
    assert error.value.code == "email_not_verified"
    assert stored_files(documents_dir) == []


def test_the_total_size_per_application_is_limited(application, documents_dir, settings):
    settings.DOCUMENTS_PER_APPLICATION_MAX_BYTES = len(PDF) * 2 + 1
    document_store(application=application, uploaded_file=upload(PDF))
    document_store(application=application, uploaded_file=upload(PDF))
    with pytest.raises(InvalidInput) as error:
        document_store(application=application, uploaded_file=upload(PDF))
    assert error.value.code == "documents_quota_exceeded"
    assert len(stored_files(documents_dir)) == 2


def test_the_count_per_application_follows_the_setting(application, documents_dir, settings):
    settings.DOCUMENTS_PER_APPLICATION_MAX = 2
    document_store(application=application, uploaded_file=upload(PDF))
    document_store(application=application, uploaded_file=upload(PDF))
    with pytest.raises(InvalidInput) as error:
        document_store(application=application, uploaded_file=upload(PDF))
    assert error.value.code == "too_many_documents"


def test_documents_of_old_rejections_are_deleted(db, documents_dir, settings):
    from datetime import timedelta

    from verification.documents import documents_rejected_prune
    from verification.tasks import documents_rejected_prune_task

    program = make_program()
    now = timezone.now()
    kept_states = {"approved": now - timedelta(days=200), "rejected": now - timedelta(days=10)}
    old = make_application(program, state="needs_information", email_verified_at=now)
    document_store(application=old, uploaded_file=upload(PDF))
    old.state, old.decided_at = "rejected", now - timedelta(days=91)
    old.save()
    others = []
    for state, decided in kept_states.items():
        other = make_application(program, state="needs_information", email_verified_at=now)
        document_store(application=other, uploaded_file=upload(PDF))
        other.state, other.decided_at = state, decided
        other.save()
        others.append(other)
    assert len(stored_files(documents_dir)) == 3
    assert documents_rejected_prune(now=now) == 1
    assert documents_rejected_prune_task.func() == 0
    assert not Document.objects.filter(application=old).exists()
    assert len(stored_files(documents_dir)) == 2
    assert all(Document.objects.filter(application=other).exists() for other in others)
