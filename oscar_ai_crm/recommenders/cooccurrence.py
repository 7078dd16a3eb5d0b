"""Frequently bought together: item co-occurrence within purchase baskets."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from ..features.interactions import Interactions
from .item_knn import ItemItemModel

NORMALIZATIONS = ("count", "cosine", "lift", "confidence")


class BoughtTogetherRecommender(ItemItemModel):
    """Items bought in the same basket as the customer's items.

    Purchases sharing a ``basket`` id (an order) form a basket; two items co-occur once per
    basket holding both, however many units were bought. A user's score for item ``i`` is
    ``sum_j user_items[u, j] * cooccurrence_[j, i]`` over the ``user_items`` passed to
    ``recommend`` (weighted history: views count too).

    Parameters
    ----------
    min_support : pairs bought together in fewer baskets are ignored.
    normalization : how a co-occurrence count ``c_ij`` becomes a score, with ``n_i`` the
        baskets holding ``i`` and ``n`` all baskets: "count" ``c_ij``; "cosine"
        ``c_ij / sqrt(n_i n_j)``; "lift" ``c_ij n / (n_i n_j)``; "confidence" ``c_ij / n_i``
        (the share of baskets with ``i`` that also hold ``j``).

    Attributes
    ----------
    cooccurrence_ : float32 CSR (n_items, n_items) of normalised scores, diagonal empty.
    item_baskets_ : int array, number of baskets holding each item.
    n_baskets_ : number of baskets seen in ``fit``.
    """

    name = "bought_together"
    reason_kind = "bought_together"

    def __init__(self, min_support: int = 2, normalization: str = "lift"):
        self.min_support = min_support
        self.normalization = normalization

    def _fit(self, interactions: Interactions) -> None:
        if self.normalization not in NORMALIZATIONS:
            raise ValueError(
                f"normalization={self.normalization!r}; expected one of {NORMALIZATIONS}."
            )
        baskets = basket_matrix(interactions)
        self.n_baskets_ = baskets.shape[0]
        self.item_baskets_ = np.asarray(baskets.sum(axis=0)).ravel().astype(np.int64)
        counts = sparse.coo_matrix(baskets.T @ baskets)
        keep = (counts.row != counts.col) & (counts.data >= self.min_support)
        rows, cols, together = counts.row[keep], counts.col[keep], counts.data[keep]
        values = self._normalize(together.astype(np.float64), rows, cols)
        self.cooccurrence_ = sparse.csr_matrix(
            (values.astype(np.float32), (rows, cols)), shape=counts.shape
        )

    def _normalize(self, together: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        n_i = self.item_baskets_[rows].astype(np.float64)
        n_j = self.item_baskets_[cols].astype(np.float64)
        if self.normalization == "cosine":
            return together / np.sqrt(n_i * n_j)
        if self.normalization == "lift":
            return together * self.n_baskets_ / (n_i * n_j)
        if self.normalization == "confidence":
            return together / n_i
        return together

    def _item_matrix(self) -> sparse.csr_matrix:
        return self.cooccurrence_


def basket_matrix(interactions: Interactions) -> sparse.csr_matrix:
    """Binary baskets x items CSR matrix of the purchases grouped by ``basket``."""
    grouped = interactions.basket >= 0
    _, basket_rows = np.unique(interactions.basket[grouped], return_inverse=True)
    items = interactions.item_index[grouped]
    matrix = sparse.csr_matrix(
        (np.ones(len(items), dtype=np.int64), (basket_rows.ravel(), items)),
        shape=(int(basket_rows.max(initial=-1)) + 1, interactions.n_items),
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1
    return matrix
