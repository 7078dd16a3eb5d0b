"""Matrix factorisation on implicit feedback: implicit's ALS and BPR (CPU builds)."""

from __future__ import annotations

import numpy as np
from implicit.cpu.als import AlternatingLeastSquares
from implicit.cpu.bpr import BayesianPersonalizedRanking
from scipy import sparse
from threadpoolctl import threadpool_limits

from ..features.interactions import Interactions
from .base import Reason, Recommender
from .explanations import best_per_pair, history_entries, pair_indices, reasons_from_best

SCALINGS = ("linear", "log")


class FactorModel(Recommender):
    """Scoring shared by the factor models: ``user_factors @ item_factors.T``.

    Users without interactions in the fit data (or added since) get factors folded in
    from their ``user_items`` row; users with an empty row score ``-inf`` everywhere. Items
    without interactions in the fit data hold no signal (zeros in ALS, sampled-negative
    noise in BPR) and score ``-inf``, in recommendations and as similar items.
    """

    def _fit(self, interactions: Interactions) -> None:
        user_items = interactions.user_items
        # implicit runs its own threads; a threaded BLAS under them oversubscribes the cores.
        with threadpool_limits(1, "blas"):
            self.model_ = self._make_model()
            self.model_.fit(self._transform(user_items), show_progress=False)
        self.fitted_users_ = np.diff(user_items.indptr) > 0
        self.fitted_items_ = np.bincount(user_items.indices, minlength=self.n_items_) > 0

    def _make_model(self) -> AlternatingLeastSquares | BayesianPersonalizedRanking:
        raise NotImplementedError

    def _transform(self, user_items: sparse.csr_matrix) -> sparse.csr_matrix:
        return sparse.csr_matrix(user_items, dtype=np.float32)

    def _fold_in(self, user_items: sparse.csr_matrix) -> np.ndarray:
        """Factors for users not seen in fit, from their ``user_items`` rows."""
        raise NotImplementedError

    def _item_vectors(self) -> np.ndarray:
        return np.asarray(self.model_.item_factors)  # what item-item similarity compares

    def _user_factors(
        self, user_indices: np.ndarray, user_items: sparse.csr_matrix
    ) -> tuple[np.ndarray, np.ndarray]:
        """(factors, scorable): fitted factors, folded-in ones for new users with history."""
        users = np.asarray(user_indices, dtype=np.int64)
        known = users < self.n_users_
        known[known] = self.fitted_users_[users[known]]
        factors = np.zeros((len(users), self.model_.user_factors.shape[1]), dtype=np.float32)
        factors[known] = self.model_.user_factors[users[known]]
        new_rows = sparse.csr_matrix(user_items[users[~known]], dtype=np.float32)
        if new_rows.shape[0]:
            factors[~known] = self._fold_in(new_rows)
        scorable = known.copy()
        scorable[~known] = np.diff(new_rows.indptr) > 0
        return factors, scorable

    def _score_users(self, user_indices: np.ndarray, user_items: sparse.csr_matrix) -> np.ndarray:
        factors, scorable = self._user_factors(user_indices, user_items)
        scores = factors @ self.model_.item_factors.T
        scores[~scorable] = -np.inf
        scores[:, ~self.fitted_items_] = -np.inf
        return scores.astype(np.float32)

    def _score_similar(self, item_indices: np.ndarray) -> np.ndarray:
        vectors = self._item_vectors()
        unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1), 1e-12)[:, None]
        scores = unit[item_indices] @ unit.T
        scores[:, ~self.fitted_items_] = -np.inf
        scores[~self.fitted_items_[item_indices]] = -np.inf
        return scores.astype(np.float32)

    def _unit_vectors(self, items: np.ndarray) -> np.ndarray:
        vectors = self._item_vectors()[items]
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1), 1e-12)[:, None]

    def _history_weights(self, weights: np.ndarray) -> np.ndarray:
        """The history weights ``r_uj`` explanations multiply the similarities by."""
        return weights

    def _contributions(
        self, history: np.ndarray, weights: np.ndarray, items: np.ndarray
    ) -> np.ndarray:
        """``r_uj * cos(item_j, item_i)`` per history entry ``(j, r_uj)`` and item ``i``.

        -inf where either item is unfitted (no signal). Each entry is computed on its own
        row, so the value does not depend on how many entries are computed together.
        """
        cosine = np.einsum("ij,ij->i", self._unit_vectors(history), self._unit_vectors(items))
        fitted = self.fitted_items_[history] & self.fitted_items_[items]
        return np.where(fitted, self._history_weights(weights) * cosine, -np.inf)

    def explain(
        self, user_index: int, user_items: sparse.csr_matrix, item_index: int
    ) -> Reason | None:
        """The history item ``j`` with the largest ``r_uj * cos(item_j, item_i)``."""
        self.check_fitted()
        row = sparse.csr_matrix(user_items[user_index])
        if not row.nnz:
            return None
        items = np.full(row.nnz, item_index, dtype=np.int64)
        contribution = self._contributions(row.indices, row.data, items)
        best = int(np.argmax(contribution))
        return Reason("similar", int(row.indices[best])) if contribution[best] > 0 else None

    def explain_batch(
        self, user_indices: np.ndarray, user_items: sparse.csr_matrix, item_indices: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`explain` for many pairs: every pair's history entries scored at once, then
        each pair's largest positive contribution (the first stored on ties)."""
        self.check_fitted()
        users, items = pair_indices(user_indices, item_indices)
        pairs, history, weights = history_entries(users, user_items)
        contribution = self._contributions(history, weights, items[pairs])
        positive = np.flatnonzero(contribution > 0)
        best = best_per_pair(pairs[positive], contribution[positive], len(users))
        return reasons_from_best(best, history[positive], "similar")


class ALSRecommender(FactorModel):
    """Implicit-feedback ALS (Hu, Koren and Volinsky 2008) via ``implicit``.

    Parameters
    ----------
    factors : number of latent factors.
    regularization : L2 regularisation of the factors.
    alpha : confidence per unit of interaction weight (``C = 1 + alpha * r``).
    iterations : ALS sweeps.
    random_state : seed of the initial factors.
    num_threads : implicit's threads (0: all cores).
    scaling : "linear" uses the summed weights ``r`` as they are; "log" uses ``log1p(r)``,
        so a hundred views do not outweigh one purchase by a hundredfold.

    Attributes
    ----------
    model_ : the fitted ``implicit.cpu.als.AlternatingLeastSquares``.
    fitted_users_, fitted_items_ : bool arrays, users / items with interactions in fit.

    Notes
    -----
    ``explain`` names the history item ``j`` with the largest ``r_uj * cos(item_j, item_i)``
    (``r_uj`` scaled as in fit), as every factor model does, rather than asking implicit's
    ``explain`` (a least-squares solve per call, too slow for every customer's list);
    ``explain_batch`` gives the same answers for many pairs at once.
    """

    name = "als"

    def __init__(
        self,
        factors: int = 64,
        regularization: float = 0.05,
        alpha: float = 1.0,
        iterations: int = 15,
        random_state: int | None = None,
        num_threads: int = 0,
        scaling: str = "linear",
    ):
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.random_state = random_state
        self.num_threads = num_threads
        self.scaling = scaling

    def _make_model(self) -> AlternatingLeastSquares:
        if self.scaling not in SCALINGS:
            raise ValueError(f"scaling={self.scaling!r}; expected one of {SCALINGS}.")
        params = self.get_params()
        del params["scaling"]  # ours; the others are implicit's names
        return AlternatingLeastSquares(**params)

    def _transform(self, user_items: sparse.csr_matrix) -> sparse.csr_matrix:
        matrix = sparse.csr_matrix(user_items, dtype=np.float32, copy=True)
        if self.scaling == "log":
            matrix.data = np.log1p(matrix.data)
        return matrix

    def _fold_in(self, user_items: sparse.csr_matrix) -> np.ndarray:
        rows = np.arange(user_items.shape[0])
        return self.model_.recalculate_user(rows, self._transform(user_items))

    def _history_weights(self, weights: np.ndarray) -> np.ndarray:
        return np.log1p(weights) if self.scaling == "log" else weights


class BPRRecommender(FactorModel):
    """Bayesian personalised ranking (Rendle et al. 2009) via ``implicit``.

    Every non-zero of the user x item matrix is a positive; weights are ignored. Users
    unseen in fit get the weighted mean of their history's item factors.

    Parameters
    ----------
    factors : number of latent factors (implicit adds an item-bias column).
    learning_rate : SGD step size.
    regularization : L2 regularisation.
    iterations : passes over the positives.
    random_state : seed of initialisation and sampling (exact repeats need ``num_threads=1``).
    num_threads : implicit's threads (0: all cores).
    """

    name = "bpr"

    def __init__(
        self,
        factors: int = 64,
        learning_rate: float = 0.01,
        regularization: float = 0.01,
        iterations: int = 100,
        random_state: int | None = None,
        num_threads: int = 0,
    ):
        self.factors = factors
        self.learning_rate = learning_rate
        self.regularization = regularization
        self.iterations = iterations
        self.random_state = random_state
        self.num_threads = num_threads

    def _make_model(self) -> BayesianPersonalizedRanking:
        return BayesianPersonalizedRanking(**self.get_params())  # implicit's own names

    def _item_vectors(self) -> np.ndarray:
        return np.asarray(self.model_.item_factors)[:, :-1]  # without the bias column

    def _fold_in(self, user_items: sparse.csr_matrix) -> np.ndarray:
        totals = np.maximum(np.asarray(user_items.sum(axis=1)).ravel(), 1e-12)
        mean = (user_items @ self._item_vectors()) / totals[:, None]
        return np.hstack([mean, np.ones((len(mean), 1))])  # the bias column is always 1
