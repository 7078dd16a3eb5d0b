"""A seeded synthetic shop's customer log for the segmentation benchmarks and their tests.

:func:`synthetic_customer_log` builds a :class:`~oscar_ai_crm.features.customer_table.CustomerLog`
of any size with plain numpy: a year of history, 5,000 products in 20 categories, customers
of five hidden types (:data:`TYPES`: big spenders, bargain hunters, window shoppers, lapsed
customers, newcomers) that differ in activity, event mix, spend, voucher use, review
scores, favourite categories and the part of the year they are active. Activity is
heavy-tailed (Pareto, shape 1.5); events come in sessions of 2-8 (views and searches, then
basket additions, then purchases, which buy the session's basket additions); each session
with purchases adds one order event (the sum of its lines, 10 % off when a voucher was
used). 3 % of customers have no event, 1 % of the events are double-clicked views, and
one customer in 10,000 is a bot (600 views within eight hours of one UTC day).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from oscar_ai_crm.features.customer_table import CustomerLog

DAY = 86_400.0
YEAR = 365 * DAY
START = 1_700_000_000.0
AS_OF = START + YEAR
FIRST_MIDNIGHT = (START // DAY + 1) * DAY  # bots are counted per UTC day
KINDS = np.array(["view", "search", "basket_add", "purchase", "review"], dtype=object)
VIEW, SEARCH, ADD, PURCHASE, REVIEW = range(5)
CATEGORIES = (
    "books", "toys", "electronics", "home", "garden", "kitchen", "sports", "outdoor",
    "fashion", "shoes", "beauty", "health", "baby", "pets", "music", "films", "games",
    "office", "tools", "food",
)  # fmt: skip
N_PRODUCTS = 5_000
ACCOUNT_ONLY = 0.03  # customers with an account and no event
DUPLICATES = 0.01  # share of the events that are double-clicked views
BOT_EVENTS = 600  # views in one day by each planted bot (the default limit is 500 a day)
LOYALTY = 0.7  # share of a customer's product events in their favourite category


@dataclass(frozen=True)
class CustomerType:
    """How one hidden type of synthetic customer behaves."""

    name: str
    share: float  # fraction of customers
    activity: float  # relative number of events
    kinds: tuple[float, float, float, float, float]  # view, search, basket_add, purchase, review
    spend: float  # multiplier of line values (quantities, premium variants)
    discount: float  # chance an order used a voucher
    rating: float  # mean review score
    active: tuple[float, float]  # part of the year active (0: a year before as_of, 1: as_of)
    categories: tuple[int, ...]  # the categories its customers' favourites are drawn from


TYPES = (
    CustomerType("big_spender", 0.15, 2.0, (0.45, 0.05, 0.2, 0.25, 0.05), 3.0, 0.05, 4.5,
                 (0.0, 1.0), (2, 3, 5, 8)),
    CustomerType("bargain_hunter", 0.25, 1.0, (0.4, 0.3, 0.12, 0.15, 0.03), 0.5, 0.7, 3.2,
                 (0.0, 1.0), (0, 1, 10, 19)),
    CustomerType("window_shopper", 0.25, 1.5, (0.7, 0.12, 0.15, 0.02, 0.01), 1.0, 0.1, 3.8,
                 (0.0, 1.0), (8, 9, 10, 14)),
    CustomerType("lapsed", 0.2, 0.8, (0.5, 0.1, 0.2, 0.18, 0.02), 1.2, 0.2, 3.5,
                 (0.0, 0.55), (6, 7, 15, 16)),
    CustomerType("newcomer", 0.15, 0.5, (0.6, 0.15, 0.15, 0.09, 0.01), 1.0, 0.3, 4.0,
                 (0.9, 1.0), (4, 11, 12, 13)),
)  # fmt: skip


def synthetic_customer_log(
    n_customers: int, n_events: int, seed: int = 42
) -> tuple[CustomerLog, np.ndarray]:
    """A shop-like ``CustomerLog`` and each customer's hidden type (deterministic per seed).

    Returns ``(log, types)``: ``types[i]`` indexes :data:`TYPES` for ``log.customers[i]``
    (pks 1..n). ``n_events`` counts views, searches, basket additions, purchases, reviews,
    double-clicks and bot views; the order events (one per session with purchases) come on
    top. Times are unix seconds in the year before :data:`AS_OF`.
    """
    if n_customers < 1 or n_events < 2 * n_customers:
        raise ValueError("Need at least 1 customer and 2 events per customer.")
    rng = np.random.default_rng(seed)
    types = _draw(rng, np.array([t.share for t in TYPES]), n_customers)
    price, category, popularity = _catalogue(rng)
    bots = rng.choice(n_customers, max(1, n_customers // 10_000), replace=False)
    active = rng.random(n_customers) >= ACCOUNT_ONLY
    active[bots] = True
    n_duplicates = int(n_events * DUPLICATES)
    n_lines = n_events - n_duplicates - len(bots) * BOT_EVENTS
    ev = _sessions(rng, types, np.flatnonzero(active), n_lines)
    ev["product"] = _products(rng, types, ev["customer"], category, popularity)
    ev["product"] = np.where(ev["kind"] == SEARCH, -1, _bought_from_basket(ev))
    ev["value"], ev["rating"] = _values_and_ratings(rng, types, ev, price)
    ev["discounted"] = np.zeros(len(ev["kind"]), dtype=bool)  # only orders use vouchers
    parts = [ev, _orders(rng, types, ev), _duplicates(rng, ev, n_duplicates), _bots(rng, bots)]
    columns = {key: np.concatenate([part[key] for part in parts]) for key in ev}
    log = CustomerLog(
        event_customer=columns["customer"] + 1,
        event_kind=np.array([*KINDS, "order"], dtype=object)[columns["kind"]],
        event_time=columns["time"],
        event_product=np.where(columns["product"] >= 0, columns["product"] + 1, -1),
        event_value=columns["value"],
        event_rating=columns["rating"],
        event_discounted=columns["discounted"],
        product_ids=np.arange(1, N_PRODUCTS + 1, dtype=np.int64),
        product_category=np.array(CATEGORIES, dtype=object)[category],
        customers=np.arange(1, n_customers + 1, dtype=np.int64),
    )
    return log, types


def _draw(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """``n`` indices drawn with probability proportional to ``weights``."""
    cumulative = np.cumsum(weights)
    return np.searchsorted(cumulative, rng.random(n) * cumulative[-1], side="right")


def _per_type(types: np.ndarray, attribute: str) -> np.ndarray:
    return np.array([getattr(t, attribute) for t in TYPES])[types]


def _catalogue(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Price, category and popularity (Zipf) of each product."""
    category = rng.integers(0, len(CATEGORIES), N_PRODUCTS)
    base = np.exp(rng.normal(3.0, 0.8, len(CATEGORIES)))
    price = np.round(base[category] * rng.lognormal(0.0, 0.5, N_PRODUCTS), 2) + 0.99
    popularity = 1.0 / rng.permutation(np.arange(1, N_PRODUCTS + 1))
    return price, category, popularity


def _sessions(
    rng: np.random.Generator, types: np.ndarray, active: np.ndarray, n: int
) -> dict[str, np.ndarray]:
    """Customer, session, kind and time of ``n`` events, sorted by session then kind."""
    weight = _per_type(types[active], "activity") * (rng.pareto(1.5, len(active)) + 1.0)
    customer = np.sort(np.concatenate([active, active[_draw(rng, weight, n - len(active))]]))
    position = np.arange(n) - np.searchsorted(customer, customer)  # rank within the customer
    length = rng.integers(2, 9, len(types))[customer]  # events per session, per customer
    keys, session = np.unique(customer * (n + 1) + position // length, return_inverse=True)
    owner = keys // (n + 1)
    begin, end = _per_type(types, "active")[:, 0], _per_type(types, "active")[:, 1]
    joined = begin + rng.random(len(types)) * 0.7 * (end - begin)
    start = joined[owner] + rng.random(len(keys)) * (end[owner] - joined[owner])
    start = np.minimum(START + start * YEAR, AS_OF - 3_600)
    kind = np.zeros(n, dtype=np.int64)
    for index, kind_type in enumerate(TYPES):
        rows = np.flatnonzero(types[customer] == index)
        kind[rows] = _draw(rng, np.array(kind_type.kinds), len(rows))
    order = np.lexsort((kind, session))
    session, kind, customer = session[order], kind[order], customer[order]
    rank = np.arange(n) - np.searchsorted(session, session)
    time = start[session] + rank * 60.0 + rng.random(n) * 30.0
    return {"customer": customer, "session": session, "kind": kind, "time": time}


def _products(
    rng: np.random.Generator,
    types: np.ndarray,
    customer: np.ndarray,
    category: np.ndarray,
    popularity: np.ndarray,
) -> np.ndarray:
    """A product per event: 70 % from the customer's favourite category, by popularity."""
    options = np.array([t.categories for t in TYPES])[types]
    favourite = options[np.arange(len(types)), rng.integers(0, options.shape[1], len(types))]
    loyal = rng.random(len(customer)) < LOYALTY
    chosen = np.where(loyal, favourite[customer], rng.integers(0, len(CATEGORIES), len(customer)))
    product = np.zeros(len(customer), dtype=np.int64)
    for code in range(len(CATEGORIES)):
        members = np.flatnonzero(category == code)
        rows = np.flatnonzero(chosen == code)
        product[rows] = members[_draw(rng, popularity[members], len(rows))]
    return product


def _bought_from_basket(ev: dict[str, np.ndarray]) -> np.ndarray:
    """Purchases buy the session's basket additions (in turn) when it has any."""
    key = ev["session"] * len(KINDS) + ev["kind"]  # ascending: sorted by session, kind
    first_add = np.searchsorted(key, ev["session"] * len(KINDS) + ADD)
    adds = np.searchsorted(key, ev["session"] * len(KINDS) + ADD, side="right") - first_add
    turn = np.arange(len(key)) - np.searchsorted(key, ev["session"] * len(KINDS) + PURCHASE)
    buys = (ev["kind"] == PURCHASE) & (adds > 0)
    product = ev["product"].copy()
    product[buys] = ev["product"][first_add[buys] + turn[buys] % adds[buys]]
    return product


def _values_and_ratings(
    rng: np.random.Generator, types: np.ndarray, ev: dict[str, np.ndarray], price: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Line values of purchases and ratings of reviews (NaN elsewhere)."""
    kind, customer = ev["kind"], ev["customer"]
    spend = _per_type(types, "spend")[customer] * rng.lognormal(0.0, 0.3, len(kind))
    value = np.where(kind == PURCHASE, np.round(price[ev["product"]] * spend, 2), np.nan)
    score = np.rint(_per_type(types, "rating")[customer] + rng.normal(0.0, 0.8, len(kind)))
    rating = np.where(kind == REVIEW, np.clip(score, 1, 5), np.nan)
    return value, rating


def _orders(
    rng: np.random.Generator, types: np.ndarray, ev: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """One order event per session with purchases: the sum of its lines, after its last."""
    buy = ev["kind"] == PURCHASE
    sessions, last = np.unique(ev["session"][buy][::-1], return_index=True)
    last = np.flatnonzero(buy)[::-1][last]  # the session's last purchase
    total = np.bincount(ev["session"][buy], weights=ev["value"][buy])[sessions]
    customer = ev["customer"][last]
    discounted = rng.random(len(sessions)) < _per_type(types, "discount")[customer]
    n = len(sessions)
    return {
        "customer": customer,
        "session": sessions,
        "kind": np.full(n, len(KINDS)),  # "order"
        "time": ev["time"][last] + 30.0,
        "product": np.full(n, -1),
        "value": np.round(np.where(discounted, 0.9, 1.0) * total, 2),
        "rating": np.full(n, np.nan),
        "discounted": discounted,
    }


def _duplicates(
    rng: np.random.Generator, ev: dict[str, np.ndarray], n: int
) -> dict[str, np.ndarray]:
    """Double-clicks: copies of ``n`` random views half a second later."""
    rows = rng.choice(np.flatnonzero(ev["kind"] == VIEW), n, replace=False)
    copy = {key: column[rows] for key, column in ev.items() if key != "discounted"}
    return copy | {"time": copy["time"] + 0.5, "discounted": np.zeros(n, dtype=bool)}


def _bots(rng: np.random.Generator, bots: np.ndarray) -> dict[str, np.ndarray]:
    """:data:`BOT_EVENTS` views by each bot within eight hours of one day."""
    n = len(bots) * BOT_EVENTS
    day = FIRST_MIDNIGHT + rng.integers(0, 360, len(bots)) * DAY
    return {
        "customer": np.repeat(bots, BOT_EVENTS),
        "session": np.full(n, -1),
        "kind": np.full(n, VIEW),
        "time": np.repeat(day, BOT_EVENTS) + rng.random(n) * 8 * 3_600,
        "product": rng.integers(0, N_PRODUCTS, n),
        "value": np.full(n, np.nan),
        "rating": np.full(n, np.nan),
        "discounted": np.zeros(n, dtype=bool),
    }
