"""The blend: contract (batch explanations included) and explanations by the winning part."""

from sklearn.base import clone

from oscar_ai_crm.recommenders.als import ALSRecommender
from oscar_ai_crm.recommenders.cooccurrence import BoughtTogetherRecommender
from oscar_ai_crm.recommenders.hybrid import HybridRecommender
from oscar_ai_crm.recommenders.item_knn import ItemKNNRecommender
from oscar_ai_crm.recommenders.popularity import PopularityRecommender

from .contract import RecommenderContract, explain_pairs, planted_interactions, with_new_user
from .test_als import SMALL_DATA_ALS

FIXED = {"popularity": 0.5, "item_knn": 1.0, "als": 1.0, "bought_together": 1.0}


def blend(**options) -> HybridRecommender:
    components = {
        "popularity": PopularityRecommender(),
        "item_knn": ItemKNNRecommender(),
        "als": ALSRecommender(**SMALL_DATA_ALS),
        "bought_together": BoughtTogetherRecommender(),
    }
    return HybridRecommender(components, **options)


class HybridContract(RecommenderContract):
    def test_clone_keeps_params_only(self, fitted):
        """sklearn's clone copies the components too, so compare them by their params."""
        copy = clone(fitted)
        assert repr(copy) == repr(fitted)
        assert not hasattr(copy, "n_items_")
        assert not any(hasattr(c, "n_items_") for c in copy.get_params()["components"].values())


class TestFixedWeights(HybridContract):
    def make_model(self):
        return blend(weights=FIXED)


class TestTunedWeights(HybridContract):
    def make_model(self):
        return blend(random_state=0)


def test_batch_explanations_come_from_several_components():
    data = planted_interactions(new_items=True)
    model = blend(weights=FIXED).fit(data)
    users, items = explain_pairs(data)
    kinds, _ = model.explain_batch(users, with_new_user(data.user_items, []), items)
    assert {"popular", "similar", "bought_together"} <= set(kinds.tolist())
