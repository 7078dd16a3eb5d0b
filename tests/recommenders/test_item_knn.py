"""Item-KNN: contract, planted pattern, and similarity values checked against sklearn/numpy."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.metrics.pairwise import cosine_similarity

from oscar_ai_crm.features.interactions import Interactions
from oscar_ai_crm.recommenders.base import Reason
from oscar_ai_crm.recommenders.item_knn import ItemKNNRecommender, keep_top_k

from .contract import PlantedPatternContract, RecommenderContract, planted_interactions


class TestCosine(RecommenderContract, PlantedPatternContract):
    def make_model(self):
        return ItemKNNRecommender(K=20)


class TestPearson(RecommenderContract, PlantedPatternContract):
    def make_model(self):
        return ItemKNNRecommender(K=20, similarity="pearson")


@pytest.mark.parametrize("similarity", ["bm25", "tfidf"])
def test_other_implicit_similarities_find_the_partner(similarity):
    data = planted_interactions()
    model = ItemKNNRecommender(K=20, similarity=similarity).fit(data)
    PlantedPatternContract().test_probe_gets_partner_first(model, data)


def _dense_without_diagonal(similarity: np.ndarray) -> np.ndarray:
    result = similarity.copy()
    np.fill_diagonal(result, 0.0)
    return result


def test_cosine_matches_sklearn():
    data = planted_interactions()
    model = ItemKNNRecommender(K=100).fit(data)
    expected = _dense_without_diagonal(cosine_similarity(data.user_items.T.toarray()))
    np.testing.assert_allclose(model.similarity_.toarray(), expected, atol=1e-5)


def test_pearson_matches_numpy_corrcoef_where_positive():
    data = planted_interactions()
    model = ItemKNNRecommender(K=100, similarity="pearson").fit(data)
    correlation = np.corrcoef(data.user_items.toarray(), rowvar=False)
    expected = _dense_without_diagonal(np.where(correlation > 0, correlation, 0.0))
    np.testing.assert_allclose(model.similarity_.toarray(), expected, atol=1e-5)


def test_each_item_keeps_its_k_nearest_neighbours():
    data = planted_interactions()
    full = ItemKNNRecommender(K=100).fit(data).similarity_.toarray()
    pruned = ItemKNNRecommender(K=2).fit(data).similarity_
    assert (np.diff(pruned.indptr) <= 2).all() and not pruned.diagonal().any()
    for item in range(data.n_items):
        kept = pruned[item].indices
        assert set(kept) == set(np.argsort(-full[item], kind="stable")[: len(kept)])


def test_keep_top_k_drops_diagonal_and_keeps_largest():
    matrix = sparse.csr_matrix(np.array([[9.0, 1.0, 3.0, 2.0], [1.0, 9.0, 0.0, 0.0]]))
    pruned = keep_top_k(matrix, 2).toarray()
    np.testing.assert_array_equal(pruned, [[0, 0, 3, 2], [1, 0, 0, 0]])


def test_items_without_shared_users_are_not_recommended():
    # a and b share a customer; c is bought alone by someone else.
    data = Interactions.from_columns(["u1", "u1", "u2", "u3"], ["a", "b", "c", "a"], [1] * 4)
    model = ItemKNNRecommender().fit(data)
    ids, scores = model.recommend(2, data.user_items, N=3)  # u3 has a
    assert ids.tolist() == [1, -1, -1] and np.isneginf(scores[1:]).all()


def test_explain_picks_the_strongest_history_item():
    # b's buyers: u1, u3, u4. u9 has a and c; cos(a, b) = 1/3 < cos(c, b) = 2/3.
    users = ["u1", "u1", "u2", "u3", "u3", "u4", "u4", "u9", "u9"]
    items = ["a", "b", "a", "b", "c", "b", "c", "a", "c"]
    data = Interactions.from_columns(users, items, [1] * len(users))
    model = ItemKNNRecommender().fit(data)
    assert model.explain(4, data.user_items, 1) == Reason("similar", 2)
    assert model.explain(1, data.user_items, 1) == Reason("similar", 0)  # u2 has only a


def test_unknown_similarity_is_rejected():
    with pytest.raises(ValueError, match="similarity"):
        ItemKNNRecommender(similarity="jaccard").fit(planted_interactions())
