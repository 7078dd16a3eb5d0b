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


def random_scores(seed, rows=40, cols=30, density=0.3):
    """Random sparse scores with ties (values on a coarse grid) and their dense -inf twin."""
    rng = np.random.default_rng(seed)
    matrix = sparse.random(rows, cols, density, format="csr", random_state=rng, dtype=np.float32)
    matrix.data = np.round(matrix.data * 4) / 4 + 0.25
    dense = np.full((rows, cols), NEG, dtype=np.float32)
    coo = matrix.tocoo()
    dense[coo.row, coo.col] = coo.data
    exclude = sparse.random(rows, cols, 0.2, format="csr", random_state=rng, dtype=np.float32)
    return matrix, dense, exclude


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("density", [0.02, 0.3])  # ranked entry by entry / through dense
def test_sparse_selection_equals_dense_selection(seed, density):
    matrix, dense, exclude = random_scores(seed, density=density)
    blocked = np.array([3, 7])
    sparse_ids, sparse_scores = base.select_top_n(matrix, 8, exclude, blocked)
    dense_ids, dense_scores = base.select_top_n(dense, 8, exclude, blocked)
    np.testing.assert_array_equal(sparse_scores, dense_scores)
    # equal scores may come in another order; the chosen (item, score) sets are the same
    for row in range(matrix.shape[0]):
        top = sparse_scores[row]
        certain = top > top[-1]  # above the lowest kept score no tie can swap items
        assert set(sparse_ids[row][certain]) == set(dense_ids[row][certain])
    assert not np.isin(sparse_ids, blocked).any()
    excluded = exclude.toarray() != 0
    rows, cols = np.nonzero(sparse_ids >= 0)
    assert not excluded[rows, sparse_ids[rows, cols]].any()


def test_sparse_selection_ranks_stored_entries_only():
    scores = sparse.csr_matrix(np.array([[0, 1.0, 0, 0.5, 2.0]] + [[0] * 5] * 30, np.float32))
    ids, values = base.sparse_top_n(scores, 4)
    assert ids[0].tolist() == [4, 1, 3, -1] and (ids[1:] == -1).all()
    assert values[0, :3].tolist() == [2.0, 1.0, 0.5] and np.isneginf(values[0, 3])
