"""Plan visits by people who never log in: browsers, a few guest checkouts, bots, DNT."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .picker import ProductPicker
from .visits import Action, Step, Visit, VisitClock, time_of_day
from .vocabulary import BOT_USER_AGENTS, USER_AGENTS

BASKET_SHARE = 0.12  # visits that put something in the basket
GUEST_CHECKOUT_SHARE = 0.25  # of those, visits that check out as a guest
DO_NOT_TRACK_SHARE = 0.04  # browsers sending DNT: 1 (the CRM must not record them)
BOT_SHARE = 0.02  # crawlers (Oscar's analytics counts them, the CRM must not)


def plan_anonymous_visits(
    count: int,
    picker: ProductPicker,
    history_start: datetime,
    now: datetime,
    rng: random.Random,
) -> list[Visit]:
    """``count`` anonymous visits spread evenly over the history."""
    span = (now - history_start).total_seconds()
    latest = now - timedelta(hours=1)
    visits = []
    for number in range(count):
        day = history_start + timedelta(seconds=rng.uniform(0, span))
        visit = Visit(
            time_of_day(day, rng, latest), None, rng.choice(USER_AGENTS), visitor=-1 - number
        )
        _fill(visit, number, picker, rng)
        visits.append(visit)
    return visits


def _fill(visit: Visit, number: int, picker: ProductPicker, rng: random.Random) -> None:
    taste = picker.casual_taste(rng)
    clock = VisitClock(visit.start, rng)
    kind = rng.random()
    if kind < BOT_SHARE:
        visit.user_agent = rng.choice(BOT_USER_AGENTS)
    elif kind < BOT_SHARE + DO_NOT_TRACK_SHARE:
        visit.do_not_track = True
    if rng.random() < 0.3:
        target = picker.pick(taste, rng)
        query = rng.choice((target.item.lower(), target.keyword))
        visit.actions.append(Action(Step.SEARCH, clock.tick(), query=query))
    for _ in range(rng.randint(1, 5)):
        product = picker.pick(taste, rng)
        visit.actions.append(Action(Step.VIEW, clock.tick(), product=product.index))
    if visit.user_agent in BOT_USER_AGENTS or rng.random() >= BASKET_SHARE:
        return
    product = picker.pick(taste, rng, purchasable=True)
    if product is None:
        return
    visit.actions.append(Action(Step.BASKET_ADD, clock.tick(), product=product.index))
    if rng.random() < GUEST_CHECKOUT_SHARE:
        visit.guest_email = f"guest{number + 1:05d}@example.net"
        visit.actions.append(Action(Step.CHECKOUT, clock.tick()))
