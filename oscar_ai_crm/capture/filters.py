"""Which requests are not recorded: bots, and visitors asking not to be tracked."""

from __future__ import annotations

import re
from functools import lru_cache

from django.http import HttpRequest

from ..conf import crm_settings


def skip_reason(request: HttpRequest) -> str | None:
    """Why this request must not be recorded ("bot", "do-not-track"), or None to record it."""
    capture = crm_settings.CAPTURE
    user_agent = request.headers.get("User-Agent", "")
    if is_bot(user_agent, crm_settings.version):
        return "bot"
    if capture["HONOUR_DO_NOT_TRACK"] and asks_not_to_track(request):
        return "do-not-track"
    return None


def asks_not_to_track(request: HttpRequest) -> bool:
    """The browser sent ``DNT: 1`` or ``Sec-GPC: 1``."""
    headers = request.headers
    return headers.get("DNT", "").strip() == "1" or headers.get("Sec-GPC", "").strip() == "1"


@lru_cache(maxsize=256)
def is_bot(user_agent: str, settings_version: int = 0) -> bool:
    """True for a User-Agent that matches a configured bot pattern (or is empty, if configured).

    Cached per distinct User-Agent string; ``settings_version`` keys the cache to the
    settings in force, so a changed pattern list takes effect at once.
    """
    if not user_agent.strip():
        return bool(crm_settings.CAPTURE["IGNORE_EMPTY_USER_AGENT"])
    return bool(bot_pattern(settings_version).search(user_agent))


@lru_cache(maxsize=4)
def bot_pattern(settings_version: int = 0) -> re.Pattern[str]:
    patterns = crm_settings.CAPTURE["BOT_USER_AGENTS"] or [r"(?!x)x"]
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
