"""Planned visits: what a shopper does, in order, before anything touches the database."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class Step(StrEnum):
    VIEW = "view"
    SEARCH = "search"
    BASKET_ADD = "basket_add"
    CHECKOUT = "checkout"
    REVIEW = "review"
    LOGIN = "login"


@dataclass(frozen=True)
class Action:
    """One thing done during a visit. ``product`` is a catalogue plan index."""

    step: Step
    at: datetime
    product: int | None = None
    quantity: int = 1
    query: str = ""
    score: int = 0
    voucher: bool = False


@dataclass
class Visit:
    """A browsing session. ``customer`` is a customer plan index, None when anonymous.

    A customer visit may start anonymously: the actions before the LOGIN step are done
    without a user, in a session the login then merges.
    """

    start: datetime
    customer: int | None
    user_agent: str
    actions: list[Action] = field(default_factory=list)
    do_not_track: bool = False
    guest_email: str = ""
    visitor: int = 0  # tie-breaker keeping the replay order deterministic

    @property
    def sort_key(self) -> tuple[datetime, int]:
        return (self.start, self.visitor)


class VisitClock:
    """Hands out the time of each action in a visit, a few seconds to minutes apart."""

    def __init__(self, start: datetime, rng: random.Random) -> None:
        self.now = start
        self.rng = rng

    def tick(self) -> datetime:
        self.now += timedelta(seconds=self.rng.randint(12, 150))
        return self.now


# Relative traffic per hour of day (quiet nights, lunch and evening peaks).
HOUR_WEIGHTS = (
    1,
    0.5,
    0.3,
    0.2,
    0.2,
    0.3,
    0.8,
    1.5,
    2.2,
    2.6,
    2.8,
    3.0,
    3.6,
    3.4,
    2.8,
    2.6,
    2.6,
    2.9,
    3.4,
    4.2,
    4.6,
    4.2,
    3.0,
    1.8,
)


def time_of_day(day: datetime, rng: random.Random, latest: datetime) -> datetime:
    """``day`` moved to a plausible hour; never later than ``latest``."""
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    when = day.replace(hour=hour, minute=rng.randint(0, 59), second=rng.randint(0, 59))
    return min(when, latest)
