"""ALS and BPR: contract, planted pattern, fold-in of new customers, explanations."""

import warnings

import implicit.utils
import numpy as np
import pytest
from scipy import sparse

from oscar_ai_crm.features.interactions import Interactions
from oscar_ai_crm.recommenders.als import ALSRecommender, BPRRecommender
from oscar_ai_crm.recommenders.base import Reason

from .contract import (
    PlantedPatternContract,
    RecommenderContract,
    planted_interactions,
    probe,
    with_new_user,
)

# On 100 customers x 12 items, the default regularization (tuned for shop-sized data)
# lets 8 factors fit noise; 5.0 (2.0 on log-scaled weights) recovers the pattern for every
# data / model seed in 0..9.
SMALL_DATA_ALS = {"factors": 8, "regularization": 5.0, "random_state": 0, "num_threads": 1}


class TestALS(RecommenderContract, PlantedPatternContract):
    def make_model(self):
        return ALSRecommender(**SMALL_DATA_ALS)


class TestALSLogScaling(RecommenderContract, PlantedPatternContract):
    def make_model(self):
        return ALSRecommender(**{**SMALL_DATA_ALS, "regularization": 2.0}, alpha=5.0, scaling="log")


class TestBPR(RecommenderContract, PlantedPatternContract):
    def make_model(self):
        return BPRRecommender(factors=8, learning_rate=0.05, random_state=0, num_threads=1)


@pytest.fixture(scope="module")
def als():
    return ALSRecommender(**SMALL_DATA_ALS).fit(planted_interactions())


def test_new_customer_gets_the_factors_of_an_identical_customer(als):
    data = planted_interactions()
    twin = data.user_ids.tolist().index("kitchen-3")
    user_items = sparse.csr_matrix(sparse.vstack([data.user_items, data.user_items[twin]]))
    ids, scores = als.recommend([twin, data.n_users], user_items, N=4)
    assert ids[0].tolist() == ids[1].tolist()
    # Fold-in solves exactly; fit's last sweep used 3 conjugate-gradient steps.
    np.testing.assert_allclose(scores[0], scores[1], atol=0.01)


def test_new_customer_without_history_gets_nothing(als):
    data = planted_interactions()
    user_items = with_new_user(data.user_items, [])
    ids, _ = als.recommend(data.n_users, user_items, N=3)
    assert (ids == -1).all()


def test_explain_picks_the_history_item_of_the_same_taste(als):
    data = planted_interactions()
    garden, kitchen = probe(data, "garden"), probe(data, "kitchen")
    user_items = with_new_user(data.user_items, [garden.anchor, kitchen.group_items[3]])
    reason = als.explain(data.n_users, user_items, garden.partner)
    assert reason == Reason("similar", garden.anchor)


@pytest.mark.parametrize(
    "model",
    [ALSRecommender(**SMALL_DATA_ALS), BPRRecommender(factors=8, random_state=0, num_threads=1)],
)
def test_items_without_interactions_are_never_returned(model):
    data = planted_interactions()
    users, items = data.user_ids[data.user_index], data.item_ids[data.item_index]
    catalogue = [*data.item_ids, "new-1", "new-2"]
    data = Interactions.from_columns(users, items, data.timestamp, all_item_ids=catalogue)
    model.fit(data)
    ids, _ = model.recommend(np.arange(data.n_users), data.user_items, N=data.n_items)
    assert not np.isin(ids, [12, 13]).any()
    similar, _ = model.similar_items([0, 12], N=data.n_items)
    assert not np.isin(similar[0], [12, 13]).any() and (similar[1] == -1).all()


def test_fit_pins_blas_threads_so_implicit_does_not_warn(monkeypatch):
    monkeypatch.setattr(implicit.utils, "_checked_blas_config", False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        ALSRecommender(factors=4, iterations=2, num_threads=1).fit(planted_interactions())


def test_unknown_scaling_is_rejected():
    with pytest.raises(ValueError, match="scaling"):
        ALSRecommender(scaling="sqrt").fit(planted_interactions())
