"""The ``Recommender`` interface every model implements.

Models follow scikit-learn's estimator rules (hyperparameters only in ``__init__``,
``fit`` returns ``self``, learned state in attributes ending in ``_``) and implicit's
batched API: ``recommend`` takes user indices and a users x items CSR matrix and returns
``(ids, scores)`` arrays of shape ``(len(user_indices), N)``; slots that cannot be filled
(too few eligible items) hold id ``-1`` and score ``-inf``.

A subclass implements :meth:`Recommender._fit`, :meth:`Recommender._score_users` and, if
it can, :meth:`Recommender._score_similar` and :meth:`Recommender.explain`, plus an
array version of ``explain`` (:meth:`Recommender.explain_batch`) giving the same answers
when asking pair by pair is too slow for publishing every customer's list. Selection,
filtering and batching live here once. Scores come dense (every item, ``-inf`` where the
model cannot score) or as a sparse CSR whose stored entries are the only candidates
(neighbourhood models, whose evidence touches few items); a model with a faster exact
way to pick one block's top-N overrides :meth:`Recommender._recommend_block`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self, TypeAlias

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator

from ..exceptions import NotFittedError, UnsupportedFeature
from ..features.interactions import Interactions
from .explanations import no_reasons, pair_indices

#: Users scored per dense block in ``recommend``; bounds memory at BATCH x n_items floats.
BATCH_SIZE = 512
#: A CSR score block with more than 1 / DENSE_FRACTION of its cells stored is ranked dense
#: (measured: a row-wise partition costs ~3 ns a cell, ranking stored entries ~80 ns each).
DENSE_FRACTION = 25

#: What ``_score_users`` / ``_score_similar`` return: dense rows over every item, or a CSR
#: whose stored entries are the only candidates.
Scores: TypeAlias = np.ndarray | sparse.csr_matrix


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

    def _score_users(self, user_indices: np.ndarray, user_items: sparse.csr_matrix) -> Scores:
        """Scores of shape (len(user_indices), n_items); higher is better.

        Dense float32 with ``-inf`` for items the model cannot score, or a CSR matrix
        whose stored entries are the only items it can score.
        """
        raise NotImplementedError

    def _score_similar(self, item_indices: np.ndarray) -> Scores:
        """Similarity of shape (len(item_indices), n_items), dense or CSR as above."""
        raise UnsupportedFeature(f"{type(self).__name__} does not compute similar items.")

    def _recommend_block(
        self,
        user_indices: np.ndarray,
        user_items: sparse.csr_matrix,
        n: int,
        exclude: sparse.csr_matrix | None,
        filter_items: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``n`` of one block of users; ``exclude`` rows align with ``user_indices``."""
        scores = self._score_users(user_indices, user_items)
        return select_top_n(scores, n, exclude, filter_items)

    def explain(
        self, user_index: int, user_items: sparse.csr_matrix, item_index: int
    ) -> Reason | None:
        """Why ``item_index`` scores high for ``user_index``, when the model can tell."""
        return None

    def explain_batch(
        self, user_indices: np.ndarray, user_items: sparse.csr_matrix, item_indices: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`explain` for the pairs ``(user_indices[p], item_indices[p])``.

        Returns
        -------
        kinds : object array of str, each pair's :class:`Reason` kind, "" where ``explain``
            gives None.
        reason_items : int64 array, each pair's reason item, -1 where there is none.

        This default asks :meth:`explain` pair by pair; models override it with array code
        giving the same answers.
        """
        self.check_fitted()
        users, items = pair_indices(user_indices, item_indices)
        kinds, reason_items = no_reasons(len(users))
        for pair, (user, item) in enumerate(zip(users.tolist(), items.tolist(), strict=True)):
            reason = self.explain(user, user_items, item)
            if reason is not None:
                kinds[pair] = reason.kind
                reason_items[pair] = -1 if reason.item is None else reason.item
        return kinds, reason_items

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
        blocked = _as_index_array(filter_items)
        for start in range(0, len(users), BATCH_SIZE):
            block = users[start : start + BATCH_SIZE]
            exclude = _exclusions(
                block, user_items if filter_already_liked_items else None, filter_user_items
            )
            ids[start : start + len(block)], scores[start : start + len(block)] = (
                self._recommend_block(block, user_items, N, exclude, blocked)
            )
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
        blocked = _as_index_array(filter_items)
        for start in range(0, len(items), BATCH_SIZE):
            block = items[start : start + BATCH_SIZE]
            itself = sparse.csr_matrix(
                (np.ones(len(block), np.float32), (np.arange(len(block)), block)),
                shape=(len(block), self.n_items_),
            )
            ids[start : start + len(block)], scores[start : start + len(block)] = select_top_n(
                self._score_similar(block), N, itself, blocked
            )
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
        np.argpartition(dense, cols - k, axis=1)[:, cols - k :]
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


def select_top_n(
    scores: Scores,
    n: int,
    exclude: sparse.csr_matrix | None = None,
    filter_items: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise top-``n`` of dense or sparse scores, minus per-row and global exclusions."""
    if sparse.issparse(scores):
        return sparse_top_n(sparse.csr_matrix(scores), n, exclude, filter_items)
    dense = np.asarray(scores, dtype=np.float32)
    if exclude is not None:
        _mask_rows(dense, exclude)
    if filter_items is not None and len(filter_items):
        dense[:, filter_items] = -np.inf
    return top_n(dense, n)


def sparse_top_n(
    scores: sparse.csr_matrix,
    n: int,
    exclude: sparse.csr_matrix | None = None,
    filter_items: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise top-``n`` among the stored, finite entries of a CSR score matrix.

    Blocks with over 1 / DENSE_FRACTION of their cells stored go through :func:`top_n`;
    sparser ones are ranked entry by entry, at a cost that grows with the stored entries,
    not rows x items. Equal scores come in no particular order, as in :func:`top_n`.
    """
    n_rows, n_cols = scores.shape
    if scores.nnz * DENSE_FRACTION > n_rows * n_cols:
        dense = np.full(scores.shape, -np.inf, dtype=np.float32)
        coo = sparse.coo_matrix(scores)
        dense[coo.row, coo.col] = coo.data
        return select_top_n(dense, n, exclude, filter_items)
    matrix = sparse.csr_matrix(scores)
    if not matrix.has_canonical_format:
        matrix = matrix.copy()
        matrix.sum_duplicates()
    rows = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(matrix.indptr))
    cols, data = matrix.indices.astype(np.int64), matrix.data.astype(np.float32)
    keep = np.isfinite(data)
    if filter_items is not None and len(filter_items):
        blocked = np.zeros(n_cols, dtype=bool)
        blocked[filter_items] = True
        keep &= ~blocked[cols]
    if exclude is not None and exclude.nnz:
        excluded = sparse.coo_matrix(exclude)
        keys = excluded.row.astype(np.int64) * n_cols + excluded.col
        keep &= ~np.isin(rows * n_cols + cols, keys)
    rows, cols, data = rows[keep], cols[keep], data[keep]
    order = np.argsort(-data)  # then a stable sort by row keeps each row's score order
    row_keys = rows[order].astype(np.uint16 if n_rows <= 2**16 else np.int64)  # radix sort
    order = order[np.argsort(row_keys, kind="stable")]
    rows, cols, data = rows[order], cols[order], data[order]
    counts = np.bincount(rows, minlength=n_rows)
    row_starts = np.cumsum(counts) - counts
    rank = np.arange(len(rows)) - row_starts[rows]
    take = rank < n
    ids = np.full((n_rows, n), -1, dtype=np.int32)
    best = np.full((n_rows, n), -np.inf, dtype=np.float32)
    ids[rows[take], rank[take]] = cols[take]
    best[rows[take], rank[take]] = data[take]
    return ids, best


def _exclusions(users: np.ndarray, *matrices: sparse.csr_matrix | None) -> sparse.csr_matrix | None:
    """The union of the given matrices' rows for ``users`` (None when there are none)."""
    rows = [sparse.csr_matrix(m[users]) for m in matrices if m is not None]
    if not rows:
        return None
    return rows[0] if len(rows) == 1 else sparse.csr_matrix(sum(rows[1:], rows[0]))


def _as_index_array(items: np.ndarray | None) -> np.ndarray | None:
    if items is None or not len(items):
        return None
    return np.asarray(items, dtype=np.int64)


def _mask_rows(dense: np.ndarray, rows: sparse.csr_matrix) -> None:
    """Set to -inf the entries present in each CSR row (in place)."""
    coo = rows.tocoo()
    dense[coo.row, coo.col] = -np.inf
