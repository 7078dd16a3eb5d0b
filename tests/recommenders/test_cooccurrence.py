"""Bought together: contract, planted pattern, and co-occurrence scores worked out by hand."""

import numpy as np
import pytest

from oscar_ai_crm.features.interactions import Interactions
from oscar_ai_crm.recommenders.base import Reason
from oscar_ai_crm.recommenders.cooccurrence import BoughtTogetherRecommender

from .contract import PlantedPatternContract, RecommenderContract


class TestBoughtTogether(RecommenderContract, PlantedPatternContract):
    explain_kind = "bought_together"

    def make_model(self):
        return BoughtTogetherRecommender()


class TestBoughtTogetherConfidence(RecommenderContract, PlantedPatternContract):
    explain_kind = "bought_together"

    def make_model(self):
        return BoughtTogetherRecommender(normalization="confidence")


A, B, C, D, E = range(5)


@pytest.fixture(scope="module")
def baskets() -> Interactions:
    """Orders {a,b} {a,b} {a,b,c} {a,c} {d} {e}, plus views that must not count.

    Baskets: n = 6; n_a = 4, n_b = 3, n_c = 2, n_d = n_e = 1; together: ab 3, ac 2, bc 1.
    o1 holds b twice (two lines), which counts once. v views c and d (no basket).
    """
    orders = {"o1": "abb", "o2": "ab", "o3": "abc", "o4": "ac", "o5": "d", "o6": "e"}
    rows = [(f"u-{order}", item, order) for order, items in orders.items() for item in items]
    rows += [("u-o1", "e", ""), ("v", "c", ""), ("v", "d", "")]
    users, items, baskets_ = zip(*rows, strict=True)
    events = ["purchase" if basket else "view" for basket in baskets_]
    return Interactions.from_columns(
        users, items, [1] * len(users), events=events, baskets=baskets_
    )


@pytest.mark.parametrize(
    ("normalization", "expected"),
    [
        ("count", {(A, B): 3, (B, A): 3, (A, C): 2, (C, A): 2}),
        ("lift", {(A, B): 3 * 6 / 12, (A, C): 2 * 6 / 8, (C, A): 2 * 6 / 8}),
        ("cosine", {(A, B): 3 / np.sqrt(12), (C, A): 2 / np.sqrt(8)}),
        ("confidence", {(A, B): 3 / 4, (B, A): 3 / 3, (A, C): 2 / 4, (C, A): 2 / 2}),
    ],
)
def test_normalized_cooccurrence(baskets, normalization, expected):
    model = BoughtTogetherRecommender(normalization=normalization).fit(baskets)
    matrix = model.cooccurrence_.toarray()
    for (i, j), value in expected.items():
        assert matrix[i, j] == pytest.approx(value, rel=1e-6)
    assert model.n_baskets_ == 6 and model.item_baskets_.tolist() == [4, 3, 2, 1, 1]


def test_min_support_drops_rare_pairs_and_diagonal(baskets):
    strict = BoughtTogetherRecommender(normalization="count").fit(baskets).cooccurrence_
    loose = BoughtTogetherRecommender(min_support=1, normalization="count").fit(baskets)
    assert strict[B, C] == 0 and loose.cooccurrence_[B, C] == 1
    assert not loose.cooccurrence_.diagonal().any()
    assert strict.nnz == 4  # ab, ba, ac, ca


def test_user_scores_sum_over_history(baskets):
    model = BoughtTogetherRecommender(min_support=1, normalization="confidence").fit(baskets)
    user = baskets.user_ids.tolist().index("u-o4")  # bought a and c, weight 5 each
    ids, scores = model.recommend(user, baskets.user_items, N=3)
    # b: 5 * P(b|a) + 5 * P(b|c) = 5 * 3/4 + 5 * 1/2; d and e were never bought with them.
    assert ids.tolist() == [B, -1, -1]
    assert scores[0] == pytest.approx(5 * 3 / 4 + 5 * 1 / 2)


def test_similar_items_and_explain(baskets):
    model = BoughtTogetherRecommender(min_support=1, normalization="confidence").fit(baskets)
    ids, _ = model.similar_items(C, N=3)
    assert ids.tolist() == [A, B, -1]  # P(a|c) = 1 > P(b|c) = 1/2
    user = baskets.user_ids.tolist().index("u-o4")
    assert model.explain(user, baskets.user_items, B) == Reason("bought_together", A)
    assert model.explain(user, baskets.user_items, E) is None


def test_unknown_normalization_is_rejected(baskets):
    with pytest.raises(ValueError, match="normalization"):
        BoughtTogetherRecommender(normalization="jaccard").fit(baskets)
