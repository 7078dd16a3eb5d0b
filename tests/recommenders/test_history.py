"""Purchase history: contract and frequency x recency scores worked out by hand."""

import numpy as np
import pytest

from oscar_ai_crm.features.interactions import Interactions
from oscar_ai_crm.recommenders.base import Reason
from oscar_ai_crm.recommenders.history import PurchaseHistoryRecommender

from .contract import RecommenderContract, with_new_user

DAY = 86_400
T = 1_700_000_000


class TestPurchaseHistory(RecommenderContract):
    filter_liked = False

    def make_model(self):
        return PurchaseHistoryRecommender()


@pytest.fixture(scope="module")
def log() -> Interactions:
    """Ann bought x today, y 90 and 180 days ago, z 30 days ago, and viewed w 10 times.

    Bob bought w today. With a 90-day half-life: x = 1, z = 2**(-1/3) ~ 0.794,
    y = 2**-1 + 2**-2 = 0.75.
    """
    rows = [("ann", "x", T), ("ann", "y", T - 90 * DAY), ("ann", "y", T - 180 * DAY)]
    rows += [("ann", "z", T - 30 * DAY), ("bob", "w", T)]
    views = [("ann", "w", T - DAY)] * 10
    users, items, times = zip(*(rows + views), strict=True)
    events = ["purchase"] * len(rows) + ["view"] * len(views)
    return Interactions.from_columns(users, items, times, events=events)


def test_recent_and_frequent_purchases_first(log):
    model = PurchaseHistoryRecommender(half_life_days=90).fit(log)
    ids, scores = model.recommend(0, log.user_items, N=5, filter_already_liked_items=False)
    names = [log.item_ids[i] for i in ids[:3]]
    assert names == ["x", "z", "y"] and (ids[3:] == -1).all()  # viewed w is not history
    np.testing.assert_allclose(scores[:3], [1.0, 2 ** (-1 / 3), 0.75], rtol=1e-6)


def test_without_decay_frequency_decides(log):
    model = PurchaseHistoryRecommender(half_life_days=None).fit(log)
    ids, scores = model.recommend(0, log.user_items, N=3, filter_already_liked_items=False)
    assert log.item_ids[ids[0]] == "y" and scores.tolist() == [2.0, 1.0, 1.0]


def test_default_filter_leaves_nothing_to_recommend(log):
    model = PurchaseHistoryRecommender().fit(log)
    ids, _ = model.recommend(0, log.user_items, N=3)
    assert (ids == -1).all()


def test_customers_without_purchases_in_fit_get_nothing(log):
    model = PurchaseHistoryRecommender().fit(log.subset(log.user_index == 1))
    user_items = with_new_user(log.user_items, [0])
    ids, _ = model.recommend([0, 1, 2], user_items, N=2, filter_already_liked_items=False)
    assert (ids[[0, 2]] == -1).all() and log.item_ids[ids[1, 0]] == "w"


def test_explain(log):
    model = PurchaseHistoryRecommender().fit(log)
    items = {name: i for i, name in enumerate(log.item_ids)}
    assert model.explain(0, log.user_items, items["y"]) == Reason("history")
    assert model.explain(0, log.user_items, items["w"]) is None
