"""A weighted blend of recommenders, with weights tuned on the customer's own recent past.

Each component proposes its top ``candidates`` items per customer (after the same filters
as serving); its scores are min-max scaled per customer to [0, 1] and the blend is the
weighted sum. With ``tune_weights`` the weights are chosen at fit time: the components are
fitted on all but the latest ``validation_fraction`` of the timeline, and coordinate ascent
over ``weight_grid`` maximises NDCG@k on what customers then did. The search starts from
the best single component, so on that validation period the blend is never worse than any
one of its parts. The components are then refitted on everything.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
from scipy import sparse
from sklearn.base import clone

from ..features.interactions import Interactions
from .base import BATCH_SIZE, Reason, Recommender, sparse_top_n
from .explanations import no_reasons, pair_indices, values_at
from .tuning import blend_validation_split, coordinate_ascent, positive_part

logger = logging.getLogger(__name__)


class HybridRecommender(Recommender):
    """Weighted blend of named component recommenders.

    Parameters
    ----------
    components : alias -> unfitted recommender.
    weights : alias -> weight; missing aliases weigh 0. ``None`` with ``tune_weights``:
        tuned at fit time; ``None`` without: all 1.
    tune_weights : choose weights on a time-based validation split at fit time.
    exclude_purchased : tune as serving will run: with already-bought items filtered out.
    validation_fraction, k : size of the validation period and the NDCG cut-off.
    candidates : items each component proposes per customer.
    weight_grid : weights tried per component during tuning.
    max_validation_users : customers sampled for tuning (bounds the cost).
    """

    name = "hybrid"

    def __init__(
        self,
        components: Mapping[str, Recommender] | None = None,
        weights: Mapping[str, float] | None = None,
        tune_weights: bool = True,
        exclude_purchased: bool = True,
        validation_fraction: float = 0.2,
        k: int = 10,
        candidates: int = 100,
        weight_grid: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0, 2.0),
        max_validation_users: int = 3000,
        random_state: int | None = None,
    ):
        self.components = components
        self.weights = weights
        self.tune_weights = tune_weights
        self.exclude_purchased = exclude_purchased
        self.validation_fraction = validation_fraction
        self.k = k
        self.candidates = candidates
        self.weight_grid = weight_grid
        self.max_validation_users = max_validation_users
        self.random_state = random_state

    # -- fitting ------------------------------------------------------------------------

    def _fit(self, interactions: Interactions) -> None:
        components = dict(self.components or {})
        if not components:
            raise ValueError("HybridRecommender needs at least one component.")
        self.weights_ = self._choose_weights(components, interactions)
        self.components_ = {}
        for alias, component in components.items():
            if self.weights_.get(alias, 0.0) > 0:
                self.components_[alias] = clone(component).fit(interactions)
        logger.info("Hybrid weights: %s", self.weights_)

    def _choose_weights(
        self, components: Mapping[str, Recommender], interactions: Interactions
    ) -> dict[str, float]:
        if self.weights is not None:
            return {alias: float(self.weights.get(alias, 0.0)) for alias in components}
        if not self.tune_weights:
            return dict.fromkeys(components, 1.0)
        split = blend_validation_split(
            interactions, self.validation_fraction, self.max_validation_users, self.random_state
        )
        if split is None:
            logger.info("Too little history to tune the blend; using equal weights.")
            return dict.fromkeys(components, 1.0)
        train, users, targets = split
        blocks = {}
        for alias, component in components.items():
            try:
                fitted = clone(component).fit(train)
            except Exception:  # a component that cannot fit this data gets weight 0
                logger.exception("Blend component %r failed to fit; weight 0.", alias)
                continue
            blocks[alias] = self._candidate_block(fitted, users, train)
        if not blocks:
            raise ValueError("No blend component could be fitted.")
        weights = coordinate_ascent(blocks, targets, self.k, self.weight_grid)
        return {alias: weights.get(alias, 0.0) for alias in components}

    # -- scoring ------------------------------------------------------------------------

    def _candidate_block(
        self,
        component: Recommender,
        users: np.ndarray,
        interactions: Interactions,
        filter_items: np.ndarray | None = None,
    ) -> sparse.csr_matrix:
        """users x items: the component's top candidates, min-max scaled per user."""
        exclude = interactions.purchased if self.exclude_purchased else None
        unavailable = _unavailable(interactions) if filter_items is None else filter_items
        history = getattr(component, "recommends_history", False)
        ids, scores = component.recommend(
            users,
            interactions.user_items,
            N=self.candidates,
            filter_already_liked_items=False,
            filter_items=unavailable,
            filter_user_items=None if history and not self.exclude_purchased else exclude,
        )
        return scaled_candidates(ids, scores, interactions.n_items)

    def blend(
        self,
        user_indices: np.ndarray,
        user_items: sparse.csr_matrix,
        filter_items: np.ndarray | None = None,
        filter_user_items: sparse.csr_matrix | None = None,
    ) -> tuple[sparse.csr_matrix, dict[str, sparse.csr_matrix]]:
        """The blended candidate scores and each weighted component's share."""
        self.check_fitted()
        parts: dict[str, sparse.csr_matrix] = {}
        for alias, component in self.components_.items():
            ids, scores = component.recommend(
                user_indices,
                user_items,
                N=self.candidates,
                filter_already_liked_items=False,
                filter_items=filter_items,
                filter_user_items=filter_user_items,
            )
            parts[alias] = scaled_candidates(ids, scores, self.n_items_) * self.weights_[alias]
        total = sum(parts.values(), sparse.csr_matrix((len(user_indices), self.n_items_)))
        return sparse.csr_matrix(total), parts

    def recommend(  # type: ignore[override]
        self,
        user_indices: np.ndarray | int,
        user_items: sparse.csr_matrix,
        N: int = 10,  # noqa: N803 - implicit's name
        filter_already_liked_items: bool = True,
        filter_items: np.ndarray | None = None,
        filter_user_items: sparse.csr_matrix | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        ids, scores, _ = self.recommend_explained(
            user_indices, user_items, N, filter_already_liked_items, filter_items, filter_user_items
        )
        return ids, scores

    def recommend_explained(
        self,
        user_indices: np.ndarray | int,
        user_items: sparse.csr_matrix,
        N: int = 10,  # noqa: N803
        filter_already_liked_items: bool = True,
        filter_items: np.ndarray | None = None,
        filter_user_items: sparse.csr_matrix | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Like ``recommend``, plus the alias of the component that contributed most."""
        single = np.isscalar(user_indices)
        users = np.atleast_1d(np.asarray(user_indices, dtype=np.int64))
        exclude = filter_user_items
        if filter_already_liked_items:
            liked = (user_items[users] != 0).astype(np.float32)
            exclude = liked if exclude is None else (liked + exclude[users])
            exclude = _expand(exclude, users, user_items.shape[0])
        total, parts = self.blend(users, user_items, filter_items, exclude)
        ids, scores = sparse_top_n(positive_part(total), N)
        winners = _winning_components(ids, parts)
        if single:
            return ids[0], scores[0], winners[0]
        return ids, scores, winners

    def _score_users(
        self, user_indices: np.ndarray, user_items: sparse.csr_matrix
    ) -> sparse.csr_matrix:
        total, _ = self.blend(user_indices, user_items)
        return positive_part(total)

    def explain(
        self, user_index: int, user_items: sparse.csr_matrix, item_index: int
    ) -> Reason | None:
        _, parts = self.blend(np.array([user_index]), user_items)
        shares = {alias: part[0, item_index] for alias, part in parts.items()}
        if not shares or max(shares.values()) <= 0:
            return None
        alias = max(shares, key=shares.__getitem__)
        return self.components_[alias].explain(user_index, user_items, item_index)

    def explain_batch(
        self, user_indices: np.ndarray, user_items: sparse.csr_matrix, item_indices: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`explain` for many pairs: each pair goes to the ``explain_batch`` of the
        component with the largest share of its blended score (none when no share is
        positive). Shares come from one blend per batch of users; they equal ``explain``'s
        unless tied candidates straddle a component's ``candidates`` cut."""
        self.check_fitted()
        users, items = pair_indices(user_indices, item_indices)
        winners = self._pair_winners(users, user_items, items)
        kinds, reason_items = no_reasons(len(users))
        for alias, component in self.components_.items():
            at = np.flatnonzero(winners == alias)
            if len(at):
                kinds[at], reason_items[at] = component.explain_batch(
                    users[at], user_items, items[at]
                )
        return kinds, reason_items

    def _pair_winners(
        self, users: np.ndarray, user_items: sparse.csr_matrix, items: np.ndarray
    ) -> np.ndarray:
        """Per pair, the alias with the largest positive share ("" when there is none)."""
        winners = np.full(len(users), "", dtype=object)
        distinct, rows = np.unique(users, return_inverse=True)
        by_user = np.argsort(rows, kind="stable")
        sorted_rows = rows[by_user]
        for start in range(0, len(distinct), BATCH_SIZE):
            bounds = np.searchsorted(sorted_rows, [start, start + BATCH_SIZE])
            at = by_user[bounds[0] : bounds[1]]
            _, parts = self.blend(distinct[start : start + BATCH_SIZE], user_items)
            if not parts:
                continue
            shares = np.vstack(
                [values_at(part, rows[at] - start, items[at]) for part in parts.values()]
            )
            best = shares.argmax(axis=0)  # the first alias on ties, as max() in explain
            named = np.array(list(parts), dtype=object)[best]
            winners[at] = np.where(shares.max(axis=0) > 0, named, "")
        return winners

    def component(self, alias: str) -> Recommender | None:
        """The fitted component ``alias`` (None when its weight is 0)."""
        self.check_fitted()
        return self.components_.get(alias)


def scaled_candidates(ids: np.ndarray, scores: np.ndarray, n_items: int) -> sparse.csr_matrix:
    """Per-row min-max scaling of a top-N result into a sparse users x items matrix.

    The best candidate gets 1, the worst kept candidate a small positive value, so every
    proposed item stays distinguishable from "not proposed" (0).
    """
    valid = ids >= 0
    values = scores.astype(np.float64)
    high = np.where(valid, values, -np.inf).max(axis=1, keepdims=True)
    low = np.where(valid, values, np.inf).min(axis=1, keepdims=True)
    span = np.where(np.isfinite(high - low) & (high - low > 0), high - low, 1.0)
    with np.errstate(invalid="ignore"):
        scaled = 0.05 + 0.95 * (values - low) / span
    rows, cols = np.nonzero(valid)
    return sparse.csr_matrix(
        (scaled[rows, cols].astype(np.float32), (rows, ids[rows, cols])),
        shape=(ids.shape[0], n_items),
    )


def _winning_components(ids: np.ndarray, parts: Mapping[str, sparse.csr_matrix]) -> np.ndarray:
    aliases = list(parts)
    winners = np.full(ids.shape, "", dtype=object)
    if not aliases:
        return winners
    rows = np.repeat(np.arange(ids.shape[0]), ids.shape[1])
    cols = np.maximum(ids.ravel(), 0)
    shares = np.vstack([np.asarray(parts[a][rows, cols]).ravel() for a in aliases])
    best = np.array(aliases, dtype=object)[shares.argmax(axis=0)].reshape(ids.shape)
    return np.where(ids >= 0, best, "")


def _unavailable(interactions: Interactions) -> np.ndarray | None:
    available = interactions.items.available
    return None if available is None else np.flatnonzero(~available)


def _expand(rows: sparse.csr_matrix, users: np.ndarray, n_users: int) -> sparse.csr_matrix:
    """Put per-block rows back at their user positions (components index by user)."""
    coo = rows.tocoo()
    return sparse.csr_matrix((coo.data, (users[coo.row], coo.col)), shape=(n_users, rows.shape[1]))
