"""Surprise ratings recommender: contract, planted ratings, and scores equal to algo.predict."""

import itertools

import numpy as np
import pytest

from oscar_ai_crm.conf import DEFAULTS
from oscar_ai_crm.exceptions import UnsupportedFeature
from oscar_ai_crm.features.interactions import Interactions
from oscar_ai_crm.recommenders.base import Reason
from oscar_ai_crm.recommenders.ratings import (
    DEFAULT_ALGORITHM,
    RatingsRecommender,
    build_trainset,
    top_k_positive,
)

from .contract import PlantedPatternContract, RecommenderContract, planted_interactions, probe

KNN = ["KNNBasic", "KNNWithMeans", "KNNBaseline"]


class TestDefault(RecommenderContract):
    explain_kind = "rated"

    def make_model(self):
        return RatingsRecommender(random_state=0)

    def test_similar_to_anchor_is_partner(self, fitted, data):
        PlantedPatternContract.test_similar_to_anchor_is_partner(self, fitted, data)

    def test_explain_points_at_anchor(self, fitted, data):
        PlantedPatternContract.test_explain_points_at_anchor(self, fitted, data)


class TestSVD(RecommenderContract):
    def make_model(self):
        return RatingsRecommender(algorithm="SVD", n_factors=8, random_state=0)


class TestUserBased(RecommenderContract):
    def make_model(self):
        return RatingsRecommender(algorithm="KNNWithMeans", sim_name="pearson", user_based=True)


# -- known answers ---------------------------------------------------------------------


def taste_groups(seed: int = 0) -> Interactions:
    """Group A rates items 0-4 five stars and 5-9 one star, group B the reverse.

    Each of the 40 users rated a random 6 of the 10 items; item 10 exists but is unrated,
    and user "new" has only a view.
    """
    rng = np.random.default_rng(seed)
    users: list[str] = []
    items: list[int] = []
    ratings: list[float] = []
    for user in range(40):
        liked = range(5) if user < 20 else range(5, 10)
        for item in rng.choice(10, size=6, replace=False).tolist():
            users.append(f"u{user:02d}")
            items.append(item)
            ratings.append(5.0 if item in liked else 1.0)
    n = len(users)
    return Interactions.from_columns(
        users + ["new"],
        items + [0],
        np.arange(n + 1),
        events=["review"] * n + ["view"],
        ratings=ratings + [np.nan],
        all_item_ids=list(range(11)),
    )


@pytest.mark.parametrize(
    "options",
    [{"algorithm": name} for name in KNN]
    + [{"algorithm": "KNNWithMeans", "user_based": True, "sim_name": "pearson"}]
    + [{"algorithm": "SVD", "n_factors": 4, "n_epochs": 100, "random_state": 0}],
)
def test_recovers_planted_tastes(options):
    data = taste_groups()
    model = RatingsRecommender(**options).fit(data)
    users = np.flatnonzero(data.user_ids != "new")
    scores = model._score_users(users, data.user_items)[:, :10]
    unrated = data.ratings[users].toarray()[:, :10] == 0
    group_a = np.array([int(name[1:]) < 20 for name in data.user_ids[users]])
    liked = np.where(group_a[:, None], np.arange(10) < 5, np.arange(10) >= 5)
    assert scores[unrated & liked].min() > scores[unrated & ~liked].max()
    ids, _ = model.recommend(users, data.user_items, N=1)  # rated items are filtered
    can_like = (unrated & liked).any(axis=1)
    assert liked[np.arange(len(users)), ids[:, 0]][can_like].all()


def test_unrated_items_are_unscorable_and_new_users_get_the_item_baseline():
    data = taste_groups()
    model = RatingsRecommender().fit(data)
    new = int(np.flatnonzero(data.user_ids == "new")[0])
    scores = model._score_users(np.array([0, new]), data.user_items)
    assert np.isneginf(scores[:, 10]).all()
    # KNNBaseline's own prediction for a user it never saw is the baseline mu + b_i.
    baseline = [model.model_.predict("nobody", int(item)).est for item in model.rated_items_]
    np.testing.assert_allclose(scores[1, model.rated_items_], baseline, rtol=1e-6)
    # Beyond the users seen in fit (a customer added since): the same baseline.
    later = model._score_users(np.array([data.n_users + 5]), data.user_items)
    np.testing.assert_array_equal(later[0], scores[1])


def _random_ratings(seed: int, tied: bool) -> Interactions:
    """Random 1-5 ratings; ``tied``: users copy one of three rating patterns (equal sims)."""
    rng = np.random.default_rng(seed)
    patterns = rng.integers(1, 6, size=(3, 25))
    rows = set()
    for user in range(45):
        for item in rng.choice(25, size=int(rng.integers(3, 14)), replace=False).tolist():
            rows.add((user, item))
    users, items = map(np.array, zip(*sorted(rows), strict=True))
    values = patterns[users % 3, items] if tied else rng.integers(1, 6, size=len(users))
    return Interactions.from_columns(users, items, np.arange(len(users)), ratings=values)


@pytest.mark.parametrize(
    ("algorithm", "sim_name", "user_based", "k", "min_k", "tied"),
    # k=3, min_k=2 on tied data: the top-k cut and its tie-breaking bind, min_k too.
    [
        (algo, sim, user_based, 3, 2, True)
        for algo, sim, user_based in itertools.product(
            KNN, ["cosine", "pearson", "msd", "pearson_baseline"], [False, True]
        )
    ]
    + [(algo, "pearson_baseline", False, 40, 1, False) for algo in KNN]
    + [("KNNWithMeans", "msd", True, 40, 1, False), ("SVD", "cosine", False, 40, 1, False)],
)
def test_numpy_scores_equal_surprise_predict(algorithm, sim_name, user_based, k, min_k, tied):
    data = _random_ratings(seed=k + min_k, tied=tied)
    model = RatingsRecommender(
        algorithm=algorithm, sim_name=sim_name, user_based=user_based, k=k, min_k=min_k
    ).fit(data)
    scores = model._score_users(np.arange(data.n_users), data.user_items)
    expected = np.array(
        [[model.model_.predict(u, i).est for i in range(data.n_items)] for u in range(data.n_users)]
    )
    np.testing.assert_allclose(scores, expected, rtol=0, atol=1e-5)


def test_top_k_positive_breaks_ties_like_heapq():
    sims = np.array([[0.5, 0.2, -1.0], [0.9, 0.2, 0.0], [0.5, 0.2, 0.3], [0.5, 0.0, 0.0]])
    keep = top_k_positive(sims, 2)
    # Column 0: 0.9 then the first 0.5; column 1: the first two 0.2; column 2: only 0.3.
    expected = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 0, 0]], dtype=bool)
    np.testing.assert_array_equal(keep, expected)


def test_rating_scale_comes_from_the_data():
    data = Interactions.from_columns(
        [0, 0, 1, 1, 2], [0, 1, 0, 1, 0], np.arange(5), ratings=[2, 10, 2, 10, 10]
    )
    model = RatingsRecommender(algorithm="SVD", random_state=0).fit(data)
    assert model.rating_scale_ == (2.0, 10.0)
    scores = model._score_users(np.arange(3), data.user_items)
    assert scores.min() >= 2.0 and scores.max() <= 10.0


def test_trainset_keeps_explicit_zero_ratings_and_index_order():
    data = Interactions.from_columns([5, 5, 7], [3, 1, 1], [1, 2, 3], ratings=[0.0, 4.0, 2.0])
    trainset, users, items = build_trainset(data.ratings)
    assert trainset.n_ratings == 3 and trainset.rating_scale == (0.0, 4.0)
    assert users.tolist() == [0, 1] and items.tolist() == [0, 1]  # item ids 1, 3
    assert trainset.ur[0] == [(0, 4.0), (1, 0.0)]


# -- similar items, explanations, edge cases --------------------------------------------


def test_similar_items_come_from_the_surprise_similarity_matrix():
    data = planted_interactions()
    model = RatingsRecommender().fit(data)
    found = probe(data, "garden")
    ids, scores = model.similar_items(found.anchor, N=3)
    inner = model.item_inner_[found.anchor]
    expected = model.model_.sim[inner, model.item_inner_[ids]]
    np.testing.assert_allclose(scores, expected, rtol=1e-6)


def test_user_based_has_no_item_similarity_but_explains():
    data = planted_interactions()
    model = RatingsRecommender(user_based=True).fit(data)
    with pytest.raises(UnsupportedFeature):
        model.similar_items(0)
    found = probe(data, "kitchen")
    assert model.explain(found.user, data.user_items, found.partner) == Reason("rated")


def test_svd_explains_with_item_factors():
    data = planted_interactions()
    model = RatingsRecommender(algorithm="SVD", n_factors=4, n_epochs=60, random_state=0)
    model.fit(data)
    found = probe(data, "kitchen")
    assert model.explain(found.user, data.user_items, found.partner) == Reason(
        "rated", found.anchor
    )


def test_without_ratings_nothing_is_scored():
    data = Interactions.from_columns([0, 1], [0, 1], [1, 2])
    model = RatingsRecommender().fit(data)
    ids, scores = model.recommend(np.arange(2), data.user_items, N=2)
    assert (ids == -1).all() and np.isneginf(scores).all()
    assert model.explain(0, data.user_items, 1) is None


def test_unknown_names_are_rejected():
    data = taste_groups()
    with pytest.raises(ValueError, match="algorithm"):
        RatingsRecommender(algorithm="SlopeOne").fit(data)
    with pytest.raises(ValueError, match="sim_name"):
        RatingsRecommender(sim_name="jaccard").fit(data)


def test_shipped_settings_use_the_default_algorithm():
    options = DEFAULTS["RECOMMENDATIONS"]["MODELS"]["ratings"]["OPTIONS"]
    model = RatingsRecommender(**options)
    assert model.algorithm == DEFAULT_ALGORITHM == RatingsRecommender().algorithm
