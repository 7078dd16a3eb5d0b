"""The hidden personas behind generated customers, and how they shop.

Each persona differs clearly in recency, frequency, money spent, browse-to-buy ratio,
basket abandonment and category affinity, so that clustering customer features can
recover them. The CRM never reads these: they are the ground truth for evaluation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Persona:
    """How one kind of customer behaves; rates are per 30-day month of activity."""

    name: str
    share: float  # fraction of customers
    visits_per_month: float
    views_per_visit: tuple[int, int]
    searches_per_visit: tuple[int, int]
    buy_probability: float  # chance a visit ends in an order
    abandon_probability: float  # chance a visit without an order leaves items in the basket
    lines_per_order: tuple[int, int]
    price_taste: float  # < 0 prefers cheap products, > 0 expensive ones
    favourite_departments: tuple[str, ...]
    loyalty: float  # share of product picks from the customer's favourite categories
    search_style: str  # key of vocabulary.SEARCH_MODIFIERS
    voucher_probability: float = 0.0
    review_probability: float = 0.15
    rating_bias: float = 0.0  # added to the expected review score
    joined: str = "any"  # "any", "recent" (last weeks) or "early" (first third of history)
    quiet_last_days: int = 0  # no activity in the last N days (lapsed customers)
    login_after_browsing: float = 0.05  # chance a visit starts anonymous, then logs in


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "bargain_hunter",
        0.25,
        visits_per_month=0.9,
        views_per_visit=(2, 3),
        searches_per_visit=(1, 3),
        buy_probability=0.32,
        abandon_probability=0.1,
        lines_per_order=(1, 1),
        price_taste=-2.5,
        favourite_departments=("books", "toys"),
        loyalty=0.6,
        search_style="bargain",
        voucher_probability=0.6,
        review_probability=0.2,
        rating_bias=-0.4,
    ),
    Persona(
        "loyal_big_spender",
        0.17,
        visits_per_month=1.3,
        views_per_visit=(1, 2),
        searches_per_visit=(0, 1),
        buy_probability=0.7,
        abandon_probability=0.1,
        lines_per_order=(1, 2),
        price_taste=1.6,
        favourite_departments=("electronics", "home"),
        loyalty=0.85,
        search_style="premium",
        review_probability=0.2,
        rating_bias=0.5,
    ),
    Persona(
        "window_shopper",
        0.22,
        visits_per_month=0.9,
        views_per_visit=(2, 4),
        searches_per_visit=(0, 1),
        buy_probability=0.025,
        abandon_probability=0.6,
        lines_per_order=(1, 1),
        price_taste=0.4,
        favourite_departments=("clothing",),
        loyalty=0.7,
        search_style="plain",
        review_probability=0.05,
    ),
    Persona(
        "new_customer",
        0.14,
        visits_per_month=4.0,
        views_per_visit=(2, 3),
        searches_per_visit=(0, 1),
        buy_probability=0.0,
        abandon_probability=0.3,
        lines_per_order=(1, 2),
        price_taste=0.0,
        favourite_departments=("beauty",),
        loyalty=0.6,
        search_style="plain",
        review_probability=0.3,
        rating_bias=0.2,
        joined="recent",
        login_after_browsing=0.5,
    ),
    Persona(
        "lapsed",
        0.22,
        visits_per_month=1.0,
        views_per_visit=(1, 2),
        searches_per_visit=(0, 1),
        buy_probability=0.4,
        abandon_probability=0.15,
        lines_per_order=(1, 2),
        price_taste=-0.3,
        favourite_departments=("sports",),
        loyalty=0.7,
        search_style="plain",
        review_probability=0.25,
        rating_bias=-0.9,
        joined="early",
        quiet_last_days=100,
    ),
)
PERSONA_BY_NAME = {persona.name: persona for persona in PERSONAS}


def assign_personas(count: int, rng: random.Random) -> list[Persona]:
    """``count`` personas in the configured shares (exact counts, shuffled order)."""
    counts = [int(count * persona.share) for persona in PERSONAS]
    for index in range(count - sum(counts)):
        counts[index % len(counts)] += 1
    assigned = [persona for persona, n in zip(PERSONAS, counts, strict=True) for _ in range(n)]
    rng.shuffle(assigned)
    return assigned
