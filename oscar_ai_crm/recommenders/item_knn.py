"""Item-item collaborative filtering: scores from a sparse items x items matrix.

:class:`ItemItemModel` holds the scoring shared by every model of this shape (item-KNN
here, "bought together" in :mod:`.cooccurrence`): a user's score for item ``i`` is
``sum_j user_items[u, j] * M[j, i]``, and items no history item links to score ``-inf``.
"""

from __future__ import annotations

import warnings

import numpy as np
from implicit.nearest_neighbours import (
    BM25Recommender,
    CosineRecommender,
    ItemItemRecommender,
    TFIDFRecommender,
)
from implicit.utils import ParameterWarning
from scipy import sparse

from ..features.interactions import Interactions
from .base import Reason, Recommender
from .explanations import best_per_pair, history_entries, pair_indices, reasons_from_best, values_at

#: implicit's nearest-neighbour models by ``similarity`` name ("pearson" is computed here).
IMPLICIT_SIMILARITIES: dict[str, type[ItemItemRecommender]] = {
    "cosine": CosineRecommender,
    "bm25": BM25Recommender,
    "tfidf": TFIDFRecommender,
}


class ItemItemModel(Recommender):
    """Base of models scoring with a sparse items x items matrix (see the module docstring).

    Subclasses fit the matrix and return it from :meth:`_item_matrix`; ``reason_kind`` is
    the :class:`~.base.Reason` kind ``explain`` reports.
    """

    reason_kind = "similar"

    def _item_matrix(self) -> sparse.csr_matrix:
        raise NotImplementedError

    def _score_users(
        self, user_indices: np.ndarray, user_items: sparse.csr_matrix
    ) -> sparse.csr_matrix:
        return sparse.csr_matrix(user_items[user_indices]) @ self._item_matrix()

    def _score_similar(self, item_indices: np.ndarray) -> sparse.csr_matrix:
        return sparse.csr_matrix(self._item_matrix()[item_indices])

    def explain(
        self, user_index: int, user_items: sparse.csr_matrix, item_index: int
    ) -> Reason | None:
        """The history item contributing most to the score: largest ``r_uj * M[j, i]``."""
        self.check_fitted()
        row = sparse.csr_matrix(user_items[user_index])
        if not row.nnz:
            return None
        links = self._item_matrix()[row.indices, item_index].toarray().ravel()
        contribution = row.data * links
        best = int(np.argmax(contribution))
        if contribution[best] <= 0:
            return None
        return Reason(self.reason_kind, int(row.indices[best]))

    def explain_batch(
        self, user_indices: np.ndarray, user_items: sparse.csr_matrix, item_indices: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`explain` for many pairs: each history entry's ``r_uj * M[j, i]`` looked up at
        once, then each pair's largest positive one (the first stored on ties)."""
        self.check_fitted()
        users, items = pair_indices(user_indices, item_indices)
        pairs, history, weights = history_entries(users, user_items)
        # One lookup per history entry: the columns M[:, i] of popular items are long (the
        # benchmark's 1M log: ~700 entries a column vs ~5 history entries a customer).
        links = values_at(self._item_matrix(), history, items[pairs])
        contribution = weights * links
        positive = np.flatnonzero(contribution > 0)
        best = best_per_pair(pairs[positive], contribution[positive], len(users))
        return reasons_from_best(best, history[positive], self.reason_kind)


class ItemKNNRecommender(ItemItemModel):
    """Item-based collaborative filtering on the weighted user x item matrix.

    Parameters
    ----------
    K : number of neighbours kept per item.
    similarity : "cosine", "bm25" or "tfidf" (implicit's nearest-neighbour models) or
        "pearson" (correlation over all users, positive values only).

    Attributes
    ----------
    similarity_ : float32 CSR (n_items, n_items); row ``j`` holds the ``K`` nearest
        neighbours of item ``j``, never ``j`` itself.
    """

    name = "item_knn"

    def __init__(self, K: int = 100, similarity: str = "cosine"):  # noqa: N803 - implicit's name
        self.K = K
        self.similarity = similarity

    def _fit(self, interactions: Interactions) -> None:
        user_items = interactions.user_items
        if self.similarity == "pearson":
            full = pearson_similarity(user_items)
        elif self.similarity in IMPLICIT_SIMILARITIES:
            full = implicit_similarity(IMPLICIT_SIMILARITIES[self.similarity], user_items, self.K)
        else:
            choices = sorted([*IMPLICIT_SIMILARITIES, "pearson"])
            raise ValueError(f"similarity={self.similarity!r}; expected one of {choices}.")
        self.similarity_ = keep_top_k(full, self.K)

    def _item_matrix(self) -> sparse.csr_matrix:
        return self.similarity_


def implicit_similarity(
    model_class: type[ItemItemRecommender], user_items: sparse.csr_matrix, k: int
) -> sparse.csr_matrix:
    """The item x item neighbour matrix of one of implicit's models (``k + 1`` per row).

    One extra neighbour because implicit counts an item among its own neighbours.
    """
    model = model_class(K=k + 1)
    with warnings.catch_warnings():
        # implicit's own weighting hands its kernel a COO matrix and warns about it.
        warnings.simplefilter("ignore", ParameterWarning)
        model.fit(user_items.astype(np.float32), show_progress=False)
    return sparse.csr_matrix(model.similarity)


def pearson_similarity(user_items: sparse.csr_matrix) -> sparse.csr_matrix:
    """Pearson correlation between item columns, over all users, kept where positive.

    Equal to the cosine of mean-centred columns. Only pairs some user shares are computed
    (from the sparse ``X^T X``); pairs nobody shares have non-positive correlation anyway.
    """
    x = sparse.csc_matrix(user_items, dtype=np.float64)
    n_users = max(x.shape[0], 1)
    mean = np.asarray(x.sum(axis=0)).ravel() / n_users
    square = np.asarray(x.multiply(x).sum(axis=0)).ravel() / n_users
    std = np.sqrt(np.maximum(square - mean**2, 0.0))
    co = sparse.coo_matrix(x.T @ x)
    covariance = co.data / n_users - mean[co.row] * mean[co.col]
    denominator = std[co.row] * std[co.col]
    correlation = np.divide(
        covariance, denominator, out=np.zeros_like(covariance), where=denominator > 0
    )
    keep = correlation > 0
    return sparse.csr_matrix(
        (correlation[keep], (co.row[keep], co.col[keep])), shape=co.shape, dtype=np.float64
    )


def keep_top_k(matrix: sparse.spmatrix, k: int) -> sparse.csr_matrix:
    """The ``k`` largest entries of each row, diagonal dropped, as float32 CSR."""
    coo = sparse.coo_matrix(matrix)
    off_diagonal = coo.row != coo.col
    rows, cols, data = coo.row[off_diagonal], coo.col[off_diagonal], coo.data[off_diagonal]
    order = np.lexsort((-data, rows))
    sorted_rows = rows[order]
    rank = np.arange(len(order)) - np.searchsorted(sorted_rows, sorted_rows, side="left")
    keep = order[rank < k]
    result = sparse.csr_matrix(
        (data[keep].astype(np.float32), (rows[keep], cols[keep])), shape=coo.shape
    )
    result.sort_indices()
    return result
