"""The Idempotency-Key header on creating POSTs, wired to partners.idempotency."""

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from ninja.renderers import JSONRenderer
from pydantic import BaseModel

from partners.idempotency import idempotent_call

HEADER = "Idempotency-Key"


def _jsonable(body: Any) -> Any:
    return body.model_dump(mode="json") if isinstance(body, BaseModel) else body


_RENDERER = JSONRenderer()  # the API's own renderer (api.urls uses the default)


def idempotent_response(request, work: Callable[[], tuple[int, Any]]):
    """Run `work` once per Idempotency-Key (when the header is sent) and answer with its (status, body); a replay
    carries `Idempotent-Replayed: true`."""
    status, body, replayed = idempotent_call(
        partner=request.auth.partner,
        key=request.headers.get(HEADER),
        method=request.method,
        path=request.path,
        body=request.body,
        work=lambda: _as_json(work),
    )
    response = HttpResponse(
        _RENDERER.render(request, body, response_status=status),
        status=status,
        content_type=f"{_RENDERER.media_type}; charset={_RENDERER.charset}",
    )
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _as_json(work: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    status, body = work()
    return status, _jsonable(body)
