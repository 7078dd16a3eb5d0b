"""Segment tests; :func:`planted_table` builds customer tables with known groups."""

from __future__ import annotations

import numpy as np

from oscar_ai_crm.features.customer_table import FEATURES, CustomerTable

DAY = 86_400.0
AS_OF = 1_700_000_000.0
CATEGORIES = ["Books", "Clothing", "Electronics", "Sports"]

#: Typical behaviour of each planted group (before noise): recency, orders, order value,
#: tenure, views, searches, basket adds, abandonment, discount share, favourite category.
GROUPS: dict[str, dict] = {
    "champions": dict(
        recency=8, orders=12, aov=150, tenure=300, views=40, searches=5, adds=14,
        abandon=0.1, discount=0.05, category="Electronics",
    ),
    "bargain": dict(
        recency=35, orders=4, aov=18, tenure=280, views=25, searches=30, adds=6,
        abandon=0.2, discount=0.75, category="Books",
    ),
    "browsers": dict(
        recency=200, orders=0, aov=0, tenure=200, views=90, searches=6, adds=25,
        abandon=0.9, discount=0.0, category="Clothing",
    ),
    "lapsed": dict(
        recency=210, orders=3, aov=60, tenure=330, views=8, searches=1, adds=3,
        abandon=0.2, discount=0.1, category="Sports",
    ),
}  # fmt: skip


def planted_table(sizes: dict[str, int], seed: int = 0) -> tuple[CustomerTable, np.ndarray]:
    """A table of customers drawn around :data:`GROUPS`, shuffled; returns (table, group index).

    Counts get Poisson noise, amounts and days log-normal noise (sigma 0.25), ratios a
    small normal jitter; derived columns (monetary, RFM scores, browse-to-buy, gaps) are
    computed from the drawn ones so the table is internally consistent.
    """
    rng = np.random.default_rng(seed)
    names = list(sizes)
    truth = np.repeat(np.arange(len(names)), [sizes[name] for name in names])
    rng.shuffle(truth)
    n = len(truth)

    def spread(key: str) -> np.ndarray:
        centre = np.array([GROUPS[name][key] for name in names], dtype=float)[truth]
        return centre * rng.lognormal(0.0, 0.25, n)

    def count(key: str) -> np.ndarray:
        centre = np.array([GROUPS[name][key] for name in names], dtype=float)[truth]
        return rng.poisson(centre).astype(float)

    def ratio(key: str) -> np.ndarray:
        centre = np.array([GROUPS[name][key] for name in names], dtype=float)[truth]
        return np.clip(centre + rng.normal(0.0, 0.05, n), 0.0, 1.0)

    orders = count("orders")
    tenure = spread("tenure")
    recency = np.where(orders > 0, np.minimum(spread("recency"), tenure), tenure)
    aov = np.where(orders > 0, np.maximum(spread("aov"), 1.0), 0.0)
    views = count("views")
    columns = {
        "recency_days": recency,
        "frequency": orders,
        "monetary": orders * aov,
        "avg_order_value": aov,
        "tenure_days": tenure,
        "days_between_orders": np.where(orders > 1, (tenure - recency) / np.maximum(orders, 1), 0),
        "views": views,
        "searches": count("searches"),
        "basket_adds": count("adds"),
        "sessions": count("views") / 3 + orders,
        "browse_to_buy": np.where(views > 0, orders / np.maximum(views, 1), orders > 0),
        "basket_abandonment": ratio("abandon"),
        "discount_share": np.where(orders > 0, ratio("discount"), 0.0),
        "avg_review_score": np.clip(rng.normal(4.0, 0.5, n), 1, 5),
        "reviews": rng.poisson(1.0, n).astype(float),
    }
    columns["r_score"] = _quintile(-recency)
    columns["f_score"] = _quintile(orders)
    columns["m_score"] = _quintile(columns["monetary"])
    values = np.column_stack([columns[name] for name in FEATURES]).astype(float)
    favourite = np.array([CATEGORIES.index(GROUPS[name]["category"]) for name in names])[truth]
    shares = rng.dirichlet(np.ones(len(CATEGORIES)) * 0.5, n) * 0.3
    shares[np.arange(n), favourite] += 0.7
    table = CustomerTable(
        customer_ids=np.arange(1, n + 1, dtype=np.int64),
        values=values,
        categories=list(CATEGORIES),
        category_shares=shares,
        as_of=AS_OF,
    )
    return table, truth


def _quintile(values: np.ndarray) -> np.ndarray:
    ranks = np.argsort(np.argsort(values, kind="stable"), kind="stable")
    return 1.0 + np.floor(5 * ranks / max(len(values), 1))
