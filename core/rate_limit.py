"""Fixed-window counters in the shared cache (a database table by default, Redis when configured): how many times
something was done for a key (an email address, a client address) in the current window."""

import hashlib
from datetime import timedelta

from django.core.cache import cache


def _cache_key(scope: str, key: str) -> str:
    return f"rate:{scope}:{hashlib.sha256(key.strip().lower().encode()).hexdigest()}"


def rate_limit_take(*, scope: str, key: str, limit: int, window: timedelta) -> bool:
    """Count one use of `key` in `scope`; False (and not counted) once `limit` uses were made in the window, which
    starts at the first use. An empty key (an unknown client address) is not limited here."""
    if not key or limit <= 0:
        return True
    name = _cache_key(scope, key)
    seconds = max(1, int(window.total_seconds()))
    if cache.add(name, 1, timeout=seconds):
        return True
    try:
        used = cache.get(name) or 0
        if used >= limit:
            return False
        cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=seconds)
    return True
