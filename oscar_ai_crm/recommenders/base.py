"""The ``Recommender`` interface every model implements.

Models follow scikit-learn's estimator rules (hyperparameters only in ``__init__``,
``fit`` returns ``self``, learned state in attributes ending in ``_``) and implicit's
batched API: ``recommend`` takes user indices and a users x items CSR matrix and returns
``(ids, scores)`` arrays of shape ``(len(user_indices), N)``; slots that cannot be filled
(too few eligible items) hold id ``-1`` and score ``-inf``.

A subclass implements :meth:`Recommender._fit`, :meth:`Recommender._score_users` and, if
it can, :meth:`Recommender._score_similar` and :meth:`Recommender.explain`. Selection,
filtering and batching live here once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator

from ..exceptions import NotFittedError, UnsupportedFeature
from ..features.interactions import Interactions

#: Users scored per dense block in ``recommend``; bounds memory at BATCH x n_items floats.
BATCH_SIZE = 512


@dataclass(frozen=True)
class Reason:
    """Why an item was recommended.

    ``kind`` is one of "similar" (to ``item``, which the customer interacted with),
    "bought_together" (with ``item``), "popular" (overall or in the item's category),
    "history" (the customer bought it before), "rated" (customers with similar ratings
    liked it). ``item`` is an item index or None.
    """

    kind: str
    item: int | None = None


class Recommender(BaseEstimator):  # type: ignore[misc]
    """Base class of all recommenders; see the module docstring for the contract."""

    #: Short name used in settings, ModelRun records and evaluation tables.
    name = "base"

    # -- fitting ------------------------------------------------------------------------

    def fit(self, interactions: Interactions) -> Self:
        """Learn from ``interactions``; returns ``self``."""
        self.n_items_ = interactions.n_items
        self.n_users_ = interactions.n_users
        self._fit(interactions)
        return self

    def _fit(self, interactions: Interactions) -> None:
        raise NotImplementedError

    def check_fitted(self) -> None:
        if not hasattr(self, "n_items_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted; call fit() first.")

    # -- scoring hooks ------------------------------------------------------------------

    def _score_users(self, user_indices: np.ndarray, user_items: sparse.csr_matrix) -> np.ndarray:
        """Dense float32 scores of shape (len(user_indices), n_items); higher is better.

        Items the model cannot score get ``-inf``.
        """
        raise NotImplementedError

    def _score_similar(self, item_indices: np.ndarray) -> np.ndarray:
        """Dense float32 similarity of shape (len(item_indices), n_items)."""
        raise UnsupportedFeature(f"{type(self).__name__} does not compute similar items.")

    def explain(
        self, user_index: int, user_items: sparse.csr_matrix, item_index: int
    ) -> Reason | None:
        """Why ``item_index`` scores high for ``user_index``, when the model can tell."""
        return None

    # -- public batched API -------------------------------------------------------------

    def recommend(
        self,
        user_indices: np.ndarray | int,
        user_items: sparse.csr_matrix,
        N: int = 10,  # noqa: N803 - implicit's name
        filter_already_liked_items: bool = True,
        filter_items: np.ndarray | None = None,
        filter_user_items: sparse.csr_matrix | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``N`` items for each user.

        Parameters
        ----------
        user_indices : int or int array of user rows.
        user_items : users x items CSR of the history the model scores from; its rows
            are indexed by ``user_indices``.
        N : number of items per user.
        filter_already_liked_items : drop items present in the user's ``user_items`` row.
        filter_items : item indices never to return (e.g. out of stock).
        filter_user_items : users x items CSR of further per-user exclusions (e.g. items
            already bought when ``user_items`` also holds views).

        Returns
        -------
        ids : int32 array (n_users, N), -1 where no item qualifies.
        scores : float32 array (n_users, N), -inf where no item qualifies.
        """
        self.check_fitted()
        single = np.isscalar(user_indices)
        users = np.atleast_1d(np.asarray(user_indices, dtype=np.int64))
        ids = np.full((len(users), N), -1, dtype=np.int32)
        scores = np.full((len(users), N), -np.inf, dtype=np.float32)
        for start in range(0, len(users), BATCH_SIZE):
            block = users[start : start + BATCH_SIZE]
            dense = np.asarray(self._score_users(block, user_items), dtype=np.float32)
            if filter_already_liked_items:
                _mask_rows(dense, user_items[block])
            if filter_user_items is not None:
                _mask_rows(dense, filter_user_items[block])
            if filter_items is not None and len(filter_items):
                dense[:, np.asarray(filter_items, dtype=np.int64)] = -np.inf
            ids[start : start + len(block)], scores[start : start + len(block)] = top_n(dense, N)
        if single:
            return ids[0], scores[0]
        return ids, scores

    def similar_items(
        self,
        item_indices: np.ndarray | int,
        N: int = 10,  # noqa: N803 - implicit's name
        filter_items: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``N`` items most similar to each item (never the item itself)."""
        self.check_fitted()
        single = np.isscalar(item_indices)
        items = np.atleast_1d(np.asarray(item_indices, dtype=np.int64))
        ids = np.full((len(items), N), -1, dtype=np.int32)
        scores = np.full((len(items), N), -np.inf, dtype=np.float32)
        for start in range(0, len(items), BATCH_SIZE):
            block = items[start : start + BATCH_SIZE]
            dense = np.asarray(self._score_similar(block), dtype=np.float32)
            dense[np.arange(len(block)), block] = -np.inf
            if filter_items is not None and len(filter_items):
                dense[:, np.asarray(filter_items, dtype=np.int64)] = -np.inf
            ids[start : start + len(block)], scores[start : start + len(block)] = top_n(dense, N)
        if single:
            return ids[0], scores[0]
        return ids, scores


def top_n(dense: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise top-``n`` of a dense score block; -inf entries are never chosen."""
    rows, cols = dense.shape
    k = min(n, cols)
    ids = np.full((rows, n), -1, dtype=np.int32)
    scores = np.full((rows, n), -np.inf, dtype=np.float32)
    if k == 0 or rows == 0:
        return ids, scores
    part = (
        np.argpartition(-dense, k - 1, axis=1)[:, :k]
        if k < cols
        else np.tile(np.arange(cols), (rows, 1))
    )
    part_scores = np.take_along_axis(dense, part, axis=1)
    order = np.argsort(-part_scores, axis=1, kind="stable")
    best = np.take_along_axis(part, order, axis=1)
    best_scores = np.take_along_axis(part_scores, order, axis=1)
    valid = np.isfinite(best_scores)
    ids[:, :k] = np.where(valid, best, -1)
    scores[:, :k] = np.where(valid, best_scores, -np.inf)
    return ids, scores


def _mask_rows(dense: np.ndarray, rows: sparse.csr_matrix) -> None:
    """Set to -inf the entries present in each CSR row (in place)."""
    coo = rows.tocoo()
    dense[coo.row, coo.col] = -np.inf
