"""K-means segments of customers: feature choice, transforms, k chosen by silhouette.

Plain numpy and scikit-learn on a :class:`~oscar_ai_crm.features.customer_table.CustomerTable`;
no Django. :func:`cluster_customers` is the entry point; docs/segments.md explains the choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from ..features.customer_table import FEATURES, CustomerTable

#: Behavioural features clustered by default. The RFM scores are left out: they are
#: quintiles of recency / frequency / monetary, which are already in, and would count
#: those three twice. ``reviews`` is left out too: most customers write none, so it
#: mostly adds noise. The category shares are added as ``category:<name>`` columns.
CLUSTER_FEATURES: tuple[str, ...] = (
    "recency_days",
    "frequency",
    "monetary",
    "avg_order_value",
    "tenure_days",
    "days_between_orders",
    "views",
    "searches",
    "basket_adds",
    "sessions",
    "browse_to_buy",
    "basket_abandonment",
    "discount_share",
    "avg_review_score",
)

#: Counts, money and day spans: heavy-tailed (a few customers with 100x the median), so
#: they are clustered as ``log1p(value)``. Ratios, shares and scores stay linear.
LOG_FEATURES: frozenset[str] = frozenset(
    {
        "recency_days",
        "frequency",
        "monetary",
        "avg_order_value",
        "tenure_days",
        "days_between_orders",
        "views",
        "searches",
        "basket_adds",
        "sessions",
        "reviews",
    }
)

CATEGORY_PREFIX = "category:"

#: Scaled values are clipped to +-Z_LIMIT standard deviations, so that one extreme
#: customer (5 orders after a single view) cannot claim a segment of its own.
Z_LIMIT = 4.0


@dataclass
class Clustering:
    """The segments found for one table.

    Attributes
    ----------
    labels : int64 (n,) segment of each table row, 0 = the largest segment.
    k : number of segments (1 when clustering was not possible, 0 for an empty table).
    silhouette_by_k : mean silhouette of every k tried (higher is better, in [-1, 1]).
    silhouette : the chosen k's silhouette, ``None`` when nothing was clustered.
    centers : float64 (k, len(features)) mean of each feature over the segment's members,
        in the table's own units (days, counts, money, shares), not the scaled space.
    features : names of the clustered columns (``category:<name>`` for category shares).
    algorithm : "kmeans", "minibatch", or "none" when one segment was returned.
    reason : why there is only one segment (empty when clustering ran).
    """

    labels: np.ndarray
    k: int
    silhouette_by_k: dict[int, float]
    silhouette: float | None
    centers: np.ndarray
    features: list[str]
    algorithm: str
    reason: str = ""
    sizes: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.sizes = np.bincount(self.labels, minlength=self.k).tolist() if self.k else []

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures for a run record (no per-customer labels)."""
        return {
            "k": self.k,
            "algorithm": self.algorithm,
            "silhouette": self.silhouette,
            "silhouette_by_k": {str(k): s for k, s in self.silhouette_by_k.items()},
            "sizes": self.sizes,
            "features": self.features,
            "centers": [
                dict(zip(self.features, row.tolist(), strict=True)) for row in self.centers
            ],
            "reason": self.reason,
        }


def cluster_customers(
    table: CustomerTable,
    *,
    k_min: int = 2,
    k_max: int = 8,
    random_state: int = 42,
    minibatch_above: int = 20_000,
    silhouette_sample: int = 5_000,
    features: Sequence[str] | None = None,
) -> Clustering:
    """Segment customers with K-means, choosing k in ``[k_min, k_max]`` by silhouette.

    Parameters
    ----------
    table : the customers' features.
    k_min, k_max : range of segment counts tried; the best mean silhouette wins (the
        smaller k on a tie).
    random_state : seeds K-means and the silhouette sample: same input, same segments.
    minibatch_above : above this many customers MiniBatchKMeans replaces KMeans.
    silhouette_sample : above this many customers the silhouette is measured on a fixed
        random sample of this size (exact silhouette is quadratic in customers).
    features : names from :data:`FEATURES` and ``category:<name>`` columns; default
        :data:`CLUSTER_FEATURES` plus every category share of the table.

    Returns
    -------
    Clustering; one segment with a ``reason`` when there are too few customers or too
    few distinct feature rows to compare two segments.
    """
    if k_min < 2 or k_max < k_min:
        raise ValueError(f"Need 2 <= k_min <= k_max; got k_min={k_min}, k_max={k_max}.")
    names = list(features) if features is not None else default_features(table)
    if not names:
        raise ValueError("No features to cluster on.")
    raw = feature_matrix(table, names)
    n = len(table)
    if n < k_min + 1:
        return _one_segment(raw, names, f"only {n} customers; need at least {k_min + 1}.")
    points = scale_features(raw, names)
    distinct = _count_distinct_rows(points)
    top_k = min(k_max, distinct, n - 1)
    if top_k < k_min:
        return _one_segment(
            raw, names, f"only {distinct} distinct feature rows; need at least {k_min}."
        )
    algorithm = "minibatch" if n > minibatch_above else "kmeans"
    sample = np.random.default_rng(random_state).choice(n, min(n, silhouette_sample), False)
    sample.sort()
    best_labels, best_score, by_k = None, -np.inf, {}
    # One thread: on shared cores OpenMP's synchronisation made K-means 7x slower (100k
    # customers: 17 s with 2 threads against 2.4 s with one, on this 2-core machine).
    with threadpool_limits(1):
        for k in range(k_min, top_k + 1):
            labels = _fit_labels(points, k, algorithm, random_state)
            if len(np.unique(labels[sample])) < 2:
                continue  # silhouette undefined: this k collapsed to one segment
            by_k[k] = float(silhouette_score(points[sample], labels[sample]))
            if by_k[k] > best_score:  # strictly: the smaller k wins a tie
                best_labels, best_score = labels, by_k[k]
    if best_labels is None:
        return _one_segment(raw, names, "K-means found no two separate segments.")
    labels = _by_size(best_labels)
    k = int(labels.max()) + 1
    return Clustering(
        labels=labels,
        k=k,
        silhouette_by_k=by_k,
        silhouette=best_score,
        centers=_centers(raw, labels, k),
        features=names,
        algorithm=algorithm,
    )


def default_features(table: CustomerTable) -> list[str]:
    """:data:`CLUSTER_FEATURES` followed by one ``category:<name>`` per table category."""
    return list(CLUSTER_FEATURES) + [CATEGORY_PREFIX + name for name in table.categories]


def feature_matrix(table: CustomerTable, names: Sequence[str]) -> np.ndarray:
    """The named columns of ``table`` in its own units, float64 (n, len(names))."""
    columns = []
    for name in names:
        if name in FEATURES:
            columns.append(table.column(name))
        elif name.startswith(CATEGORY_PREFIX) and name[len(CATEGORY_PREFIX) :] in table.categories:
            columns.append(
                table.category_shares[:, table.categories.index(name[len(CATEGORY_PREFIX) :])]
            )
        else:
            valid = ", ".join(list(FEATURES) + [CATEGORY_PREFIX + c for c in table.categories])
            raise ValueError(f"Unknown feature {name!r}; choose from: {valid}.")
    matrix = np.column_stack(columns).astype(np.float64) if columns else np.zeros((len(table), 0))
    bad = ~np.isfinite(matrix).all(axis=0)
    if bad.any():
        raise ValueError(f"Features with NaN or infinite values: {np.array(names)[bad].tolist()}.")
    return matrix


def log_transform(values: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """``log1p`` of the :data:`LOG_FEATURES` columns (negatives read as 0), others unchanged."""
    out = np.array(values, dtype=np.float64)
    for index, name in enumerate(names):
        if name in LOG_FEATURES:
            out[:, index] = np.log1p(np.maximum(out[:, index], 0.0))
    return out


def scale_features(raw: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """The space K-means works in: log transform, then z-scores.

    Behavioural columns get a StandardScaler each. The category shares are scaled as one
    block (centred, divided by the root of their mean variance): a rare category keeps its
    small weight instead of turning its few fans into far-away outliers.
    """
    points = log_transform(raw, names)
    is_category = np.array([name.startswith(CATEGORY_PREFIX) for name in names], dtype=bool)
    if (~is_category).any():
        scaled = StandardScaler().fit_transform(points[:, ~is_category])
        points[:, ~is_category] = np.clip(scaled, -Z_LIMIT, Z_LIMIT)
    if is_category.any():
        block = points[:, is_category] - points[:, is_category].mean(axis=0)
        spread = float(np.sqrt(block.var(axis=0).mean()))
        points[:, is_category] = block / spread if spread > 0 else 0.0
    return points


def _fit_labels(points: np.ndarray, k: int, algorithm: str, random_state: int) -> np.ndarray:
    if algorithm == "minibatch":
        model: KMeans | MiniBatchKMeans = MiniBatchKMeans(
            n_clusters=k, n_init=3, batch_size=4096, random_state=random_state
        )
    else:
        model = KMeans(n_clusters=k, n_init=10, random_state=random_state)
    return model.fit_predict(points).astype(np.int64)


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Relabel so that 0 is the largest segment (ties: the lower old label first)."""
    sizes = np.bincount(labels)
    present = np.flatnonzero(sizes)
    order = present[np.lexsort((present, -sizes[present]))]
    new = np.empty(len(sizes), dtype=np.int64)
    new[order] = np.arange(len(order))
    return new[labels]


def _centers(raw: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    sizes = np.maximum(np.bincount(labels, minlength=k), 1)
    sums = [np.bincount(labels, weights=column, minlength=k) for column in raw.T]
    return np.column_stack(sums) / sizes[:, None] if sums else np.zeros((k, 0))


def _count_distinct_rows(points: np.ndarray) -> int:
    if not len(points):
        return 0
    flat = np.ascontiguousarray(points + 0.0)  # + 0.0 turns -0.0 into 0.0
    rows = flat.view(np.dtype((np.void, flat.itemsize * flat.shape[1])))
    return len(np.unique(rows))


def _one_segment(raw: np.ndarray, names: list[str], reason: str) -> Clustering:
    n = len(raw)
    labels = np.zeros(n, dtype=np.int64)
    k = 1 if n else 0
    return Clustering(
        labels=labels,
        k=k,
        silhouette_by_k={},
        silhouette=None,
        centers=_centers(raw, labels, k),
        features=names,
        algorithm="none",
        reason=reason,
    )
