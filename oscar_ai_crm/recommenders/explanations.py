"""Array helpers for explaining many (user, item) pairs at once.

``Recommender.explain_batch`` answers for aligned arrays of pairs with two arrays: the
reason kind of each pair (``""`` where there is none) and its reason item (``-1`` where
there is none). The models that explain by "the history item contributing most" expand
every pair into its user's history entries (:func:`history_entries`), score each entry,
and keep each pair's best entry (:func:`best_per_pair`), as ``np.argmax`` does per pair.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse


def pair_indices(
    user_indices: np.ndarray, item_indices: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs as aligned int64 arrays; ``ValueError`` unless both are 1-D of one length."""
    users = np.asarray(user_indices, dtype=np.int64)
    items = np.asarray(item_indices, dtype=np.int64)
    if users.ndim != 1 or users.shape != items.shape:
        raise ValueError(
            "user_indices and item_indices must be 1-D arrays of the same length, "
            f"not of shapes {users.shape} and {items.shape}."
        )
    return users, items


def no_reasons(n_pairs: int) -> tuple[np.ndarray, np.ndarray]:
    """(kinds, reason_items) of ``n_pairs`` pairs without explanation: ``""`` and ``-1``."""
    return np.full(n_pairs, "", dtype=object), np.full(n_pairs, -1, dtype=np.int64)


def history_entries(
    user_indices: np.ndarray, user_items: sparse.csr_matrix
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every stored entry of the users' ``user_items`` rows, row after row in stored order.

    Returns
    -------
    pairs : int64 array, the position in ``user_indices`` each entry belongs to (sorted).
    items : the entries' item indices.
    weights : the entries' values.
    """
    matrix = sparse.csr_matrix(user_items)
    starts = matrix.indptr[user_indices].astype(np.int64)
    counts = matrix.indptr[user_indices + 1] - starts
    pairs = np.repeat(np.arange(len(user_indices), dtype=np.int64), counts)
    offsets = np.cumsum(counts) - counts  # where each pair's entries start in the output
    positions = np.arange(len(pairs), dtype=np.int64) + np.repeat(starts - offsets, counts)
    return pairs, matrix.indices[positions].astype(np.int64), matrix.data[positions]


def values_at(matrix: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``matrix[rows[k], cols[k]]`` as a 1-D array (0 where nothing is stored)."""
    if not len(rows):  # scipy answers an empty lookup with an empty sparse matrix
        return np.zeros(0, dtype=matrix.dtype)
    return np.asarray(matrix[rows, cols]).ravel()


def best_per_pair(pairs: np.ndarray, values: np.ndarray, n_pairs: int) -> np.ndarray:
    """Position of each pair's largest value, the first one on ties (as ``np.argmax``).

    ``pairs`` must be sorted (as :func:`history_entries` gives them) and ``values`` free
    of NaN; -1 for pairs without entries.
    """
    best = np.full(n_pairs, -1, dtype=np.int64)
    if not len(pairs):
        return best
    starts = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]])
    top = np.maximum.reduceat(values, starts)
    at_top = np.flatnonzero(values == np.repeat(top, np.diff(np.r_[starts, len(pairs)])))
    first = np.r_[True, pairs[at_top][1:] != pairs[at_top][:-1]]
    best[pairs[at_top[first]]] = at_top[first]
    return best


def reasons_from_best(
    best: np.ndarray, candidates: np.ndarray, kind: str
) -> tuple[np.ndarray, np.ndarray]:
    """(kinds, reason_items): ``kind`` and ``candidates[best]`` where ``best >= 0``."""
    found = best >= 0
    kinds, reason_items = no_reasons(len(best))
    kinds[found] = kind
    reason_items[found] = candidates[best[found]]
    return kinds, reason_items
