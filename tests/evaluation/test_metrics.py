"""Ranking metrics against hand computation and against implicit's ranking_metrics_at_k."""

import math

import numpy as np
import pytest
from implicit.evaluation import ranking_metrics_at_k
from scipy import sparse

from oscar_ai_crm.evaluation.metrics import (
    catalogue_coverage,
    hit_rate_at_k,
    hits_at_k,
    map_at_k,
    ndcg_at_k,
    precision_at_k,
    ranking_metrics,
    recall_at_k,
)
from oscar_ai_crm.features.interactions import Interactions
from oscar_ai_crm.recommenders.base import Recommender

# Four users, eight items, top-3 lists (-1 = nothing to recommend).
RECOMMENDED = np.array(
    [
        [0, 1, 2],  # u0, relevant {1, 3}: hit at rank 2
        [2, 0, -1],  # u1, relevant {2}: hit at rank 1
        [4, 5, 6],  # u2, relevant {0}: no hit
        [1, 2, 3],  # u3, relevant {}: left out of every average
    ]
)
RELEVANT = sparse.csr_matrix(
    (np.ones(4), ([0, 0, 1, 2], [1, 3, 2, 0])), shape=(4, 8), dtype=np.float32
)
D2, D3 = 1 / math.log2(3), 1 / math.log2(4)  # rank discounts; rank 1 discounts by 1


def test_each_metric_matches_the_hand_computation():
    # precision@3: u0 1/3, u1 1/3, u2 0 -> (1/3 + 1/3 + 0) / 3
    assert precision_at_k(RECOMMENDED, RELEVANT) == pytest.approx(2 / 9)
    # recall@3: u0 1/2, u1 1/1, u2 0/1
    assert recall_at_k(RECOMMENDED, RELEVANT) == pytest.approx((1 / 2 + 1) / 3)
    # hit rate: u0 and u1 hit
    assert hit_rate_at_k(RECOMMENDED, RELEVANT) == pytest.approx(2 / 3)
    # NDCG@3: u0 DCG = D2, ideal = two hits on top = 1 + D2; u1 DCG = ideal = 1; u2 0
    assert ndcg_at_k(RECOMMENDED, RELEVANT) == pytest.approx((D2 / (1 + D2) + 1) / 3)
    # MAP@3: u0 AP = P@2 * 1 / min(2, 3) = (1/2) / 2; u1 AP = P@1 / 1 = 1; u2 0
    assert map_at_k(RECOMMENDED, RELEVANT) == pytest.approx((1 / 4 + 1) / 3)
    # coverage: items {0, 1, 2, 3, 4, 5, 6} of 8
    assert catalogue_coverage(RECOMMENDED, 8) == pytest.approx(7 / 8)


def test_a_smaller_cutoff_reads_only_the_first_columns():
    # @1: only u1's first item hits.
    metrics = ranking_metrics(RECOMMENDED, RELEVANT, k=1)
    assert metrics["precision"] == pytest.approx(1 / 3)
    assert metrics["recall"] == pytest.approx(1 / 3)
    assert metrics["ndcg"] == pytest.approx(1 / 3)
    assert metrics["map"] == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="k must be"):
        ranking_metrics(RECOMMENDED, RELEVANT, k=4)


def test_ideal_dcg_uses_at_most_k_relevant_items():
    # Five relevant items, all three slots hit: DCG = ideal DCG -> 1; AP = 3/3 -> 1; recall 3/5.
    relevant = sparse.csr_matrix(np.array([[1, 1, 1, 1, 1, 0]], dtype=np.float32))
    metrics = ranking_metrics(np.array([[0, 1, 2]]), relevant)
    assert metrics["ndcg"] == pytest.approx(1.0)
    assert metrics["map"] == pytest.approx(1.0)
    assert metrics["recall"] == pytest.approx(3 / 5)
    # Hits at ranks 2 and 3 only: DCG = D2 + D3 against the ideal 1 + D2 + D3;
    # AP = (1/2 + 2/3) / min(5, 3).
    metrics = ranking_metrics(np.array([[5, 1, 2]]), relevant)
    assert metrics["ndcg"] == pytest.approx((D2 + D3) / (1 + D2 + D3))
    assert metrics["map"] == pytest.approx((1 / 2 + 2 / 3) / 3)


def test_padding_never_counts_as_a_hit():
    # (user 1, item -1) encodes like (user 0, item 2); it must not match u0's relevant item 2.
    relevant = sparse.csr_matrix(np.array([[0, 0, 1], [1, 0, 0]], dtype=np.float32))
    hits = hits_at_k(np.array([[0, 1], [-1, -1]]), relevant)
    assert not hits.any()
    assert catalogue_coverage(np.array([[-1, -1]]), 3) == 0.0


def test_no_relevant_items_gives_nan_and_explicit_zeros_do_not_count():
    empty = sparse.csr_matrix((2, 8), dtype=np.float32)
    assert all(math.isnan(v) for v in ranking_metrics(RECOMMENDED[:2], empty).values())
    zero = sparse.csr_matrix((np.array([0.0]), (np.array([0]), np.array([1]))), shape=(1, 8))
    assert math.isnan(precision_at_k(RECOMMENDED[:1], zero))


class RandomScores(Recommender):
    """Fixed random scores per user and item (seeded): enough to compare metric code."""

    name = "random"

    def __init__(self, random_state: int = 0):
        self.random_state = random_state

    def _fit(self, interactions: Interactions) -> None:
        rng = np.random.default_rng(self.random_state)
        self.scores_ = rng.random((interactions.n_users, interactions.n_items), np.float32)

    def _score_users(self, user_indices, user_items):
        return self.scores_[user_indices].copy()


def random_case(seed: int, min_relevant: int, max_relevant: int, n_users=40, n_items=60):
    """(fitted model, train CSR, test CSR); every user has train and test items."""
    rng = np.random.default_rng(seed)
    train = sparse.lil_matrix((n_users, n_items), dtype=np.float32)
    test = sparse.lil_matrix((n_users, n_items), dtype=np.float32)
    for user in range(n_users):
        items = rng.permutation(n_items)
        n_test = rng.integers(min_relevant, max_relevant + 1)
        train[user, items[:5]] = 1.0
        test[user, items[5 : 5 + n_test]] = 1.0
    train, test = train.tocsr(), test.tocsr()
    coo = train.tocoo()
    data = Interactions.from_columns(
        coo.row, coo.col, np.zeros(coo.nnz), all_item_ids=list(range(n_items))
    )
    return RandomScores(seed).fit(data), train, test


@pytest.mark.parametrize("seed", [1, 2])
def test_agrees_with_implicit_where_the_definitions_agree(seed):
    # implicit calls model.recommend(users, train[users], N=K) for the users with test items;
    # every user has some, so train[users] is train itself and both see the same lists.
    k = 10
    model, train, test = random_case(seed, min_relevant=k, max_relevant=15)
    theirs = ranking_metrics_at_k(model, train, test, K=k, show_progress=False)
    ids, _ = model.recommend(np.arange(train.shape[0]), train, N=k)
    ours = ranking_metrics(ids, test, k)
    # With |relevant| >= k for everyone, implicit's pooled precision
    # (sum of hits / sum of min(k, |relevant|)) is our mean of hits / k.
    assert ours["precision"] == pytest.approx(theirs["precision"])
    assert ours["map"] == pytest.approx(theirs["map"])
    assert ours["ndcg"] == pytest.approx(theirs["ndcg"])
    assert ours["precision"] > 0  # the random lists do hit something


def test_map_and_ndcg_agree_with_implicit_when_few_items_are_relevant():
    k = 10
    model, train, test = random_case(3, min_relevant=1, max_relevant=4)
    theirs = ranking_metrics_at_k(model, train, test, K=k, show_progress=False)
    ids, _ = model.recommend(np.arange(train.shape[0]), train, N=k)
    ours = ranking_metrics(ids, test, k)
    assert ours["map"] == pytest.approx(theirs["map"])
    assert ours["ndcg"] == pytest.approx(theirs["ndcg"])
    # Precision differs here by definition: implicit divides the pooled hits by
    # sum(min(k, |relevant|)), we average hits / k per user.
    hits = hits_at_k(ids, test, k).sum()
    pooled = hits / np.minimum(np.diff(test.indptr), k).sum()
    assert theirs["precision"] == pytest.approx(pooled)
    assert ours["precision"] == pytest.approx(hits / (k * test.shape[0]))
