"""A request id for every request and every task it starts, carried into each log line.

The id comes from an incoming `X-Request-ID` header when it is well-formed (a proxy or a partner may set one, so
one id follows a call through several systems), else it is generated; it is returned in the response's
`X-Request-ID` header. Tasks enqueued while it is bound carry it (core.tasks) and bind it again in the worker.
"""

import contextlib
import contextvars
import logging
import re
import uuid

HEADER = "X-Request-ID"
_META_KEY = "HTTP_X_REQUEST_ID"
# Letters, digits and - _ . : / + = (UUIDs, ULIDs, trace ids), 8 to 128 characters: nothing a log line could
# be forged with.
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._:/+=-]{8,128}$")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("vouch_request_id", default=None)


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_current() -> str | None:
    """The id bound to this request or task, None outside of one."""
    return _current.get()


def request_id_accept(value: str | None) -> str:
    """`value` when it is a well-formed id, else a new one."""
    value = (value or "").strip()
    return value if _WELL_FORMED.match(value) else request_id_new()


@contextlib.contextmanager
def request_id_bound(value: str | None):
    """Bind `value` (or a new id when it is missing or malformed) for the duration of the block."""
    token = _current.set(request_id_accept(value))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


class RequestIdMiddleware:
    """First in the chain: binds the id for everything below, sets it on the request and the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_id_bound(request.META.get(_META_KEY)) as value:
            request.request_id = value
            response = self.get_response(request)
            response[HEADER] = value
            return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (None outside a request or task), for the formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True
