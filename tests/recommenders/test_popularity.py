"""Popularity: contract and recency-decayed counts worked out by hand."""

import numpy as np
import pytest
from scipy import sparse

from oscar_ai_crm.features.interactions import Interactions
from oscar_ai_crm.recommenders import base
from oscar_ai_crm.recommenders.base import Reason
from oscar_ai_crm.recommenders.popularity import PopularityRecommender

from .contract import RecommenderContract

DAY = 86_400
T = 1_700_000_000


class TestPopularity(RecommenderContract):
    def make_model(self):
        return PopularityRecommender()


@pytest.fixture(scope="module")
def log() -> Interactions:
    """a bought (weight 5) today; b viewed twice (1 each) 30 days ago; c added to a basket
    (3) 60 days ago; d bought (5) 90 days ago. Users: u1..u4, and u5 who did nothing new."""
    rows = [
        ("u1", "a", T, "purchase"),
        ("u2", "b", T - 30 * DAY, "view"),
        ("u3", "b", T - 30 * DAY, "view"),
        ("u3", "c", T - 60 * DAY, "basket_add"),
        ("u4", "d", T - 90 * DAY, "purchase"),
    ]
    users, items, times, events = zip(*rows, strict=True)
    return Interactions.from_columns(users, items, times, events=events)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        # 30-day half-life: a 5; b 2 * 1 * 2**-1 = 1; c 3 * 2**-2 = 0.75; d 5 * 2**-3 = 0.625.
        ({"half_life_days": 30}, [5.0, 1.0, 0.75, 0.625]),
        ({"half_life_days": None}, [5.0, 2.0, 3.0, 5.0]),
        # Only the last 45 days count: c and d drop to 0.
        ({"half_life_days": 30, "window_days": 45}, [5.0, 1.0, 0.0, 0.0]),
    ],
)
def test_decayed_counts(log, options, expected):
    model = PopularityRecommender(**options).fit(log)
    np.testing.assert_allclose(model.item_scores_, expected, rtol=1e-6)


def test_recommends_the_most_popular_not_yet_seen(log):
    model = PopularityRecommender(half_life_days=30).fit(log)
    ids, scores = model.recommend(0, log.user_items, N=4)  # u1 has a
    assert log.item_ids[ids[:3]].tolist() == ["b", "c", "d"] and ids[3] == -1
    np.testing.assert_allclose(scores[:3], [1.0, 0.75, 0.625], rtol=1e-6)


def test_explain_says_popular(log):
    model = PopularityRecommender().fit(log)
    assert model.explain(0, log.user_items, 1) == Reason("popular")


def test_shared_ranking_equals_scoring_every_item():
    """The fast path (one ranking, per-user skips) gives what dense scoring gives."""
    rng = np.random.default_rng(7)
    n_users, n_items = 60, 25
    data = Interactions.from_columns(
        rng.integers(0, n_users, 400), rng.integers(0, n_items, 400), rng.integers(0, 10**6, 400)
    )
    model = PopularityRecommender().fit(data)
    users = np.arange(data.n_users)
    bought = sparse.random(data.n_users, data.n_items, 0.1, format="csr", random_state=rng)
    blocked = np.array([int(np.argmax(model.item_scores_))])
    fast = model.recommend(users, data.user_items, 12, True, blocked, bought)
    dense = base.select_top_n(
        model._score_users(users, data.user_items),
        12,
        sparse.csr_matrix(data.user_items + bought),
        blocked,
    )
    np.testing.assert_array_equal(fast[1], dense[1])
    np.testing.assert_array_equal(fast[0], dense[0])
