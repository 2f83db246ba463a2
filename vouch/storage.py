"""STORAGE_URL -> the "uploads" storage setting (local disk or S3-compatible object storage, private objects)."""

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def storages_from_url(url: str) -> dict:
    """`""` or `file:` -> local disk (settings.DOCUMENTS_DIR); `s3://KEY:SECRET@host[:port]/bucket[?region=…]` or
    `s3+http://…` -> django-storages' S3 backend. Credentials may also come from the usual AWS variables (the URL
    then has no user part). A malformed URL stops start-up with a message naming STORAGE_URL."""
    if not url or url.startswith("file:"):
        return {"BACKEND": "core.uploads.UploadFileStorage"}
    parts = urlsplit(url)
    if parts.scheme not in ("s3", "s3+http", "s3+https"):
        raise ImproperlyConfigured(f"STORAGE_URL: unknown scheme {parts.scheme!r} (use s3://, s3+http:// or file:)")
    bucket = parts.path.strip("/")
    if not bucket or "/" in bucket:
        raise ImproperlyConfigured("STORAGE_URL: give the bucket as the path, e.g. s3://host/vouch-uploads")
    options = {
        "bucket_name": bucket,
        "default_acl": None,  # the bucket's default: private
        "querystring_auth": True,  # never a public URL
        "file_overwrite": False,
        "location": "uploads",
    }
    if parts.hostname:
        scheme = "http" if parts.scheme == "s3+http" else "https"
        port = f":{parts.port}" if parts.port else ""
        options["endpoint_url"] = f"{scheme}://{parts.hostname}{port}"
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    region = parse_qs(parts.query).get("region")
    if region:
        options["region_name"] = region[0]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
