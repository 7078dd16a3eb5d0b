"""Who did it: a customer id, or a salted hash of an anonymous visitor's session key."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from ..conf import crm_settings

_SALT = "oscar_ai_crm.capture.session"


@dataclass(frozen=True)
class Visitor:
    """The actor of an event. ``user_id`` is None for anonymous visitors."""

    user_id: int | None
    session_hash: str = ""


def hash_session_key(session_key: str | None) -> str:
    """A salted, one-way hash of a session key (the key itself is never stored)."""
    if not session_key:
        return ""
    return salted_hmac(_SALT, session_key, algorithm="sha256").hexdigest()[:40]


def visitor_for_request(request: HttpRequest, user=None) -> Visitor | None:
    """The visitor behind ``request``, or None when an anonymous visitor is not recorded."""
    user = user if user is not None else getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is not None and user.is_authenticated:
        return Visitor(user.pk, hash_session_key(session_key_for(session, create=False)))
    capture = crm_settings.CAPTURE
    if not capture["ANONYMOUS"]:
        return None
    key = session_key_for(session, create=capture["CREATE_SESSIONS"])
    return Visitor(None, hash_session_key(key)) if key else None


def session_key_for(session: SessionBase | None, *, create: bool) -> str | None:
    """The session key (read without loading the session), created if asked and missing."""
    if session is None:
        return None
    key = session.session_key
    if key or not create:
        return key
    session.save()  # creates the key; one INSERT, once per new visitor
    session.modified = True  # so SessionMiddleware sends the cookie with this response
    return session.session_key
