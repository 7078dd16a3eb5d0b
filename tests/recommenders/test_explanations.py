"""Batch explanations: the array helpers on hand-made inputs, ties, and bad pairs."""

import numpy as np
import pytest
from scipy import sparse

from oscar_ai_crm.features.interactions import Interactions
from oscar_ai_crm.recommenders.base import Reason
from oscar_ai_crm.recommenders.cooccurrence import BoughtTogetherRecommender
from oscar_ai_crm.recommenders.explanations import (
    best_per_pair,
    history_entries,
    pair_indices,
    values_at,
)
from oscar_ai_crm.recommenders.popularity import PopularityRecommender


def test_history_entries_follow_each_pair_in_stored_order():
    user_items = sparse.csr_matrix(
        np.array([[0, 2, 0, 1], [0, 0, 0, 0], [5, 0, 3, 0]], dtype=np.float32)
    )
    pairs, items, weights = history_entries(np.array([2, 1, 0, 2]), user_items)
    assert pairs.tolist() == [0, 0, 2, 2, 3, 3]  # pair 1 (user 1) has no history
    assert items.tolist() == [0, 2, 1, 3, 0, 2]
    assert weights.tolist() == [5, 3, 2, 1, 5, 3]


def test_best_per_pair_takes_the_first_of_equal_values():
    pairs = np.array([0, 0, 0, 2, 2, 3])
    values = np.array([1.0, 3.0, 3.0, -np.inf, 5.0, -np.inf])
    assert best_per_pair(pairs, values, 5).tolist() == [1, -1, 4, 5, -1]
    assert best_per_pair(np.array([], int), np.array([]), 2).tolist() == [-1, -1]


def test_values_at_reads_stored_values_and_zeros():
    matrix = sparse.csr_matrix(np.array([[0, 7], [4, 0]], dtype=np.float32))
    assert values_at(matrix, np.array([0, 1, 1]), np.array([1, 0, 1])).tolist() == [7, 4, 0]
    assert values_at(matrix, np.array([], int), np.array([], int)).shape == (0,)


def test_bought_together_tie_goes_to_the_first_history_item():
    """Orders {a, c} and {b, c}: a and b each co-occur once with c; x bought a and b."""
    data = Interactions.from_columns(
        ["u", "u", "v", "v", "x", "x"],
        ["a", "c", "b", "c", "a", "b"],
        [1, 1, 1, 1, 2, 2],
        baskets=["o1", "o1", "o2", "o2", "o3", "o3"],
    )
    model = BoughtTogetherRecommender(min_support=1, normalization="count").fit(data)
    x, (a, b, c) = 2, range(3)
    kinds, reason_items = model.explain_batch([x, x, x], data.user_items, [c, a, b])
    assert model.explain(x, data.user_items, c) == Reason("bought_together", a)
    assert kinds.tolist() == ["bought_together", "bought_together", "bought_together"]
    assert reason_items.tolist() == [a, b, a]


def test_pairs_must_be_aligned():
    with pytest.raises(ValueError, match="same length"):
        pair_indices(np.array([0, 1]), np.array([0]))
    data = Interactions.from_columns(["u"], ["a"], [1])
    model = PopularityRecommender().fit(data)
    with pytest.raises(ValueError, match="1-D"):
        model.explain_batch(np.zeros((1, 1), int), data.user_items, np.zeros((1, 1), int))
