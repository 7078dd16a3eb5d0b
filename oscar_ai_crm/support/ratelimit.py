"""Per-visitor rate limit of customer messages, on Django's default cache.

A fixed window: at most ``SUPPORT["RATE_LIMIT_MESSAGES"]`` messages per visitor (customer
or anonymous session) in each ``SUPPORT["RATE_LIMIT_SECONDS"]`` window. The counter is
one cache key per visitor and window, increased with the cache's atomic ``incr``, so
concurrent requests cannot slip past it. (A visitor can send up to twice the limit
across a window boundary; the limit guards against abuse, not exact pacing.) With
several web processes the cache must be shared (Redis, Memcached, the database cache).
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache

from ..conf import crm_settings

_PREFIX = "oscar_ai_crm:support:rate"


def seconds_to_wait(visitor_key: str, *, now: float | None = None) -> int | None:
    """Count one message for ``visitor_key``; None when allowed, else seconds to wait.

    A refused message is not counted, so the wait is until the window ends.
    """
    settings = crm_settings.SUPPORT
    limit = int(settings["RATE_LIMIT_MESSAGES"])
    window = max(1, int(settings["RATE_LIMIT_SECONDS"]))
    now = time.time() if now is None else now
    window_index = int(now // window)
    key = f"{_PREFIX}:{visitor_key}:{window_index}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return None
    try:
        cache.decr(key)  # refused messages do not count
    except ValueError:
        pass
    return max(1, math.ceil((window_index + 1) * window - now))


def reset(visitor_key: str, *, now: float | None = None) -> None:
    """Forget the visitor's count in the current window (staff tools, tests)."""
    window = max(1, int(crm_settings.SUPPORT["RATE_LIMIT_SECONDS"]))
    now = time.time() if now is None else now
    cache.delete(f"{_PREFIX}:{visitor_key}:{int(now // window)}")
