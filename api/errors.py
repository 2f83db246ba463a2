"""The API's one error shape: {"error": {"code", "message", "details"}}, for every failure."""

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja.errors import AuthenticationError, HttpError, ValidationError

from core.errors import ApplicationError

logger = logging.getLogger(__name__)


def install(api) -> None:
    def respond(request, status: int, code: str, message: str, details=None):
        return api.create_response(
            request, {"error": {"code": code, "message": message, "details": details or {}}}, status=status
        )

    @api.exception_handler(ApplicationError)
    def application_error(request, exc: ApplicationError):
        response = respond(request, exc.http_status, exc.code, str(exc.message), exc.details)
        if exc.http_status == 429 and "retry_after" in exc.details:
            response["Retry-After"] = str(exc.details["retry_after"])
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        return respond(request, 422, "invalid_input", "the request is not valid", {"errors": exc.errors})

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return respond(request, 401, "authentication_required", "a valid API key is required")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, "not_found", "not found")

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return respond(request, 413, "request_too_large", "the request body is too large")

    # Too many fields, a malformed multipart body, a hostile Host header…: the client's fault, never a 500.
    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc):
        return respond(request, 400, "invalid_request", "the request could not be read")

    @api.exception_handler(MultiPartParserError)
    def unreadable(request, exc):
        return respond(request, 400, "invalid_request", "the request body could not be read")

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return respond(request, exc.status_code, "http_error", str(exc))

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        logger.exception("unhandled API error")
        return respond(request, 500, "internal_error", "something went wrong on our side")
