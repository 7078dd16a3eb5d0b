"""Choosing blend weights on a time-based validation period (used by the hybrid)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy import sparse

from ..features.interactions import PURCHASE_EVENTS, Interactions
from .base import sparse_top_n


def blend_validation_split(
    interactions: Interactions,
    validation_fraction: float,
    max_users: int,
    random_state: int | None,
) -> tuple[Interactions, np.ndarray, sparse.csr_matrix] | None:
    """(train, validation users, their later target items) or None if too little data.

    A time split (:func:`~oscar_ai_crm.evaluation.splits.time_split`) whose targets are
    purchases, or every later interaction when the data has no purchases. Users are
    sampled down to ``max_users``.
    """
    from ..evaluation.splits import time_split

    if len(interactions) < 20:
        return None
    split = time_split(interactions, validation_fraction, sorted(PURCHASE_EVENTS))
    if split.n_test_users < 5:
        split = time_split(interactions, validation_fraction, sorted(set(interactions.event)))
    users = split.test_users
    if len(users) < 5:
        return None
    if len(users) > max_users:
        users = np.sort(np.random.default_rng(random_state).choice(users, max_users, False))
    return split.train, users, split.test[users]


def coordinate_ascent(
    blocks: Mapping[str, sparse.csr_matrix],
    targets: sparse.csr_matrix,
    k: int,
    grid: tuple[float, ...],
    passes: int = 3,
) -> dict[str, float]:
    """Weights maximising mean NDCG@k of the blend, starting from the best single block."""
    aliases = list(blocks)
    singles = {alias: _ndcg(blocks[alias], targets, k) for alias in aliases}
    best_alias = max(aliases, key=singles.__getitem__)
    weights = {alias: 1.0 if alias == best_alias else 0.0 for alias in aliases}
    best = singles[best_alias]
    for _ in range(passes):
        improved = False
        for alias in aliases:
            for value in grid:
                trial = {**weights, alias: value}
                if not any(trial.values()):
                    continue
                blended = sum(
                    (blocks[a] * w for a, w in trial.items() if w), sparse.csr_matrix(targets.shape)
                )
                score = _ndcg(sparse.csr_matrix(blended), targets, k)
                if score > best + 1e-9:
                    best, weights, improved = score, trial, True
        if not improved:
            break
    return weights


def positive_part(scores: sparse.csr_matrix) -> sparse.csr_matrix:
    """``scores`` with its non-positive entries dropped (a blend proposes what scores > 0)."""
    kept = sparse.csr_matrix(scores, dtype=np.float32, copy=True)
    kept.data[kept.data <= 0] = 0
    kept.eliminate_zeros()
    return kept


def _ndcg(scores: sparse.csr_matrix, targets: sparse.csr_matrix, k: int) -> float:
    from ..evaluation.metrics import ndcg_at_k

    return float(ndcg_at_k(sparse_top_n(positive_part(scores), k)[0], targets, k))
