"""The time stamped on captured events: now, unless a replay sets it."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_replay_time: ContextVar[datetime | None] = ContextVar("oscar_ai_crm_replay_time", default=None)


def now() -> datetime:
    """The current capture time: the replayed time inside :func:`recorded_at`, else now."""
    return _replay_time.get() or timezone.now()


@contextmanager
def recorded_at(when: datetime) -> Iterator[None]:
    """Stamp events captured inside the block with ``when``.

    For importing or replaying history through Oscar's real signals (the demo data
    generator does this to spread months of behaviour over the calendar).
    """
    token = _replay_time.set(when)
    try:
        yield
    finally:
        _replay_time.reset(token)
