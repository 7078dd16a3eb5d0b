"""The customer's own purchase history, ranked by frequency and recency (a baseline)."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from ..features.interactions import PURCHASE_EVENTS, Interactions
from .base import Reason, Recommender
from .explanations import no_reasons, pair_indices, values_at
from .popularity import SECONDS_PER_DAY


class PurchaseHistoryRecommender(Recommender):
    """Re-recommends what each customer bought, most often and most recently bought first.

    The score of item ``i`` for user ``u`` is the sum, over ``u``'s purchases of ``i`` in
    the fit data, of ``2 ** (-age_days / half_life_days)``, the age counted from the newest
    interaction in the fit data. Only items the user bought are candidates (users unknown at
    fit time get none); the ``user_items`` passed to ``recommend`` are not used.

    Because it only returns bought items, it is meaningful only with
    ``recommend(..., filter_already_liked_items=False)`` (replenishment, "buy again"); with
    the default filter every bought item is removed and the lists come back empty.

    Parameters
    ----------
    half_life_days : a purchase this many days older than the newest interaction counts
        half; ``None`` disables decay (pure frequency).

    Attributes
    ----------
    history_ : float32 CSR (n_users, n_items) of decayed purchase counts.
    """

    name = "history"
    recommends_history = True

    def __init__(self, half_life_days: float | None = 90.0):
        self.half_life_days = half_life_days

    def _fit(self, interactions: Interactions) -> None:
        bought = np.isin(interactions.event, list(PURCHASE_EVENTS))
        weight = np.ones(int(bought.sum()), dtype=np.float64)
        if self.half_life_days and len(interactions):
            newest = interactions.timestamp.max()
            age_days = (newest - interactions.timestamp[bought]) / SECONDS_PER_DAY
            weight = np.exp2(-age_days / self.half_life_days)
        history = sparse.csr_matrix(
            (weight, (interactions.user_index[bought], interactions.item_index[bought])),
            shape=(interactions.n_users, interactions.n_items),
        )
        history.sum_duplicates()
        self.history_ = history.astype(np.float32)

    def _score_users(
        self, user_indices: np.ndarray, user_items: sparse.csr_matrix
    ) -> sparse.csr_matrix:
        known = np.flatnonzero(np.asarray(user_indices) < self.n_users_)
        rows = sparse.coo_matrix(self.history_[np.asarray(user_indices)[known]])
        return sparse.csr_matrix(
            (rows.data, (known[rows.row], rows.col)), shape=(len(user_indices), self.n_items_)
        )

    def explain(
        self, user_index: int, user_items: sparse.csr_matrix, item_index: int
    ) -> Reason | None:
        self.check_fitted()
        if user_index < self.n_users_ and self.history_[user_index, item_index] > 0:
            return Reason("history")
        return None

    def explain_batch(
        self, user_indices: np.ndarray, user_items: sparse.csr_matrix, item_indices: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Kind "history" for the pairs whose user bought the item in the fit data."""
        self.check_fitted()
        users, items = pair_indices(user_indices, item_indices)
        known = np.flatnonzero(users < self.n_users_)
        bought = values_at(self.history_, users[known], items[known]) > 0
        kinds, reason_items = no_reasons(len(users))
        kinds[known[bought]] = "history"
        return kinds, reason_items
