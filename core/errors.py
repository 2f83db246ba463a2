"""One error hierarchy for Vouch. Every error has a stable machine code, an HTTP status, and a message for people.

Services raise these; views, API endpoints and commands translate them once (see `api` and `core.http`).
"""

from typing import Any

from django.utils.functional import Promise


class ApplicationError(Exception):
    code = "application_error"
    http_status = 400

    def __init__(self, message: str | Promise, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "details": self.details}


class InvalidInput(ApplicationError):
    code = "invalid_input"
    http_status = 400


class NotFound(ApplicationError):
    code = "not_found"
    http_status = 404


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    http_status = 403


class Conflict(ApplicationError):
    code = "conflict"
    http_status = 409


class RateLimited(ApplicationError):
    """Too many tries of something that can be guessed or abused; services subclass it with their own code."""

    code = "rate_limited"
    http_status = 429


class ImportFailed(ApplicationError):
    """A registry import could not complete; the database was left as it was before the run."""

    code = "import_failed"
    http_status = 500
