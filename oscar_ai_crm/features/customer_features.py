"""Per-customer features (RFM and behaviour) computed in bulk from a :class:`CustomerLog`.

Plain numpy, no Django: every step works on whole columns (``np.unique``, ``np.bincount``,
``np.lexsort``), so 100k customers / 1M events take seconds. The cleaning rules (duplicate
events, bot-like customers, outliers, missing values) are described in
``docs/customer-features.md`` and counted in :attr:`CustomerTable.cleaning`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .customer_table import FEATURES, CustomerLog, CustomerTable

SECONDS_PER_DAY = 86_400.0

#: Weight of each event kind in the category shares (as the recommendations' event weights).
CATEGORY_WEIGHTS: dict[str, float] = {
    "view": 1.0,
    "basket_add": 3.0,
    "purchase": 5.0,
    "review": 2.0,
}

#: Features clipped at the ``clip_quantile`` of their positive values (upper tail only).
CLIPPED_FEATURES = ("monetary", "avg_order_value", "frequency", "views", "searches", "basket_adds")

#: ``avg_review_score`` of non-reviewers when the shop has no rated review at all.
DEFAULT_REVIEW_SCORE = 3.0

#: Kinds coded without sorting strings (compared one by one); other kinds are coded by np.unique.
_KNOWN_KINDS = ("view", "search", "basket_add", "order", "purchase", "review", "login")

_EVENT_COLUMNS = (
    "event_customer",
    "event_kind",
    "event_time",
    "event_product",
    "event_value",
    "event_rating",
    "event_discounted",
)


@dataclass
class _Events:
    """The events being described: ``row`` is the customer's row in the table."""

    row: np.ndarray
    kind: np.ndarray  # int codes into ``kinds``
    kinds: tuple[str, ...]
    time: np.ndarray
    product: np.ndarray
    value: np.ndarray
    rating: np.ndarray
    discounted: np.ndarray

    def take(self, keep: np.ndarray) -> _Events:
        return _Events(
            self.row[keep],
            self.kind[keep],
            self.kinds,
            self.time[keep],
            self.product[keep],
            self.value[keep],
            self.rating[keep],
            self.discounted[keep],
        )

    def is_(self, kind: str) -> np.ndarray:
        """Boolean mask of the events of ``kind``."""
        if kind not in self.kinds:
            return np.zeros(len(self.row), dtype=bool)
        return self.kind == self.kinds.index(kind)


def customer_table(
    log: CustomerLog,
    as_of: float,
    *,
    abandon_window_days: float = 7,
    bot_events_per_day: int = 500,
    duplicate_seconds: float = 1.0,
    clip_quantile: float = 0.99,
) -> CustomerTable:
    """The cleaned feature table of ``log.customers`` as of ``as_of`` (unix seconds).

    Parameters
    ----------
    log : the customers' raw events; events at or after ``as_of`` are ignored.
    as_of : the moment described.
    abandon_window_days : a basket addition counts as bought when the customer buys the
        product within this many days.
    bot_events_per_day : customers with more events than this on any single (UTC) day are
        treated as bots and left out of the table.
    duplicate_seconds : an event following one of the same customer, kind and product within
        this many seconds is a duplicate and dropped.
    clip_quantile : monetary, avg_order_value, frequency, views, searches and basket_adds are
        clipped at this quantile of their positive values (1.0: no clipping).

    Returns
    -------
    CustomerTable with one row per customer (ascending pk, bots excluded), the columns of
    :data:`FEATURES`, the category shares and a ``cleaning`` report.
    """
    _check_arguments(log, as_of, abandon_window_days, bot_events_per_day, clip_quantile)
    if duplicate_seconds < 0:
        raise ValueError(f"duplicate_seconds must be >= 0, got {duplicate_seconds}.")
    ids = np.unique(np.asarray(log.customers, dtype=np.int64))
    events, cleaning = _described_events(log, ids, float(as_of))
    bots = _bot_rows(events, len(ids), bot_events_per_day)
    ids, events = _drop_rows(ids, events, bots)
    events, cleaning["duplicate_events"] = _drop_duplicates(events, duplicate_seconds)
    cleaning["bot_customers"] = int(bots.sum())
    columns, cleaning["filled"] = _feature_columns(events, len(ids), float(as_of))
    columns["basket_abandonment"] = _basket_abandonment(
        events, len(ids), float(as_of), abandon_window_days * SECONDS_PER_DAY
    )
    cleaning["clipped"] = _clip_outliers(columns, clip_quantile)
    values = np.column_stack([columns[name] for name in FEATURES]).astype(np.float64)
    if np.isnan(values).any():  # an explicit check: survives python -O
        raise AssertionError("customer features still contain NaN after cleaning.")
    categories, shares = _category_shares(events, len(ids), log.product_ids, log.product_category)
    cleaning["events"] = len(events.row)
    return CustomerTable(ids, values, categories, shares, float(as_of), cleaning)


def quintile_scores(values: np.ndarray) -> np.ndarray:
    """Scores 1-5 by quintile of ``values`` (higher value, higher score).

    Each value's position is its mid-rank share ``(below + equal / 2) / n``, so equal values
    share a score, distinct values split into exact quintiles when ``n`` is a multiple of 5,
    and tiny inputs spread around the middle (one value: 3; two: 2 and 4; three: 1, 3, 5).
    Values are compared rounded to 6 decimals, so sums in a different order still tie.
    """
    values = np.asarray(values, dtype=np.float64)
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    _, inverse, counts = np.unique(np.round(values, 6), return_inverse=True, return_counts=True)
    below = np.cumsum(counts) - counts
    twice_position = 2 * below + counts  # integer arithmetic: no rounding at the cut points
    scores = 1 + np.minimum((5 * twice_position) // (2 * len(values)), 4)
    return scores[inverse].astype(np.int64)


def _check_arguments(
    log: CustomerLog, as_of: float, window: float, bot_limit: int, clip_quantile: float
) -> None:
    lengths = {len(np.asarray(getattr(log, name))) for name in _EVENT_COLUMNS}
    if len(lengths) > 1:
        raise ValueError(f"CustomerLog event columns differ in length: {sorted(lengths)}.")
    if len(log.product_ids) != len(log.product_category):
        raise ValueError("CustomerLog.product_ids and product_category differ in length.")
    if not np.isfinite(as_of):
        raise ValueError(f"as_of must be a finite unix time, got {as_of}.")
    if window < 0:
        raise ValueError(f"abandon_window_days must be >= 0, got {window}.")
    if bot_limit < 1:
        raise ValueError(f"bot_events_per_day must be >= 1, got {bot_limit}.")
    if not 0 < clip_quantile <= 1:
        raise ValueError(f"clip_quantile must be in (0, 1], got {clip_quantile}.")


def _described_events(log: CustomerLog, ids: np.ndarray, as_of: float) -> tuple[_Events, dict]:
    """Events before ``as_of`` of the customers in ``ids``, with each customer's row."""
    customer = np.asarray(log.event_customer, dtype=np.int64)
    time = np.asarray(log.event_time, dtype=np.float64)
    if np.isnan(time).any():
        raise ValueError("CustomerLog.event_time contains NaN.")
    row = np.minimum(np.searchsorted(ids, customer), max(len(ids) - 1, 0))
    known = (ids[row] == customer) if len(ids) else np.zeros(len(customer), dtype=bool)
    early = time < as_of
    keep = known & early
    kind, kinds = _kind_codes(np.asarray(log.event_kind, dtype=object)[keep])
    events = _Events(
        row[keep],
        kind,
        kinds,
        time[keep],
        np.asarray(log.event_product, dtype=np.int64)[keep],
        np.nan_to_num(np.asarray(log.event_value, dtype=np.float64)[keep]),
        np.asarray(log.event_rating, dtype=np.float64)[keep],
        np.asarray(log.event_discounted, dtype=bool)[keep],
    )
    cleaning = {"late_events": int((~early).sum()), "unknown_customer_events": int((~known).sum())}
    return events, cleaning


def _kind_codes(kind: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer codes for the kind strings (comparing known kinds is faster than sorting)."""
    codes = np.full(len(kind), -1, dtype=np.int64)
    for code, name in enumerate(_KNOWN_KINDS):
        codes[kind == name] = code
    other = codes < 0
    if not other.any():
        return codes, _KNOWN_KINDS
    names, inverse = np.unique(kind[other].astype(str), return_inverse=True)
    codes[other] = len(_KNOWN_KINDS) + inverse
    return codes, _KNOWN_KINDS + tuple(names.tolist())


def _customer_days(events: _Events) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (row, UTC day) pairs as rows, and how many events each holds."""
    day = np.floor(events.time / SECONDS_PER_DAY).astype(np.int64)
    if not len(day):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    span = int(day.max() - day.min()) + 1
    pairs, counts = np.unique(events.row * span + (day - day.min()), return_counts=True)
    return pairs // span, counts


def _bot_rows(events: _Events, n: int, limit: int) -> np.ndarray:
    """Rows with more than ``limit`` events on a single day (counted before de-duplication)."""
    rows, counts = _customer_days(events)
    bots = np.zeros(n, dtype=bool)
    bots[rows[counts > limit]] = True
    return bots


def _drop_rows(ids: np.ndarray, events: _Events, drop: np.ndarray) -> tuple[np.ndarray, _Events]:
    new_row = np.cumsum(~drop) - 1
    kept = events.take(~drop[events.row])
    kept.row = new_row[kept.row]
    return ids[~drop], kept


def _drop_duplicates(events: _Events, seconds: float) -> tuple[_Events, int]:
    """Drop events within ``seconds`` of the previous one with the same customer/kind/product."""
    order = np.lexsort((events.time, events.product, events.kind, events.row))
    ev = events.take(order)
    repeat = np.zeros(len(order), dtype=bool)
    repeat[1:] = (
        (ev.row[1:] == ev.row[:-1])
        & (ev.kind[1:] == ev.kind[:-1])
        & (ev.product[1:] == ev.product[:-1])
        & (np.diff(ev.time) <= seconds)
    )
    return ev.take(~repeat), int(repeat.sum())


def _feature_columns(events: _Events, n: int, as_of: float) -> tuple[dict, dict[str, int]]:
    """Every feature but basket_abandonment, missing values filled (counts returned)."""
    columns = _order_columns(events, n, as_of)
    first = np.full(n, np.inf)
    np.minimum.at(first, events.row, events.time)
    known = np.isfinite(first)
    tenure = np.where(known, (as_of - np.where(known, first, as_of)) / SECONDS_PER_DAY, 0.0)
    frequency = columns["frequency"]
    filled = {
        "recency_days": int((frequency == 0).sum()),
        "days_between_orders": int((frequency < 2).sum()),
    }
    columns["tenure_days"] = tenure
    columns["recency_days"] = np.where(frequency > 0, columns["recency_days"], tenure)
    columns["days_between_orders"] = np.where(
        frequency >= 2, columns["days_between_orders"], tenure
    )
    for name, kind in (("views", "view"), ("searches", "search"), ("basket_adds", "basket_add")):
        columns[name] = _count(events, kind, n)
    views = columns["views"]
    ratio = np.divide(frequency, views, out=np.zeros(n), where=views > 0)
    columns["browse_to_buy"] = np.where(views > 0, np.minimum(ratio, 1.0), frequency > 0)
    rows, _ = _customer_days(events)
    columns["sessions"] = np.bincount(rows, minlength=n).astype(np.float64)
    columns["reviews"] = _count(events, "review", n)
    columns["avg_review_score"], filled["avg_review_score"] = _review_scores(events, n)
    return columns, filled


def _count(events: _Events, kind: str, n: int) -> np.ndarray:
    return np.bincount(events.row[events.is_(kind)], minlength=n).astype(np.float64)


def _order_columns(events: _Events, n: int, as_of: float) -> dict[str, np.ndarray]:
    """Order-based features; recency and gaps are NaN where they are missing."""
    orders = events.take(events.is_("order"))
    frequency = np.bincount(orders.row, minlength=n).astype(np.float64)
    monetary = np.bincount(orders.row, weights=orders.value, minlength=n)
    discounted = np.bincount(orders.row, weights=orders.discounted, minlength=n)
    first, last = np.full(n, np.inf), np.full(n, -np.inf)
    np.minimum.at(first, orders.row, orders.time)
    np.maximum.at(last, orders.row, orders.time)
    buyer = frequency > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        recency = np.where(buyer, (as_of - last) / SECONDS_PER_DAY, np.nan)
        gaps = np.where(frequency >= 2, (last - first) / SECONDS_PER_DAY / (frequency - 1), np.nan)
    scores = {"r_score": -recency, "f_score": frequency, "m_score": monetary}
    columns = {name: np.ones(n) for name in scores}
    for name, value in scores.items():
        columns[name][buyer] = quintile_scores(value[buyer])
    return columns | {
        "recency_days": recency,
        "frequency": frequency,
        "monetary": monetary,
        "avg_order_value": np.divide(monetary, frequency, out=np.zeros(n), where=buyer),
        "days_between_orders": gaps,
        "discount_share": np.divide(discounted, frequency, out=np.zeros(n), where=buyer),
    }


def _review_scores(events: _Events, n: int) -> tuple[np.ndarray, int]:
    """Mean rating per customer; customers without a rating get the shop's mean rating."""
    rated = events.take(events.is_("review") & ~np.isnan(events.rating))
    total = np.bincount(rated.row, weights=rated.rating, minlength=n)
    count = np.bincount(rated.row, minlength=n)
    shop_mean = float(rated.rating.mean()) if len(rated.row) else DEFAULT_REVIEW_SCORE
    scores = np.divide(total, count, out=np.full(n, shop_mean), where=count > 0)
    return scores, int((count == 0).sum())


def _basket_abandonment(events: _Events, n: int, as_of: float, window: float) -> np.ndarray:
    """Share of decided basket additions not bought within ``window`` seconds.

    An addition is bought by a purchase of the same product (an addition without a product,
    by any order) at or after it and at most ``window`` later. It is decided once bought or
    once its window closed before ``as_of``; additions still open are left out.
    """
    adds = events.is_("basket_add")
    buy_order = events.is_("order")
    take = adds | events.is_("purchase") | buy_order
    product = np.where(buy_order, -1, events.product)[take]
    _, product_index = np.unique(product, return_inverse=True)
    key = events.row[take] * (int(product_index.max(initial=0)) + 1) + product_index
    is_buy, time, row = ~adds[take], events.time[take], events.row[take]
    order = np.lexsort((is_buy, time, key))  # an addition sorts before a purchase at its time
    key, is_buy, time, row = key[order], is_buy[order], time[order], row[order]
    m = len(key)
    position = np.where(is_buy, np.arange(m), m)
    next_buy = np.minimum.accumulate(position[::-1])[::-1][~is_buy]
    at = np.minimum(next_buy, max(m - 1, 0))
    added = ~is_buy
    bought = (next_buy < m) & (key[at] == key[added]) & (time[at] - time[added] <= window)
    closed = time[added] + window < as_of
    abandoned = np.bincount(row[added], weights=~bought & closed, minlength=n)
    decided = np.bincount(row[added], weights=bought | closed, minlength=n)
    return np.divide(abandoned, decided, out=np.zeros(n), where=decided > 0)


def _clip_outliers(columns: dict[str, np.ndarray], quantile: float) -> dict[str, int]:
    """Clip each of :data:`CLIPPED_FEATURES` at ``quantile`` of its positive values.

    The cap is an observed value (``method="higher"``), so a feature with fewer than about
    ``1 / (1 - quantile)`` positive values is left as it is.
    """
    clipped = {}
    for name in CLIPPED_FEATURES:
        column = columns[name]
        positive = column[column > 0]
        cap = np.quantile(positive, quantile, method="higher") if len(positive) else 0.0
        over = column > cap if len(positive) else np.zeros(len(column), dtype=bool)
        clipped[name] = int(over.sum())
        columns[name] = np.where(over, cap, column)
    return clipped


def _category_shares(
    events: _Events, n: int, product_ids: np.ndarray, product_category: np.ndarray
) -> tuple[list[str], np.ndarray]:
    """Weighted share of each customer's product events per top-level category."""
    product_ids = np.asarray(product_ids, dtype=np.int64)
    names = np.asarray(product_category, dtype=object).astype(str)
    by_id = np.argsort(product_ids, kind="stable")
    product_ids, names = product_ids[by_id], names[by_id]
    categories, code = np.unique(names, return_inverse=True)
    if len(categories) and categories[0] == "":
        categories, code = categories[1:], code - 1  # uncategorised products get -1
    weight = np.zeros(len(events.row))
    for kind, kind_weight in CATEGORY_WEIGHTS.items():
        weight[events.is_(kind)] = kind_weight
    at = np.minimum(np.searchsorted(product_ids, events.product), max(len(product_ids) - 1, 0))
    found = (product_ids[at] == events.product) if len(product_ids) else weight < 0
    event_code = np.where(found, code[at] if len(code) else -1, -1)
    use = (event_code >= 0) & (weight > 0)
    n_cat = len(categories)
    totals = (
        np.bincount(
            events.row[use] * n_cat + event_code[use], weights=weight[use], minlength=n * n_cat
        )
        .reshape(n, n_cat)
        .astype(np.float64)
    )
    row_sum = totals.sum(axis=1, keepdims=True)
    shares = np.divide(totals, row_sum, out=np.zeros_like(totals), where=row_sum > 0)
    return categories.tolist(), shares
