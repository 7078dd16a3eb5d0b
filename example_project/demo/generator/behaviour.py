"""Plan each customer's visits from their persona: browsing, baskets, orders, reviews."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from .catalogue_plan import ProductPlan
from .customers import CustomerPlan
from .personas import Persona
from .picker import ProductPicker, Taste
from .visits import Action, Step, Visit, VisitClock, time_of_day
from .vocabulary import SEARCH_MODIFIERS, USER_AGENTS

MIN_VISITS = 2


@dataclass(frozen=True)
class Shopper:
    """One customer's planning context: how they behave, what they like, their dice."""

    persona: Persona
    taste: Taste
    picker: ProductPicker
    rng: random.Random


def plan_customer_visits(
    customer: CustomerPlan,
    picker: ProductPicker,
    history_start: datetime,
    now: datetime,
    rng: random.Random,
) -> list[Visit]:
    """Every visit of one customer, reviews included, in time order."""
    persona = customer.persona
    shopper = Shopper(persona, picker.taste_for(persona, rng), picker, rng)
    start = max(customer.date_joined, history_start)
    quiet_days = min(persona.quiet_last_days, int((now - history_start).days * 0.45))
    end = now - timedelta(days=quiet_days, hours=1)
    starts = _visit_starts(persona, start, end, rng)
    buying = _buying_visits(persona, len(starts), rng)
    user_agent = rng.choice(USER_AGENTS)  # customers mostly stick to one device
    visits: list[Visit] = []
    reviews: list[Visit] = []
    reviewed: set[int] = set()
    for number, when in enumerate(starts):
        visit = Visit(when, customer.index, user_agent, visitor=customer.index)
        bought = _fill_visit(visit, shopper, number in buying)
        visits.append(visit)
        reviews += _review_visits(visit, shopper, bought, reviewed, end)
    return visits + reviews


def _visit_starts(
    persona: Persona, start: datetime, end: datetime, rng: random.Random
) -> list[datetime]:
    """Visit times as a Poisson process over the customer's active window."""
    if end <= start:
        end = start + timedelta(hours=2)
    days = (end - start).total_seconds() / 86400
    rate = persona.visits_per_month / 30
    offsets, t = [], rng.expovariate(rate)
    while t < days:
        offsets.append(t)
        t += rng.expovariate(rate)
    while len(offsets) < MIN_VISITS:
        offsets.append(rng.uniform(0, days))
    offsets.sort()
    moments = [start + timedelta(days=offset) for offset in offsets]
    return [max(start, time_of_day(moment, rng, end)) for moment in moments]


def _buying_visits(persona: Persona, count: int, rng: random.Random) -> set[int]:
    if persona.joined == "recent":  # a new customer: exactly one order, on a late visit
        return {rng.randint(count // 2, count - 1)}
    return {n for n in range(count) if rng.random() < persona.buy_probability}


def _fill_visit(visit: Visit, shopper: Shopper, buys: bool) -> list[ProductPlan]:
    """Add the visit's actions; returns the products ordered (if any)."""
    persona, rng = shopper.persona, shopper.rng
    clock = VisitClock(visit.start, rng)
    seen = _browse(visit, shopper, clock)
    if rng.random() < persona.login_after_browsing:
        position = min(len(visit.actions), rng.randint(1, 3))
        visit.actions.insert(position, Action(Step.LOGIN, visit.actions[position - 1].at))
    if buys:
        lines = _add_to_basket(visit, shopper, seen, rng.randint(*persona.lines_per_order), clock)
        if lines:
            voucher = rng.random() < persona.voucher_probability
            visit.actions.append(Action(Step.CHECKOUT, clock.tick(), voucher=voucher))
        return lines
    if rng.random() < persona.abandon_probability:
        _add_to_basket(visit, shopper, seen, 1, clock)
    return []


def _browse(visit: Visit, shopper: Shopper, clock: VisitClock) -> list[ProductPlan]:
    """Searches (each followed by a click on a result) and product views."""
    persona, taste, picker, rng = shopper.persona, shopper.taste, shopper.picker, shopper.rng
    seen: list[ProductPlan] = []
    for _ in range(rng.randint(*persona.searches_per_visit)):
        leaf = picker.pick_leaf(taste, rng)
        target = picker.pick(taste, rng, leaf=leaf)
        visit.actions.append(Action(Step.SEARCH, clock.tick(), query=_query(target, persona, rng)))
        seen.append(target)
        visit.actions.append(Action(Step.VIEW, clock.tick(), product=target.index))
    for _ in range(max(1, rng.randint(*persona.views_per_visit) - len(seen))):
        product = picker.pick(taste, rng)
        seen.append(product)
        visit.actions.append(Action(Step.VIEW, clock.tick(), product=product.index))
    return seen


def _query(product: ProductPlan, persona: Persona, rng: random.Random) -> str:
    pattern = rng.choice(SEARCH_MODIFIERS[persona.search_style])
    return pattern.format(item=product.item.lower(), word=product.keyword)


def _add_to_basket(
    visit: Visit, shopper: Shopper, seen: list[ProductPlan], count: int, clock: VisitClock
) -> list[ProductPlan]:
    """Put ``count`` products in the basket, preferring in-stock ones already viewed."""
    rng = shopper.rng
    candidates = {p.index: p for p in reversed(seen) if p.purchasable}
    chosen = list(candidates.values())[:count]
    while len(chosen) < count:
        extra = shopper.picker.pick(shopper.taste, rng, purchasable=True)
        if extra is None:
            break
        if all(extra.index != p.index for p in chosen):
            visit.actions.append(Action(Step.VIEW, clock.tick(), product=extra.index))
            chosen.append(extra)
        else:
            count -= 1
    for product in chosen:
        quantity = 2 if product.price < 15 and rng.random() < 0.3 else 1
        visit.actions.append(
            Action(Step.BASKET_ADD, clock.tick(), product=product.index, quantity=quantity)
        )
    return chosen


def _review_visits(
    visit: Visit, shopper: Shopper, bought: list[ProductPlan], reviewed: set[int], end: datetime
) -> list[Visit]:
    """Some customers come back a few days after an order to review what they bought.

    ``reviewed`` holds the product indices this customer already reviewed (Oscar allows
    one review per customer and product).
    """
    rng, reviews = shopper.rng, []
    for product in bought:
        if rng.random() >= shopper.persona.review_probability or product.index in reviewed:
            continue
        when = visit.start + timedelta(days=rng.uniform(3, 21))
        if when >= end:
            continue
        review = Visit(when, visit.customer, visit.user_agent, visitor=visit.visitor)
        clock = VisitClock(when, rng)
        score = _score(product, shopper)
        review.actions += [
            Action(Step.VIEW, clock.tick(), product=product.index),
            Action(Step.REVIEW, clock.tick(), product=product.index, score=score),
        ]
        reviews.append(review)
        reviewed.add(product.index)
    return reviews


def _score(product: ProductPlan, shopper: Shopper) -> int:
    """1-5: persona mood, favourite categories rated higher, product quality, noise."""
    affinity = 0.6 if product.leaf in shopper.taste.favourites else -0.4
    mood = shopper.persona.rating_bias
    raw = 3.8 + mood + affinity + product.quality + shopper.rng.gauss(0, 0.6)
    return max(1, min(5, round(raw)))
