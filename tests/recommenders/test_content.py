"""Text similarity: real MiniLM and TF-IDF neighbours, history profiles, the [local] guard."""

import sys

import numpy as np
import pytest
from scipy import sparse

from oscar_ai_crm.exceptions import BackendUnavailable
from oscar_ai_crm.features.interactions import Interactions
from oscar_ai_crm.recommenders import content
from oscar_ai_crm.recommenders.base import Reason
from oscar_ai_crm.recommenders.content import TextSimilarityRecommender

from .contract import GROUPS, PlantedPatternContract, RecommenderContract, probe

PRODUCTS = {
    "tee-red": "Red cotton t-shirt. Clothing > T-shirts. size: M. Soft crew-neck tee.",
    "tee-blue": "Blue cotton t-shirt. Clothing > T-shirts. size: L. Soft crew-neck tee.",
    "jeans": "Slim denim jeans. Clothing > Trousers. size: 32. Stretch denim.",
    "saucepan": "Stainless steel saucepan. Kitchen > Cookware. 2 litre pan with a glass lid.",
    "frying-pan": "Cast iron frying pan. Kitchen > Cookware. 28 cm skillet pan.",
    "kettle": "Electric kettle. Kitchen > Appliances. 1.7 litre, stainless steel.",
    "novel": "Paperback crime novel. Books > Fiction. A detective story.",
    "cookbook": "Italian cookbook. Books > Cooking. Recipes for pasta and pizza.",
    "tent": "Two-person camping tent. Outdoor > Camping. Waterproof dome tent.",
    "sleeping-bag": "Down sleeping bag. Outdoor > Camping. Warm for camping in winter.",
    "no-text": "",
}


def catalogue() -> Interactions:
    """Products above; ann bought the red t-shirt (weight 5) and viewed the kettle (1)."""
    return Interactions.from_columns(
        ["ann", "ann", "bob"],
        ["tee-red", "kettle", "tent"],
        [1, 2, 3],
        events=["purchase", "view", "purchase"],
        all_item_ids=list(PRODUCTS),
        items_info={item: {"text": text} for item, text in PRODUCTS.items()},
    )


def index(data: Interactions, item: str) -> int:
    return int(np.flatnonzero(data.item_ids == item)[0])


@pytest.fixture(scope="module", params=["minilm", "tfidf"])
def fitted(request) -> TextSimilarityRecommender:
    return TextSimilarityRecommender(encoder=request.param).fit(catalogue())


def test_nearest_neighbours_follow_the_text(fitted):
    data = catalogue()
    names = data.item_ids
    ids, _ = fitted.similar_items(np.arange(data.n_items), N=1)
    nearest = {names[item]: names[row[0]] for item, row in enumerate(ids) if row[0] >= 0}
    assert nearest["tee-red"] == "tee-blue" and nearest["tee-blue"] == "tee-red"
    assert nearest["tent"] == "sleeping-bag" and nearest["sleeping-bag"] == "tent"
    similarity = fitted._score_similar(np.array([index(data, "tee-red")]))[0]
    assert similarity[index(data, "tee-blue")] > similarity[index(data, "saucepan")]
    assert similarity[index(data, "saucepan")] < 0.5


def test_items_without_text_get_no_similarity(fitted):
    data = catalogue()
    blank = index(data, "no-text")
    assert not fitted.has_text_[blank]
    ids, scores = fitted.similar_items(blank, N=3)
    assert (ids == -1).all() and np.isneginf(scores).all()
    ids, _ = fitted.similar_items(np.arange(data.n_items), N=data.n_items)
    assert not (ids == blank).any()


def test_embeddings_are_unit_rows(fitted):
    embeddings = fitted.embeddings_
    if sparse.issparse(embeddings):
        assert fitted.encoder_ == "tfidf"
        embeddings = embeddings.toarray()
    else:
        assert fitted.encoder_ == "minilm" and embeddings.shape[1] == 384
    assert embeddings.dtype == np.float32
    norms = np.linalg.norm(embeddings, axis=1)
    np.testing.assert_allclose(norms[fitted.has_text_], 1.0, atol=1e-5)
    assert (norms[~fitted.has_text_] == 0).all()


def test_user_scores_are_cosine_to_the_weighted_mean_of_the_history(fitted):
    data = catalogue()
    ann = int(np.flatnonzero(data.user_ids == "ann")[0])
    embeddings = fitted.embeddings_
    dense = embeddings.toarray() if sparse.issparse(embeddings) else embeddings
    weights = data.user_items[ann].toarray()[0]
    profile = weights @ dense / weights.sum()
    expected = dense @ profile / np.linalg.norm(profile)
    scores = fitted._score_users(np.array([ann]), data.user_items)[0]
    similar = fitted.has_text_ & (expected > 1e-6)
    np.testing.assert_allclose(scores[similar], expected[similar], atol=1e-5)
    assert np.isneginf(scores[~fitted.has_text_ | (expected < -1e-6)]).all()
    # The heavier t-shirt purchase outweighs the kettle view.
    ids, _ = fitted.recommend(ann, data.user_items, N=1)
    assert data.item_ids[ids[0]] == "tee-blue"
    assert fitted.explain(ann, data.user_items, ids[0]) == Reason("similar", index(data, "tee-red"))


def test_min_history_weight_drops_light_history():
    data = catalogue()
    model = TextSimilarityRecommender(encoder="tfidf", min_history_weight=2.0).fit(data)
    ann = int(np.flatnonzero(data.user_ids == "ann")[0])
    ids, _ = model.recommend(ann, data.user_items, N=2)
    assert data.item_ids[ids[0]] == "tee-blue"  # only the t-shirt counts, not the kettle view
    light = sparse.csr_matrix(([1.0], ([0], [index(data, "kettle")])), shape=(1, data.n_items))
    ids, scores = model.recommend(0, light, N=2)
    assert (ids == -1).all() and np.isneginf(scores).all()
    assert model.explain(0, light, index(data, "saucepan")) is None


def test_auto_picks_minilm_when_installed():
    assert TextSimilarityRecommender().fit(catalogue()).encoder_ == "minilm"


def test_without_the_local_extra_auto_uses_tfidf_and_minilm_names_the_extra(monkeypatch):
    # Simulates sentence-transformers not installed (the [local] extra absent).
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    content.load_minilm.cache_clear()
    try:
        data = catalogue()
        assert TextSimilarityRecommender().fit(data).encoder_ == "tfidf"
        with pytest.raises(BackendUnavailable, match=r"django-oscar-ai-crm\[local\]"):
            TextSimilarityRecommender(encoder="minilm").fit(data)
    finally:
        content.load_minilm.cache_clear()


def test_no_text_at_all_scores_nothing():
    data = Interactions.from_columns(["ann"], ["a"], [1], all_item_ids=["a", "b"])
    model = TextSimilarityRecommender(encoder="tfidf").fit(data)
    ids, _ = model.recommend(0, data.user_items, N=2, filter_already_liked_items=False)
    assert (ids == -1).all()
    ids, _ = model.similar_items(0, N=1)
    assert (ids == -1).all()


def test_unknown_encoder_is_rejected():
    with pytest.raises(ValueError, match="encoder"):
        TextSimilarityRecommender(encoder="word2vec").fit(catalogue())


class TextContract(RecommenderContract, PlantedPatternContract):
    def test_probe_gets_partner_first(self, fitted, data):
        """The partner comes first; text alone cannot keep the rest in the taste group."""
        for group in GROUPS:
            found = probe(data, group)
            ids, _ = fitted.recommend(found.user, data.user_items, N=3)
            assert ids[0] == found.partner


class TestTfidfContract(TextContract):
    def make_model(self):
        return TextSimilarityRecommender(encoder="tfidf")


class TestMiniLMContract(TextContract):
    def make_model(self):
        return TextSimilarityRecommender(encoder="minilm")
