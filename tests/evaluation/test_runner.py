"""evaluate_models on a log whose every recommendation can be worked out by hand."""

import json

import numpy as np
import pytest
from scipy import sparse

from oscar_ai_crm.evaluation.report import format_json, format_table
from oscar_ai_crm.evaluation.runner import NothingToEvaluate, evaluate_models
from oscar_ai_crm.evaluation.splits import time_split
from oscar_ai_crm.features.interactions import Interactions
from oscar_ai_crm.recommenders.base import Recommender
from oscar_ai_crm.recommenders.popularity import PopularityRecommender

# Train (t < 9), default weights purchase 5, view 1, no decay:
#   A = 3 purchases = 15, B = view + purchase + view = 7, C = 5, D = 1.
# Test (t >= 9): u1 -> B, u2 -> A (u2 bought A at t = 2: a re-purchase), u3 -> D, u4 -> A.
LOG = [
    ("u1", "A", 1, "purchase"),
    ("u2", "A", 2, "purchase"),
    ("u3", "A", 3, "purchase"),
    ("u1", "B", 4, "view"),
    ("u2", "B", 5, "purchase"),
    ("u3", "B", 6, "view"),
    ("u4", "C", 7, "purchase"),
    ("u4", "D", 8, "view"),
    ("u1", "B", 9, "purchase"),
    ("u2", "A", 9, "purchase"),
    ("u3", "D", 10, "purchase"),
    ("u4", "A", 10, "purchase"),
]


def build_split(unavailable=()):
    users, items, times, events = zip(*LOG, strict=True)
    info = {item: {"available": item not in unavailable} for item in "ABCD"}
    data = Interactions.from_columns(users, items, times, events=events, items_info=info)
    # 12 timestamps; the 2/3 quantile ("higher") is the 9th smallest, t = 9.
    split = time_split(data, test_fraction=1 / 3)
    assert split.cutoff == 9 and split.n_test_users == 4 and split.n_repurchases == 1
    return split


class Oracle(Recommender):
    """Scores exactly the given items per user (a users x items CSR); others -inf."""

    name = "oracle"

    def __init__(self, answers=None):
        self.answers = answers

    def _fit(self, interactions):
        pass

    def _score_users(self, user_indices, user_items):
        dense = self.answers[user_indices].toarray().astype(np.float32)
        dense[dense == 0] = -np.inf
        return dense


class OwnPurchases(Oracle):
    """Recommends what the user bought in training; the runner must never filter that."""

    name = "own_purchases"
    recommends_history = True

    def _fit(self, interactions):
        self.answers_ = interactions.purchased

    def _score_users(self, user_indices, user_items):
        return Oracle(self.answers_)._score_users(user_indices, user_items)


class Broken(Recommender):
    name = "broken"

    def __init__(self, where="fit"):
        self.where = where

    def _fit(self, interactions):
        if self.where == "fit":
            raise RuntimeError("no data for me")

    def _score_users(self, user_indices, user_items):
        raise RuntimeError("cannot score")


def models(split, **extra):
    popularity = PopularityRecommender(half_life_days=None)
    return {"popularity": popularity, "oracle": Oracle(split.test), **extra}


def row(table, model, excluded):
    matches = [r for r in table.rows if r.model == model and r.exclude_purchased == excluded]
    assert len(matches) == 1
    return matches[0]


def test_both_policies_with_known_answers():
    split = build_split()
    given = models(split)
    table = evaluate_models(given, split, k=1)
    assert [(r.model, r.exclude_purchased) for r in table.rows] == [
        ("popularity", True),
        ("popularity", False),
        ("oracle", True),
        ("oracle", False),
    ]
    # Popularity, bought kept: everyone gets A; u2 and u4 buy A -> 2 of 4.
    kept = row(table, "popularity", False)
    assert (kept.precision, kept.recall, kept.hit_rate, kept.ndcg) == (0.5, 0.5, 0.5, 0.5)
    # Popularity, bought excluded: u1 (bought A) gets B: hit; u2 (bought A, B) gets C: miss;
    # u3 (bought A) gets B: miss; u4 (bought C) gets A: hit -> 2 of 4 again.
    assert row(table, "popularity", True).hit_rate == 0.5
    # The oracle finds everything unless the test item was bought before (u2's A).
    assert row(table, "oracle", False).ndcg == 1.0
    excluded = row(table, "oracle", True)
    assert excluded.precision == excluded.recall == excluded.map == 0.75
    # Ratios to popularity under the same policy.
    assert row(table, "oracle", False).vs_popularity["ndcg"] == pytest.approx(2.0)
    assert excluded.vs_popularity["ndcg"] == pytest.approx(1.5)
    assert row(table, "popularity", True).vs_popularity["ndcg"] == pytest.approx(1.0)
    # Each model was cloned: the caller's instances stay unfitted.
    assert not hasattr(given["popularity"], "n_items_")
    assert all(r.n_test_users == 4 and r.error is None for r in table.rows)
    assert all(r.fit_seconds is not None and r.peak_memory_mb is not None for r in table.rows)


def test_coverage_and_unavailable_items():
    split = build_split(unavailable={"D"})
    table = evaluate_models(models(split), split, k=1, exclude_purchased=False)
    # u3's test item D may not be recommended: the oracle has nothing for u3.
    assert row(table, "oracle", False).hit_rate == 0.75
    # Popularity recommends A to all: 1 of 4 catalogue items.
    assert row(table, "popularity", False).coverage == 0.25
    assert row(table, "oracle", False).coverage == 0.5  # A and B


def test_history_models_only_run_without_exclusion():
    split = build_split()
    table = evaluate_models(
        {"own": OwnPurchases()}, split, k=2, exclude_purchased=True, baseline="none"
    )
    assert [(r.model, r.exclude_purchased) for r in table.rows] == [("own", False)]
    # Own purchases: u1 {A}, u2 {A, B}, u3 {A}, u4 {C}; only u2's A is in the test set.
    assert table.rows[0].hit_rate == 0.25
    assert table.rows[0].vs_popularity == {}


def test_a_failing_model_is_reported_and_the_others_still_run():
    split = build_split()
    extra = {"broken": Broken("fit"), "mute": Broken("recommend")}
    table = evaluate_models(models(split, **extra), split, k=1, exclude_purchased=True)
    broken, mute = row(table, "broken", True), row(table, "mute", True)
    assert broken.error == "fit failed: RuntimeError: no data for me"
    assert mute.error == "recommend failed: RuntimeError: cannot score"
    assert broken.ndcg is None and broken.vs_popularity == {}
    assert row(table, "oracle", True).ndcg == pytest.approx(0.75)
    assert table.best("ndcg").model == "oracle"
    text = format_table(table)
    assert "broken: fit failed: RuntimeError: no data for me" in text


def test_table_is_json_safe_and_best_respects_costs():
    split = build_split()
    table = evaluate_models(models(split, broken=Broken()), split, k=1)
    document = json.loads(format_json(table))
    assert document["k"] == 1
    assert document["split"]["n_test_users"] == 4
    assert document["split"]["n_repurchases"] == 1
    assert {r["model"] for r in document["rows"]} == {"popularity", "oracle", "broken"}
    assert table.as_dict() == document
    fastest = table.best("fit_seconds")
    assert fastest.fit_seconds == min(r.fit_seconds for r in table.rows if r.fit_seconds)
    assert table.best("ndcg", exclude_purchased=True).model == "oracle"
    with pytest.raises(ValueError, match="Unknown metric"):
        table.best("auc")


def test_text_table_is_aligned():
    split = build_split()
    lines = format_table(evaluate_models(models(split), split, k=1)).splitlines()
    header, rule, *body = lines
    assert header.startswith("model") and set(rule) <= {"-", " "} and len(body) == 4
    for title in ("P@1", "NDCG@1", "coverage", "NDCG vs pop", "peak MB"):
        end = header.index(title) + len(title)
        # Numbers are right-aligned under their header: they end where the header ends.
        assert all(line[end - 1] != " " and line[end : end + 1] in ("", " ") for line in body)
    assert body[0].split()[:2] == ["popularity", "yes"]


def test_nothing_to_evaluate():
    users, items, times = ["u1", "u1"], ["A", "B"], [1, 2]
    data = Interactions.from_columns(users, items, times, events=["view", "view"])
    with pytest.raises(NothingToEvaluate):
        evaluate_models({"popularity": PopularityRecommender()}, time_split(data), k=5)


def test_oracle_sanity():
    # The test helper itself: scores only the given items.
    answers = sparse.csr_matrix(np.array([[0, 1, 0]], dtype=np.float32))
    data = Interactions.from_columns(["u"], ["x"], [1], all_item_ids=["x", "y", "z"])
    ids, _ = Oracle(answers).fit(data).recommend(0, data.user_items, N=2)
    assert list(ids) == [1, -1]
