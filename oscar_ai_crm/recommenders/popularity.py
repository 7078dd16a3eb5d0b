"""Popularity with recency decay: the baseline and the cold-start fallback."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from ..features.interactions import Interactions
from .base import Reason, Recommender

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

    def explain(
        self, user_index: int, user_items: sparse.csr_matrix, item_index: int
    ) -> Reason | None:
        return Reason("popular")
