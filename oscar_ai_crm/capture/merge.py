"""Login merge: an anonymous session's events become the customer's."""

from __future__ import annotations

from ..models import CustomerProfile, Event
from ..profiles.activity import rebuild_activity
from .identity import hash_session_key
from .writer import flush_pending_events


def merge_anonymous_history(user_id: int, session_key: str | None) -> int:
    """Give the customer the events recorded under ``session_key`` before they logged in.

    Returns the number of events merged. For a customer who opted out of tracking the
    anonymous events are deleted instead. Idempotent: a second call finds nothing.
    """
    session_hash = hash_session_key(session_key)
    if not session_hash:
        return 0
    # The visitor's last page views may still be queued in this process's background writer.
    flush_pending_events(timeout=2.0)
    anonymous = Event.objects.filter(session_hash=session_hash, user__isnull=True)
    if CustomerProfile.objects.filter(user_id=user_id, tracking_opted_out=True).exists():
        anonymous.delete()
        return 0
    merged = anonymous.update(user_id=user_id)
    if merged:
        rebuild_activity([user_id])
    return merged
