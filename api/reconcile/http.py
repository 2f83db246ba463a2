"""Cross-origin access and the per-client rate limit of the public reconciliation endpoints.

The spec makes CORS mandatory on every endpoint (web clients call the service from their own origin), and
OpenRefine cannot send an API key, so the endpoints are public: a per-IP budget in the shared cache bounds them.
"""

import math
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse, JsonResponse

from core.client_ip import client_ip
from core.errors import ApplicationError, InvalidInput, RateLimited

# Each query of a batch costs one unit, as does any other request; this many units per client per minute.
DEFAULT_BUDGET_PER_MINUTE = 1200
WINDOW_SECONDS = 60
_RETRY_AFTER = "_reconcile_retry_after"


def with_cors(run):
    """Router decorator (view mode): wraps the whole operation, so error responses get the headers too."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        response = _unreadable_query_string(request) or run(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        retry_after = getattr(request, _RETRY_AFTER, None)
        if response.status_code == 429 and retry_after:
            response["Retry-After"] = str(retry_after)
            response["Access-Control-Expose-Headers"] = "Retry-After"
        return response

    return wrapper


def _unreadable_query_string(request) -> JsonResponse | None:
    """Every parameter here takes one value: a repeated one is refused rather than silently reduced to its last
    value, and so is a query string Django refuses to parse (too many fields)."""
    try:
        repeated = sorted(key for key, values in request.GET.lists() if len(values) > 1)
    except SuspiciousOperation as exc:
        return _error(400, InvalidInput(f"the query string could not be read: {str(exc)[:120]}"))
    if repeated:
        return _error(400, InvalidInput("a parameter is given more than once", details={"parameters": repeated[:10]}))
    return None


def _error(status: int, error: ApplicationError) -> JsonResponse:
    return JsonResponse({"error": error.as_dict()}, status=status)


def preflight(request, *args, **kwargs) -> HttpResponse:
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type, Accept, Accept-Language"
    response["Access-Control-Max-Age"] = "86400"
    return response


def client_budget_take(request, *, cost: int = 1) -> None:
    """Spend `cost` units of this client's budget for the current minute; raise 429 once it is spent."""
    budget = int(getattr(settings, "RECONCILE_BUDGET_PER_MINUTE", DEFAULT_BUDGET_PER_MINUTE))
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"reconcile:budget:{client_ip(request) or 'unknown'}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        spent = cache.incr(key, max(1, cost))
    except ValueError:  # expired between add and incr
        cache.add(key, max(1, cost), timeout=WINDOW_SECONDS * 2)
        spent = max(1, cost)
    if spent > budget:
        retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
        setattr(request, _RETRY_AFTER, retry_after)
        raise RateLimited(
            "too many reconciliation requests from this address; retry later",
            details={"retry_after_seconds": retry_after, "budget_per_minute": budget},
        )
