"""Uploads on shared object storage (S3-compatible; a local moto server here) or on local disk: the same checks,
private objects, read back only through Vouch."""

import io
import socket

import boto3
import pytest
from botocore.exceptions import ClientError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from moto.server import ThreadedMotoServer

from core.errors import InvalidInput, NotFound
from core.uploads import upload_discard, upload_key, upload_open, upload_store
from tests.coupons.factories import make_application, make_program
from verification.documents import document_open, document_store
from vouch.storage import storages_from_url

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
BUCKET = "vouch-uploads"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    client.create_bucket(Bucket=BUCKET)
    yield endpoint, client
    server.stop()


@pytest.fixture
def on_s3(settings, s3_endpoint):
    endpoint, client = s3_endpoint
    host = endpoint.removeprefix("http://")
    settings.STORAGES = {
        **settings.STORAGES,
        "uploads": storages_from_url(f"s3+http://test:test@{host}/{BUCKET}?region=us-east-1"),
    }
    return client


def test_an_upload_is_a_private_object_read_back_through_vouch(on_s3):
    stored = upload_store(SimpleUploadedFile("minutes.pdf", PDF, content_type="text/html"))
    key = f"uploads/{upload_key(stored.stored_name)}"
    assert on_s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == PDF
    grants = on_s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert not any("AllUsers" in grant["Grantee"].get("URI", "") for grant in grants)
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner only: no public read
    with upload_open(stored.stored_name) as handle:
        assert handle.read() == PDF
    upload_discard(stored.stored_name)
    with pytest.raises(ClientError):
        on_s3.head_object(Bucket=BUCKET, Key=key)
    with pytest.raises(NotFound):
        upload_open(stored.stored_name)


def test_refused_uploads_leave_nothing_in_the_bucket(on_s3):
    before = on_s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0)
    for name, content in (("x.html", b"<!doctype html><script>alert(1)</script>" * 10), ("empty.pdf", b"")):
        with pytest.raises(InvalidInput):
            upload_store(SimpleUploadedFile(name, content))
    with pytest.raises(InvalidInput) as too_large:
        upload_store(io.BytesIO(PDF + b"0" * 2048), limit=1024)
    assert too_large.value.code == "document_too_large"
    assert on_s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == before


@pytest.mark.django_db
def test_an_applicants_document_goes_to_the_bucket_and_its_reviewer_reads_it(on_s3):
    application = make_application(make_program(), state="needs_information", email_verified_at=timezone.now())
    document = document_store(application=application, uploaded_file=SimpleUploadedFile("letter.pdf", PDF))
    with document_open(document=document) as handle:
        assert handle.read() == PDF
    assert on_s3.head_object(Bucket=BUCKET, Key=f"uploads/{upload_key(document.stored_name)}")


def test_local_disk_by_default_with_owner_only_files(settings, tmp_path):
    settings.DOCUMENTS_DIR = tmp_path / "documents"
    stored = upload_store(SimpleUploadedFile("a.pdf", PDF))
    path = tmp_path / "documents" / upload_key(stored.stored_name)
    assert path.read_bytes() == PDF and (path.stat().st_mode & 0o777) == 0o600
    assert (path.parent.stat().st_mode & 0o777) == 0o700


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://host/bucket", "unknown scheme"),
        ("s3://host/", "bucket"),
        ("s3://host/a/b", "bucket"),
    ],
)
def test_a_malformed_storage_url_names_the_variable(url, message):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=f"STORAGE_URL.*{message}"):
        storages_from_url(url)


def test_a_forged_stored_name_is_not_found():
    with pytest.raises(NotFound):
        upload_key("../../etc/passwd")
