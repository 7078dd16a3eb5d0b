"""Explicit-rating collaborative filtering (review stars) with Surprise.

:class:`RatingsRecommender` fits a Surprise algorithm on ``Interactions.ratings`` and
scores every item by its predicted rating. Predictions are computed in numpy from the
fitted algorithm's own arrays (similarity matrix, means, baselines, factors) and equal
``algo.predict`` for every (user, item) pair Surprise can score; the tests check that.
:class:`AlgorithmSpec` builds the Surprise algorithm for both the recommender and
:func:`~oscar_ai_crm.recommenders.explicit_evaluation.cross_validate_ratings`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from surprise import SVD, KNNBaseline, KNNBasic, KNNWithMeans, Trainset
from surprise.prediction_algorithms.algo_base import AlgoBase

from ..exceptions import UnsupportedFeature
from ..features.interactions import Interactions
from .base import Reason, Recommender

logger = logging.getLogger(__name__)

#: Surprise algorithms offered, by name.
ALGORITHMS: dict[str, type[AlgoBase]] = {
    "KNNBasic": KNNBasic,
    "KNNWithMeans": KNNWithMeans,
    "KNNBaseline": KNNBaseline,
    "SVD": SVD,
}
#: Similarity measures of the KNN algorithms (Surprise's ``sim_options["name"]``).
SIMILARITIES = frozenset({"cosine", "pearson", "pearson_baseline", "msd"})
#: Best measured on MovieLens-100k, 5-fold CV: RMSE 0.918 ± 0.005, MAE 0.720 (SVD 0.934,
#: KNNWithMeans 0.922, KNNBasic 0.994; tests/recommenders/test_explicit_evaluation.py).
DEFAULT_ALGORITHM = "KNNBaseline"


@dataclass(frozen=True)
class AlgorithmSpec:
    """A Surprise algorithm and its options.

    Parameters
    ----------
    algorithm : one of :data:`ALGORITHMS`.
    k, min_k : most and fewest neighbours aggregated (KNN algorithms).
    sim_name : similarity measure, one of :data:`SIMILARITIES` (KNN algorithms).
    user_based : similarities between users (True) or between items (False).
    n_factors, n_epochs : latent factors and SGD epochs (SVD).
    random_state : seed of SVD's initialisation.
    """

    algorithm: str = DEFAULT_ALGORITHM
    k: int = 40
    min_k: int = 1
    sim_name: str = "pearson_baseline"
    user_based: bool = False
    n_factors: int = 100
    n_epochs: int = 20
    random_state: int | None = None

    def build(self) -> AlgoBase:
        """A new, unfitted Surprise algorithm; ``ValueError`` for unknown names."""
        if self.algorithm not in ALGORITHMS:
            raise ValueError(
                f"Unknown algorithm {self.algorithm!r}; use one of {list(ALGORITHMS)}."
            )
        if self.algorithm == "SVD":
            return SVD(
                n_factors=self.n_factors, n_epochs=self.n_epochs, random_state=self.random_state
            )
        if self.sim_name not in SIMILARITIES:
            raise ValueError(
                f"Unknown sim_name {self.sim_name!r}; use one of {sorted(SIMILARITIES)}."
            )
        sim_options = {"name": self.sim_name, "user_based": self.user_based}
        cls: Any = ALGORITHMS[self.algorithm]
        return cls(k=self.k, min_k=self.min_k, sim_options=sim_options, verbose=False)


def build_trainset(ratings: sparse.csr_matrix) -> tuple[Trainset, np.ndarray, np.ndarray]:
    """A Surprise ``Trainset`` from a users x items ratings matrix (stored entries = ratings).

    Inner ids follow index order, so Surprise's tie-breaking among equally similar
    neighbours (list order) is ascending index order. Raw ids are the matrix indices.

    Returns
    -------
    trainset, users, items : the trainset and the sorted user / item indices with ratings
        (inner id ``n`` is ``users[n]`` / ``items[n]``).
    """
    coo = ratings.tocoo()
    order = np.lexsort((coo.col, coo.row))
    rows, cols, values = coo.row[order], coo.col[order], coo.data[order]
    users, items = np.unique(rows), np.unique(cols)
    inner_u, inner_i = np.searchsorted(users, rows), np.searchsorted(items, cols)
    ur: defaultdict[int, list[tuple[int, float]]] = defaultdict(list)
    ir: defaultdict[int, list[tuple[int, float]]] = defaultdict(list)
    for u, i, r in zip(inner_u.tolist(), inner_i.tolist(), values.tolist(), strict=True):
        ur[u].append((i, float(r)))
        ir[i].append((u, float(r)))
    scale = (float(values.min()), float(values.max())) if len(values) else (0.0, 0.0)
    trainset = Trainset(
        ur,
        ir,
        len(users),
        len(items),
        len(values),
        scale,
        {int(raw): inner for inner, raw in enumerate(users.tolist())},
        {int(raw): inner for inner, raw in enumerate(items.tolist())},
    )
    return trainset, users, items


def top_k_positive(sims: np.ndarray, k: int) -> np.ndarray:
    """Mask of the entries > 0 among the ``k`` largest of each column.

    Rows are neighbours, columns are targets. Ties at the k-th value go to the lowest
    rows, as ``heapq.nlargest`` breaks them over Surprise's neighbour lists.
    """
    keep = sims > 0
    full = np.flatnonzero(np.count_nonzero(keep, axis=0) > k)
    if len(full):
        keep[:, full] = _top_k_of_positive(sims[:, full], k)
    return keep


def _top_k_of_positive(sims: np.ndarray, k: int) -> np.ndarray:
    """:func:`top_k_positive` for columns with more than ``k`` positive entries."""
    kth = np.partition(sims, -k, axis=0)[-k]  # > 0 here
    above = sims > kth
    tied = sims == kth
    room = k - above.sum(axis=0)
    keep = above | tied
    crowded = np.flatnonzero(tied.sum(axis=0) > room)
    if len(crowded):
        ties = tied[:, crowded]
        keep[:, crowded] = above[:, crowded] | (ties & (np.cumsum(ties, axis=0) <= room[crowded]))
    return keep


class RatingsRecommender(Recommender):
    """Items ranked by their predicted rating (Surprise KNN or SVD on review ratings).

    Parameters
    ----------
    algorithm : "KNNBasic", "KNNWithMeans", "KNNBaseline" or "SVD".
    k, min_k : most and fewest neighbours aggregated (KNN).
    sim_name : "cosine", "pearson", "pearson_baseline" or "msd" (KNN).
    user_based : user-user (True) or item-item (False) similarities (KNN).
    n_factors, n_epochs : latent factors and SGD epochs (SVD).
    random_state : seed of SVD's initialisation.

    Notes
    -----
    Scores come from the ratings seen in ``fit`` (the ``user_items`` passed to ``recommend``
    only drives filtering). The rating scale is the data's min..max. Items nobody rated
    score ``-inf``; users without ratings get the item baseline ``mu + b_i``.
    """

    name = "ratings"

    def __init__(
        self,
        algorithm: str = DEFAULT_ALGORITHM,
        k: int = 40,
        min_k: int = 1,
        sim_name: str = "pearson_baseline",
        user_based: bool = False,
        n_factors: int = 100,
        n_epochs: int = 20,
        random_state: int | None = None,
    ):
        self.algorithm = algorithm
        self.k = k
        self.min_k = min_k
        self.sim_name = sim_name
        self.user_based = user_based
        self.n_factors = n_factors
        self.n_epochs = n_epochs
        self.random_state = random_state

    @property
    def spec(self) -> AlgorithmSpec:
        """The Surprise algorithm these hyperparameters describe."""
        return AlgorithmSpec(**self.get_params())

    # -- fitting ------------------------------------------------------------------------

    def _fit(self, interactions: Interactions) -> None:
        self.model_ = self.spec.build()
        trainset, self.rated_users_, self.rated_items_ = build_trainset(interactions.ratings)
        self.user_inner_ = _inverse(self.rated_users_, interactions.n_users)
        self.item_inner_ = _inverse(self.rated_items_, interactions.n_items)
        self.rating_scale_ = trainset.rating_scale
        if trainset.n_ratings == 0:
            logger.warning("RatingsRecommender: no ratings to learn from; every score is -inf.")
            self.global_mean_, self.user_bias_, self.item_bias_ = 0.0, np.zeros(0), np.zeros(0)
            return
        self.model_.fit(trainset)
        self.global_mean_ = float(trainset.global_mean)
        if self.algorithm == "SVD":
            self.user_bias_, self.item_bias_ = self.model_.bu, self.model_.bi
        else:
            self.user_bias_, self.item_bias_ = self.model_.compute_baselines()
        # Inner users x inner items ratings, rows sorted as the trainset's lists.
        self.inner_ratings_ = sparse.csr_matrix(
            _inner_coo(trainset), shape=(trainset.n_users, trainset.n_items)
        )
        self.inner_ratings_.sort_indices()
        if self.user_based and self.algorithm != "SVD":
            self.ratings_by_item_ = sparse.csr_matrix(self.inner_ratings_.T)
            self.ratings_by_item_.sort_indices()

    # -- scoring ------------------------------------------------------------------------

    def _score_users(self, user_indices: np.ndarray, user_items: sparse.csr_matrix) -> np.ndarray:
        scores = np.full((len(user_indices), self.n_items_), -np.inf, dtype=np.float32)
        if not len(self.rated_items_):
            return scores
        for row, user in enumerate(np.asarray(user_indices).tolist()):
            scores[row, self.rated_items_] = self._predict_user(self._inner_user(user))
        return scores

    def _inner_user(self, user: int) -> int:
        return int(self.user_inner_[user]) if 0 <= user < len(self.user_inner_) else -1

    def _predict_user(self, inner_user: int) -> np.ndarray:
        """Predicted ratings of one user for every rated item (inner item order), clipped."""
        if inner_user < 0:
            estimate = self.global_mean_ + self.item_bias_
        elif self.algorithm == "SVD":
            model = self.model_
            estimate = (
                self.global_mean_
                + model.bu[inner_user]
                + model.bi
                + model.qi @ model.pu[inner_user]
            )
        elif self.user_based:
            estimate = self._user_based_estimate(inner_user)
        else:
            estimate = self._item_based_estimate(inner_user)
        return np.clip(estimate, *self.rating_scale_)

    def _item_based_terms(self, u: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Item-item KNN: the user's rated items are the neighbours of every item.

        Returns the neighbour similarities (rated items x items; Surprise's similarity
        matrices are symmetric), the residual of each rated item and the base term.
        """
        start, end = self.inner_ratings_.indptr[u], self.inner_ratings_.indptr[u + 1]
        rated = self.inner_ratings_.indices[start:end]
        ratings = self.inner_ratings_.data[start:end]
        sims = self.model_.sim[rated]
        if self.algorithm == "KNNWithMeans":
            return sims, ratings - self.model_.means[rated], self.model_.means
        if self.algorithm == "KNNBaseline":
            baseline = self.global_mean_ + self.user_bias_[u] + self.item_bias_
            return sims, ratings - baseline[rated], baseline
        return sims, ratings, np.zeros(sims.shape[1])

    def _item_based_estimate(self, u: int) -> np.ndarray:
        sims, residual, base = self._item_based_terms(u)
        weights = np.where(top_k_positive(sims, self.k), sims, 0.0)
        actual_k = np.count_nonzero(weights, axis=0)
        return self._knn_estimate(residual @ weights, weights.sum(axis=0), actual_k, base)

    def _user_based_estimate(self, u: int) -> np.ndarray:
        """User-user KNN: each item's raters, the ``k`` most similar to ``u`` kept."""
        by_item = self.ratings_by_item_  # inner items x inner users, CSR
        sims = self.model_.sim[u]
        entry_sim = sims[by_item.indices]
        entry_item = np.repeat(np.arange(by_item.shape[0]), np.diff(by_item.indptr))
        positive = np.flatnonzero(entry_sim > 0)
        # Within each item, most similar first; equal similarities in user order.
        order = positive[np.lexsort((positive, -entry_sim[positive], entry_item[positive]))]
        items = entry_item[order]
        rank = np.arange(len(order)) - np.searchsorted(items, items)
        kept = order[rank < self.k]
        users, items = by_item.indices[kept], entry_item[kept]
        if self.algorithm == "KNNWithMeans":
            residual = by_item.data[kept] - self.model_.means[users]
            base = np.full(by_item.shape[0], self.model_.means[u])
        elif self.algorithm == "KNNBaseline":
            neighbour_base = self.global_mean_ + self.user_bias_[users] + self.item_bias_[items]
            residual = by_item.data[kept] - neighbour_base
            base = self.global_mean_ + self.user_bias_[u] + self.item_bias_
        else:
            residual, base = by_item.data[kept], np.zeros(by_item.shape[0])
        n_items, weights = by_item.shape[0], sims[users]
        return self._knn_estimate(
            np.bincount(items, weights * residual, minlength=n_items),
            np.bincount(items, weights, minlength=n_items),
            np.bincount(items, minlength=n_items),
            base,
        )

    def _knn_estimate(
        self, weighted: np.ndarray, total: np.ndarray, actual_k: np.ndarray, base: np.ndarray
    ) -> np.ndarray:
        """Surprise's KNN estimate from the neighbours' weighted residuals and weights."""
        ok = (actual_k >= self.min_k) & (total > 0)
        shift = np.where(ok, weighted / np.where(ok, total, 1.0), 0.0)
        if self.algorithm == "KNNBasic":  # no base term: impossible -> global mean
            return np.where(ok, shift, self.global_mean_)
        return base + shift

    # -- similar items and explanations -------------------------------------------------

    def _item_similarity(self, inner_items: np.ndarray) -> np.ndarray:
        """Similarity of the given inner items to every inner item."""
        if self.algorithm == "SVD":
            factors = self.model_.qi
            norms = np.linalg.norm(factors, axis=1)
            unit = factors / np.where(norms > 0, norms, 1.0)[:, np.newaxis]
            return unit[inner_items] @ unit.T
        if self.user_based:
            raise UnsupportedFeature(
                "RatingsRecommender(user_based=True) has no item-item similarities."
            )
        return self.model_.sim[inner_items]

    def _score_similar(self, item_indices: np.ndarray) -> np.ndarray:
        scores = np.full((len(item_indices), self.n_items_), -np.inf, dtype=np.float32)
        inner = self.item_inner_[np.asarray(item_indices, dtype=np.int64)]
        known = np.flatnonzero(inner >= 0)
        if len(known) and len(self.rated_items_):
            block = self._item_similarity(inner[known])
            scores[known[:, np.newaxis], self.rated_items_[np.newaxis, :]] = block
        return scores

    def explain(
        self, user_index: int, user_items: sparse.csr_matrix, item_index: int
    ) -> Reason | None:
        """``Reason("rated", j)``: ``j`` the most similar item the user rated at or above
        their mean; ``Reason("rated")`` for user-based KNN; None without ratings."""
        self.check_fitted()
        inner_user, inner_item = self._inner_user(user_index), int(self.item_inner_[item_index])
        if inner_user < 0 or inner_item < 0:
            return None
        if self.user_based and self.algorithm != "SVD":
            return Reason("rated")
        row = self.inner_ratings_[inner_user]
        liked = row.indices[row.data >= row.data.mean()]
        liked = liked[liked != inner_item]
        if not len(liked):
            return None
        sims = self._item_similarity(np.array([inner_item]))[0, liked]
        best = int(np.argmax(sims))
        return Reason("rated", int(self.rated_items_[liked[best]])) if sims[best] > 0 else None


def _inverse(indices: np.ndarray, size: int) -> np.ndarray:
    """index -> position in ``indices`` (-1 when absent)."""
    inverse = np.full(size, -1, dtype=np.int64)
    inverse[indices] = np.arange(len(indices))
    return inverse


def _inner_coo(trainset: Trainset) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    rows, cols, values = zip(*trainset.all_ratings(), strict=True)
    return np.array(values, dtype=np.float64), (np.array(rows), np.array(cols))
