"""The per-customer feature table that segmentation and the predictions read.

Computed in bulk by :mod:`.customer_features` from a :class:`~.customer_log.CustomerLog`;
plain numpy, no Django, so the models can be tested and benchmarked on arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Every column of :attr:`CustomerTable.values`, in order. Units: days, counts, the shop's
#: currency, ratios in [0, 1], review scores 1-5, RFM scores 1-5 (5 = best).
FEATURES: tuple[str, ...] = (
    "recency_days",  # days from the last order to ``as_of`` (no order: tenure_days)
    "frequency",  # orders placed
    "monetary",  # total spent over all orders
    "r_score",  # RFM quintile scores, 1-5; customers without orders get 1 / 1 / 1
    "f_score",
    "m_score",
    "avg_order_value",  # monetary / frequency (0 without orders)
    "tenure_days",  # days from the first event or order to ``as_of``
    "days_between_orders",  # mean gap between consecutive orders (missing: see cleaning)
    "views",  # product views
    "searches",
    "basket_adds",
    "sessions",  # active days (days with any event)
    "browse_to_buy",  # orders / views (views 0: orders > 0 -> 1, else 0)
    "basket_abandonment",  # share of basket additions not bought within the abandon window
    "discount_share",  # share of orders that used a voucher or discount
    "avg_review_score",  # mean review rating (no review: the shop's mean)
    "reviews",
)


@dataclass
class CustomerTable:
    """Features of each customer as of one moment.

    Attributes
    ----------
    customer_ids : int64 (n,) user primary keys, ascending.
    values : float64 (n, len(FEATURES)), cleaned (no NaN), columns in :data:`FEATURES`.
    categories : names of the category columns of ``category_shares``.
    category_shares : float64 (n, len(categories)); each row is the customer's share of
        interactions (weighted like the recommendations' event weights) per top-level
        category, summing to 1, or all 0 for a customer with no categorised interaction.
    as_of : unix time the features describe (events after it are ignored).
    cleaning : what cleaning did, e.g. {"bot_customers": 2, "duplicate_events": 10,
        "clipped": {"monetary": 3, ...}, "filled": {"avg_review_score": 420, ...}}.
    """

    customer_ids: np.ndarray
    values: np.ndarray
    categories: list[str] = field(default_factory=list)
    category_shares: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    as_of: float = 0.0
    cleaning: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.values.shape != (len(self.customer_ids), len(FEATURES)):
            raise ValueError(
                f"values has shape {self.values.shape}; expected "
                f"({len(self.customer_ids)}, {len(FEATURES)})."
            )
        if not self.category_shares.size:
            self.category_shares = np.zeros((len(self.customer_ids), len(self.categories)))

    def __len__(self) -> int:
        return len(self.customer_ids)

    def column(self, name: str) -> np.ndarray:
        """One feature column by name (a view, do not modify)."""
        return self.values[:, FEATURES.index(name)]

    def subset(self, rows: np.ndarray) -> CustomerTable:
        """The table restricted to ``rows`` (a boolean mask or index array)."""
        return CustomerTable(
            customer_ids=self.customer_ids[rows],
            values=self.values[rows],
            categories=list(self.categories),
            category_shares=self.category_shares[rows],
            as_of=self.as_of,
            cleaning=dict(self.cleaning),
        )

    def as_dicts(self) -> list[dict[str, float]]:
        """One {feature: value} dict per customer (for storing on profiles)."""
        return [dict(zip(FEATURES, row.tolist(), strict=True)) for row in self.values]


@dataclass
class CustomerLog:
    """Customers' raw behaviour as columns: what :mod:`.customer_features` computes from.

    Built from the event log by :func:`.customer_log.customer_log_from_events` (order
    events mirror Oscar's orders: capture and backfill write one per order), or by hand
    in tests and benchmarks. Times are unix seconds (float64). Only customers (users)
    appear; anonymous sessions are merged into their customer at login by capture.

    Event columns (one entry per event, any order):
        event_customer int64 user pk; event_kind str object array (``EventKind`` values:
        "view", "search", "basket_add", "order", "purchase", "review", "login", ...);
        event_time float64; event_product int64 product pk, -1 when none (variants already
        mapped to their parent); event_value float64 (order total for "order", line price
        for "purchase", NaN otherwise); event_rating float64 (NaN unless "review");
        event_discounted bool (an "order" that used a voucher or got a discount).
    Catalogue: product_ids int64 ascending and product_category str object array, the
        top-level category name of each product ("" when it has none).
    customers: int64 pks of every customer to describe, including customers without
        events (they get a row of zeros / defaults).
    """

    event_customer: np.ndarray
    event_kind: np.ndarray
    event_time: np.ndarray
    event_product: np.ndarray
    event_value: np.ndarray
    event_rating: np.ndarray
    event_discounted: np.ndarray
    product_ids: np.ndarray
    product_category: np.ndarray
    customers: np.ndarray

    def __len__(self) -> int:
        return len(self.event_customer)

    def before(self, moment: float) -> CustomerLog:
        """The log as it stood at ``moment`` (events strictly before it)."""
        keep = self.event_time < moment
        return CustomerLog(
            event_customer=self.event_customer[keep],
            event_kind=self.event_kind[keep],
            event_time=self.event_time[keep],
            event_product=self.event_product[keep],
            event_value=self.event_value[keep],
            event_rating=self.event_rating[keep],
            event_discounted=self.event_discounted[keep],
            product_ids=self.product_ids,
            product_category=self.product_category,
            customers=self.customers,
        )
