"""Recommenders for training tests: one that cannot fit, one that is plainly bad."""

import numpy as np
from scipy import sparse

from oscar_ai_crm.features.interactions import Interactions
from oscar_ai_crm.recommenders.base import Recommender


class FailingRecommender(Recommender):
    name = "failing"

    def _fit(self, interactions: Interactions) -> None:
        raise ValueError("training data rejected on purpose")


class NeverSeenRecommender(Recommender):
    """Recommends only items nobody interacted with: plainly worse than popularity."""

    name = "never_seen"

    def _fit(self, interactions: Interactions) -> None:
        counts = np.bincount(interactions.item_index, minlength=interactions.n_items)
        self.scores_ = np.where(counts == 0, 1.0, -np.inf).astype(np.float32)

    def _score_users(self, user_indices: np.ndarray, user_items: sparse.csr_matrix) -> np.ndarray:
        return np.tile(self.scores_, (len(user_indices), 1))
