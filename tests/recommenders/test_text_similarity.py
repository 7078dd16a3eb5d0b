"""Text similarity with the real MiniLM weights and with TF-IDF."""

import numpy as np
import pytest

from oscar_ai_crm.exceptions import BackendUnavailable
from oscar_ai_crm.features.interactions import Interactions
from oscar_ai_crm.recommenders import content
from oscar_ai_crm.recommenders.content import TextSimilarityRecommender

TEXTS = {
    1: "Red cotton t-shirt. Clothing. size: M",
    2: "Blue cotton t-shirt. Clothing. size: L",
    3: "Stainless steel saucepan. Kitchen",
    4: "Cast iron frying pan. Kitchen",
    5: "",
}


def catalogue() -> Interactions:
    return Interactions.from_columns(
        ["ann", "ann", "bob"],
        [1, 3, 2],
        [1, 2, 3],
        all_item_ids=list(TEXTS),
        items_info={pk: {"text": text} for pk, text in TEXTS.items()},
    )


@pytest.mark.parametrize("encoder", ["minilm", "tfidf"])
def test_similar_items_follow_the_text(encoder):
    data = catalogue()
    model = TextSimilarityRecommender(encoder=encoder).fit(data)
    ids, _ = model.similar_items(np.arange(data.n_items), N=1)
    nearest = {data.item_ids[i]: data.item_ids[row[0]] for i, row in enumerate(ids) if row[0] >= 0}

    assert nearest[1] == 2 and nearest[2] == 1
    assert nearest[3] == 4 and nearest[4] == 3
    assert 5 not in nearest  # no text, no similarity


def test_auto_uses_minilm_when_installed_and_recommends_from_history():
    data = catalogue()
    model = TextSimilarityRecommender().fit(data)
    ids, _ = model.recommend(0, data.user_items, N=2)  # ann: red t-shirt and saucepan

    assert model.encoder_ == "minilm"
    assert {data.item_ids[i] for i in ids} == {2, 4}
    reason = model.explain(0, data.user_items, int(np.flatnonzero(data.item_ids == 2)[0]))
    assert data.item_ids[reason.item] == 1


def test_missing_extra_falls_back_to_tfidf_or_names_the_extra(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "sentence_transformers", None)
    content.load_minilm.cache_clear()
    data = catalogue()

    assert TextSimilarityRecommender().fit(data).encoder_ == "tfidf"
    with pytest.raises(BackendUnavailable, match=r"\[local\]"):
        TextSimilarityRecommender(encoder="minilm").fit(data)
    content.load_minilm.cache_clear()
