"""Schemas shared by every router: the one error shape and the error statuses each operation may answer."""

from typing import Any

from ninja import Schema


class ErrorBody(Schema):
    code: str
    message: str
    details: dict[str, Any]


class ErrorOut(Schema):
    error: ErrorBody


# Statuses an authenticated operation can answer with the error shape (422: the request failed validation).
AUTH_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}
