"""Top-k ranking metrics over arrays of recommended ids, vectorised with numpy.

Every function takes

* ``recommended``: int array ``(n_users, N)`` of item indices, best first, padded with
  ``-1`` where the model had nothing to recommend (as ``Recommender.recommend`` returns);
* ``relevant``: CSR ``(n_users, n_items)`` whose row ``u`` holds the items user ``u`` went
  on to buy (any non-zero entry is relevant), aligned row by row with ``recommended``;
* ``k``: the cut-off (default ``N``; must not exceed it).

Users whose ``relevant`` row is empty are left out of every average (as
``implicit.evaluation.ranking_metrics_at_k`` does). With ``rel_u`` the relevant set of a
user, ``hit_u(i)`` = 1 when the item at rank ``i`` (1-based) is in ``rel_u``:

* precision@k = mean over users of ``sum_i hit_u(i) / k`` (padding counts as a miss);
* recall@k = mean of ``sum_i hit_u(i) / |rel_u|`` (so it can stay below 1 when
  ``|rel_u| > k``);
* hit rate@k = share of users with at least one hit;
* NDCG@k = mean of ``DCG / IDCG`` with binary gains, ``DCG = sum_i hit_u(i) / log2(i + 1)``
  and ``IDCG`` the DCG of ``min(|rel_u|, k)`` hits at the top;
* MAP@k = mean of ``AP@k = sum_i P@i * hit_u(i) / min(|rel_u|, k)``;
* coverage = distinct recommended items / items in the catalogue.

Precision, MAP and NDCG per user are the same as implicit's; implicit's *precision* is a
pooled ratio ``sum_u hits_u / sum_u min(k, |rel_u|)`` instead of a mean of ``hits_u / k``
(the two agree when every user has at least ``k`` relevant items).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

#: Names of the per-user metrics :func:`ranking_metrics` returns, in display order.
METRICS = ("precision", "recall", "ndcg", "map", "hit_rate")


def hits_at_k(
    recommended: np.ndarray, relevant: sparse.csr_matrix, k: int | None = None
) -> np.ndarray:
    """Boolean ``(n_users, k)``: is the item at each rank relevant to its user?"""
    return _hits(*_prepare(recommended, relevant, k))


def _hits(recommended: np.ndarray, relevant: sparse.csr_matrix, k: int) -> np.ndarray:
    top = recommended[:, :k].astype(np.int64)
    n_items = relevant.shape[1]
    coo = relevant.tocoo()
    # Encode (user, item) pairs as one integer so membership is one sorted search.
    have = np.unique(coo.row.astype(np.int64) * n_items + coo.col)
    if len(have) == 0:
        return np.zeros(top.shape, dtype=bool)
    wanted = np.arange(top.shape[0], dtype=np.int64)[:, None] * n_items + top
    position = np.minimum(np.searchsorted(have, wanted), len(have) - 1)
    # Only real ids: a -1 pad would otherwise alias the previous user's last item.
    return np.asarray((have[position] == wanted) & (top >= 0) & (top < n_items), dtype=bool)


def ranking_metrics(
    recommended: np.ndarray, relevant: sparse.csr_matrix, k: int | None = None
) -> dict[str, float]:
    """All per-user metrics at once: precision, recall, ndcg, map, hit_rate.

    Returns NaN for every metric when no user has a relevant item.
    """
    recommended, relevant, k = _prepare(recommended, relevant, k)
    n_relevant = np.diff(relevant.indptr)
    users = n_relevant > 0
    if not users.any():
        return dict.fromkeys(METRICS, float("nan"))
    hits = _hits(recommended, relevant, k)[users].astype(np.float64)
    n_relevant = n_relevant[users].astype(np.float64)
    n_hits = hits.sum(axis=1)
    return {
        "precision": float(np.mean(n_hits / k)),
        "recall": float(np.mean(n_hits / n_relevant)),
        "ndcg": float(np.mean(_ndcg(hits, n_relevant))),
        "map": float(np.mean(_average_precision(hits, n_relevant))),
        "hit_rate": float(np.mean(n_hits > 0)),
    }


def precision_at_k(
    recommended: np.ndarray, relevant: sparse.csr_matrix, k: int | None = None
) -> float:
    """Mean share of the ``k`` slots holding a relevant item."""
    return ranking_metrics(recommended, relevant, k)["precision"]


def recall_at_k(
    recommended: np.ndarray, relevant: sparse.csr_matrix, k: int | None = None
) -> float:
    """Mean share of each user's relevant items found in the top ``k``."""
    return ranking_metrics(recommended, relevant, k)["recall"]


def hit_rate_at_k(
    recommended: np.ndarray, relevant: sparse.csr_matrix, k: int | None = None
) -> float:
    """Share of users with at least one relevant item in the top ``k``."""
    return ranking_metrics(recommended, relevant, k)["hit_rate"]


def ndcg_at_k(recommended: np.ndarray, relevant: sparse.csr_matrix, k: int | None = None) -> float:
    """Mean normalised discounted cumulative gain with binary relevance."""
    return ranking_metrics(recommended, relevant, k)["ndcg"]


def map_at_k(recommended: np.ndarray, relevant: sparse.csr_matrix, k: int | None = None) -> float:
    """Mean average precision, each AP divided by ``min(|relevant|, k)``."""
    return ranking_metrics(recommended, relevant, k)["map"]


def catalogue_coverage(recommended: np.ndarray, n_items: int) -> float:
    """Distinct items recommended to anyone / ``n_items`` (padding ``-1`` ignored)."""
    if n_items <= 0:
        return float("nan")
    ids = np.unique(np.asarray(recommended))
    return float(np.count_nonzero(ids >= 0) / n_items)


def _ndcg(hits: np.ndarray, n_relevant: np.ndarray) -> np.ndarray:
    k = hits.shape[1]
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = hits @ discount
    ideal = np.cumsum(discount)[np.minimum(n_relevant, k).astype(np.int64) - 1]
    return np.asarray(dcg / ideal)


def _average_precision(hits: np.ndarray, n_relevant: np.ndarray) -> np.ndarray:
    k = hits.shape[1]
    precision_at_rank = np.cumsum(hits, axis=1) / np.arange(1, k + 1)
    return np.asarray((precision_at_rank * hits).sum(axis=1) / np.minimum(n_relevant, k))


def _prepare(
    recommended: np.ndarray, relevant: sparse.spmatrix, k: int | None
) -> tuple[np.ndarray, sparse.csr_matrix, int]:
    """Validate shapes and ``k``; ``relevant`` as CSR without explicit zeros."""
    recommended = np.asarray(recommended)
    if recommended.ndim != 2:
        raise ValueError(f"recommended must be 2-D (n_users, N), not shape {recommended.shape}.")
    relevant = sparse.csr_matrix(relevant, copy=True)
    relevant.eliminate_zeros()
    if recommended.shape[0] != relevant.shape[0]:
        raise ValueError(
            f"recommended has {recommended.shape[0]} rows but relevant has {relevant.shape[0]}."
        )
    n = recommended.shape[1]
    k = n if k is None else k
    if not 1 <= k <= n:
        raise ValueError(f"k must be between 1 and the {n} recommended columns, not {k}.")
    return recommended, relevant, k
