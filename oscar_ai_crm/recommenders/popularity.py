"""Popularity with recency decay: the baseline and the cold-start fallback."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from ..features.interactions import Interactions
from .base import Reason, Recommender
from .explanations import pair_indices

SECONDS_PER_DAY = 86_400


class PopularityRecommender(Recommender):
    """Items ranked by their weighted interaction count, recent ones counting more.

    Parameters
    ----------
    half_life_days : an interaction this many days older than the newest one counts half;
        ``None`` disables decay.
    window_days : only interactions from the last ``window_days`` count (``None``: all).
    """

    name = "popularity"

    def __init__(self, half_life_days: float | None = 30.0, window_days: float | None = None):
        self.half_life_days = half_life_days
        self.window_days = window_days

    def _fit(self, interactions: Interactions) -> None:
        scores = np.zeros(interactions.n_items, dtype=np.float64)
        if len(interactions):
            age_days = (interactions.timestamp.max() - interactions.timestamp) / SECONDS_PER_DAY
            weight = interactions.weight.astype(np.float64)
            if self.window_days is not None:
                weight = np.where(age_days <= self.window_days, weight, 0.0)
            if self.half_life_days:
                weight = weight * np.exp2(-age_days / self.half_life_days)
            np.add.at(scores, interactions.item_index, weight)
        self.item_scores_ = scores.astype(np.float32)

    def _score_users(self, user_indices: np.ndarray, user_items: sparse.csr_matrix) -> np.ndarray:
        return np.tile(self.item_scores_, (len(user_indices), 1))

    def _recommend_block(
        self,
        user_indices: np.ndarray,
        user_items: sparse.csr_matrix,
        n: int,
        exclude: sparse.csr_matrix | None,
        filter_items: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Everyone shares one ranking: walk its head, skipping each user's exclusions."""
        ranking = np.argsort(-self.item_scores_, kind="stable")
        if filter_items is not None:
            ranking = ranking[~np.isin(ranking, filter_items)]
        most_excluded = int(np.diff(exclude.indptr).max(initial=0)) if exclude is not None else 0
        head = ranking[: n + most_excluded]
        skipped = np.zeros((len(user_indices), len(head)), dtype=bool)
        if exclude is not None and exclude.nnz:
            position = np.full(self.n_items_, -1, dtype=np.int64)
            position[head] = np.arange(len(head))
            excluded = sparse.coo_matrix(exclude)
            at = position[excluded.col]
            skipped[excluded.row[at >= 0], at[at >= 0]] = True
        pick = np.argsort(skipped, axis=1, kind="stable")[:, :n]  # kept items first, in order
        ids = np.full((len(user_indices), n), -1, dtype=np.int32)
        scores = np.full((len(user_indices), n), -np.inf, dtype=np.float32)
        kept = ~np.take_along_axis(skipped, pick, axis=1)
        chosen = head[pick]
        ids[:, : pick.shape[1]] = np.where(kept, chosen, -1)
        scores[:, : pick.shape[1]] = np.where(kept, self.item_scores_[chosen], -np.inf)
        return ids, scores

    def explain(
        self, user_index: int, user_items: sparse.csr_matrix, item_index: int
    ) -> Reason | None:
        return Reason("popular")

    def explain_batch(
        self, user_indices: np.ndarray, user_items: sparse.csr_matrix, item_indices: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every pair is "popular", without a reason item."""
        users, _ = pair_indices(user_indices, item_indices)
        return np.full(len(users), "popular", dtype=object), np.full(len(users), -1, np.int64)
