"""The base class: top-N selection, padding, filters and batching, on fixed scores."""

import numpy as np
import pytest
from scipy import sparse

from oscar_ai_crm.exceptions import UnsupportedFeature
from oscar_ai_crm.features.interactions import Interactions
from oscar_ai_crm.recommenders import base
from oscar_ai_crm.recommenders.base import Recommender, top_n

NEG = -np.inf


class FixedScores(Recommender):
    """Scores every user with the same given row (a real subclass, no mocks)."""

    name = "fixed"

    def __init__(self, scores=(3.0, 1.0, 2.0, NEG, 0.5)):
        self.scores = scores

    def _fit(self, interactions):
        self.row_ = np.asarray(self.scores, dtype=np.float32)

    def _score_users(self, user_indices, user_items):
        return np.tile(self.row_, (len(user_indices), 1))


@pytest.fixture
def log():
    """Three users over five items: u0 has item 0, u1 has item 2, u2 has nothing."""
    data = Interactions.from_columns(
        ["u0", "u1"], [0, 2], [1, 1], all_item_ids=[0, 1, 2, 3, 4], events=["view", "view"]
    )
    user_items = sparse.csr_matrix(
        (np.ones(2, np.float32), ([0, 1], [0, 2])), shape=(3, data.n_items)
    )
    return data, user_items


def test_top_n_orders_and_pads():
    dense = np.array([[0.25, 0.75, NEG, 0.5], [NEG, NEG, 2.0, NEG]], dtype=np.float32)
    ids, scores = top_n(dense, 3)
    assert ids.tolist() == [[1, 3, 0], [2, -1, -1]]
    np.testing.assert_array_equal(scores, [[0.75, 0.5, 0.25], [2.0, NEG, NEG]])
    assert ids.dtype == np.int32 and scores.dtype == np.float32


def test_top_n_beyond_columns_keeps_column_order_in_ties():
    ids, scores = top_n(np.array([[1.0, 1.0, 2.0]], dtype=np.float32), 5)
    assert ids.tolist() == [[2, 0, 1, -1, -1]]
    assert np.isneginf(scores[0, 3:]).all()


def test_top_n_of_nothing():
    ids, scores = top_n(np.zeros((2, 0), dtype=np.float32), 2)
    assert (ids == -1).all() and np.isneginf(scores).all()


def test_recommend_filters_and_pads(log):
    data, user_items = log
    model = FixedScores().fit(data)
    ids, scores = model.recommend([0, 1, 2], user_items, N=5)
    assert ids.tolist() == [[2, 1, 4, -1, -1], [0, 1, 4, -1, -1], [0, 2, 1, 4, -1]]
    assert np.isneginf(scores[ids == -1]).all()
    ids, _ = model.recommend([2], user_items, N=2, filter_items=np.array([0]))
    assert ids.tolist() == [[2, 1]]
    ids, _ = model.recommend([2], user_items, N=2, filter_already_liked_items=False)
    assert ids.tolist() == [[0, 2]]


def test_filter_user_items(log):
    data, user_items = log
    bought = sparse.csr_matrix(([1.0], ([2], [1])), shape=user_items.shape)
    ids, _ = FixedScores().fit(data).recommend(2, user_items, N=3, filter_user_items=bought)
    assert ids.tolist() == [0, 2, 4]


def test_batches_give_the_same_answer(log, monkeypatch):
    data, user_items = log
    model = FixedScores().fit(data)
    whole = model.recommend([0, 1, 2], user_items, N=3)
    monkeypatch.setattr(base, "BATCH_SIZE", 2)
    batched = model.recommend([0, 1, 2], user_items, N=3)
    np.testing.assert_array_equal(whole[0], batched[0])
    np.testing.assert_array_equal(whole[1], batched[1])


def test_similar_items_unsupported_by_default(log):
    with pytest.raises(UnsupportedFeature):
        FixedScores().fit(log[0]).similar_items(0)
