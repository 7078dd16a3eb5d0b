"""Clustering: planted groups recovered, k chosen by silhouette, determinism, degenerate input."""

import json

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from oscar_ai_crm.features.customer_table import FEATURES, CustomerTable
from oscar_ai_crm.segments.clustering import (
    CLUSTER_FEATURES,
    cluster_customers,
    default_features,
    feature_matrix,
    log_transform,
    scale_features,
)

from . import planted_table

SIZES = {"champions": 60, "bargain": 140, "browsers": 100, "lapsed": 80}


@pytest.fixture(scope="module")
def planted():
    return planted_table(SIZES, seed=3)


@pytest.fixture(scope="module")
def clustering(planted):
    return cluster_customers(planted[0])


def test_recovers_the_planted_groups_and_their_number(planted, clustering):
    table, truth = planted
    assert clustering.k == 4
    assert adjusted_rand_score(truth, clustering.labels) >= 0.9
    assert clustering.algorithm == "kmeans" and clustering.reason == ""
    assert sorted(clustering.silhouette_by_k) == list(range(2, 9))
    assert clustering.silhouette == max(clustering.silhouette_by_k.values())
    assert clustering.silhouette_by_k[4] > clustering.silhouette_by_k[3]


def test_segments_numbered_by_size_with_centers_in_table_units(planted, clustering):
    table, truth = planted
    assert clustering.sizes == [140, 100, 80, 60]  # 0 = the largest segment
    raw = feature_matrix(table, clustering.features)
    for label in range(clustering.k):
        np.testing.assert_allclose(
            clustering.centers[label], raw[clustering.labels == label].mean(axis=0)
        )
    champions = clustering.labels == 3  # the smallest planted group
    assert (truth[champions] == 0).all()
    frequency = clustering.features.index("frequency")
    assert 10 < clustering.centers[3, frequency] < 14  # planted around 12 orders


def test_default_features_leave_out_rfm_scores_and_add_category_shares(planted, clustering):
    table, _ = planted
    assert clustering.features == list(CLUSTER_FEATURES) + [
        "category:Books",
        "category:Clothing",
        "category:Electronics",
        "category:Sports",
    ]
    assert default_features(table) == clustering.features
    assert not {"r_score", "f_score", "m_score"} & set(clustering.features)


def test_same_input_same_segments(planted, clustering):
    again = cluster_customers(planted[0])
    np.testing.assert_array_equal(again.labels, clustering.labels)
    assert again.silhouette_by_k == clustering.silhouette_by_k


def test_minibatch_above_the_threshold_and_sampled_silhouette(planted):
    table, truth = planted
    result = cluster_customers(table, minibatch_above=100, silhouette_sample=200)
    assert result.algorithm == "minibatch" and result.k == 4
    assert adjusted_rand_score(truth, result.labels) >= 0.9
    again = cluster_customers(table, minibatch_above=100, silhouette_sample=200)
    np.testing.assert_array_equal(again.labels, result.labels)


def test_chosen_features_and_range(planted):
    table, truth = planted
    result = cluster_customers(table, k_min=2, k_max=3, features=["frequency", "discount_share"])
    assert result.features == ["frequency", "discount_share"]
    assert sorted(result.silhouette_by_k) == [2, 3] and result.k in (2, 3)
    assert result.centers.shape == (result.k, 2)


def test_as_dict_is_json(clustering):
    data = json.loads(json.dumps(clustering.as_dict()))
    assert data["k"] == 4 and data["sizes"] == [140, 100, 80, 60]
    assert set(data["silhouette_by_k"]) == {str(k) for k in range(2, 9)}
    assert set(data["centers"][0]) == set(clustering.features)


def _table(values: np.ndarray) -> CustomerTable:
    return CustomerTable(customer_ids=np.arange(len(values), dtype=np.int64), values=values)


@pytest.mark.parametrize(
    ("rows", "k", "reason"),
    [
        (0, 0, "only 0 customers"),
        (2, 1, "only 2 customers; need at least 3"),
    ],
)
def test_too_few_customers_give_one_segment(rows, k, reason):
    result = cluster_customers(_table(np.ones((rows, len(FEATURES)))))
    assert result.k == k and result.labels.tolist() == [0] * rows
    assert result.algorithm == "none" and result.silhouette is None
    assert reason in result.reason


def test_identical_customers_give_one_segment():
    result = cluster_customers(_table(np.full((50, len(FEATURES)), 3.0)))
    assert result.k == 1 and (result.labels == 0).all()
    assert result.reason == "only 1 distinct feature rows; need at least 2."
    np.testing.assert_allclose(result.centers, 3.0)


def test_k_capped_by_distinct_rows():
    values = np.zeros((30, len(FEATURES)))
    values[10:20, FEATURES.index("frequency")] = 5.0
    values[20:, FEATURES.index("frequency")] = 50.0
    result = cluster_customers(_table(values))
    assert sorted(result.silhouette_by_k) == [2, 3] and result.k == 3
    assert adjusted_rand_score(np.repeat([0, 1, 2], 10), result.labels) == 1.0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"k_min": 1}, "Need 2 <= k_min <= k_max"),
        ({"k_min": 5, "k_max": 4}, "Need 2 <= k_min <= k_max"),
        ({"features": ["frequency", "shoe_size"]}, "Unknown feature 'shoe_size'; choose from"),
        ({"features": ["category:Toys"]}, "Unknown feature 'category:Toys'"),
        ({"features": []}, "No features to cluster on."),
    ],
)
def test_bad_arguments_are_named(planted, options, message):
    with pytest.raises(ValueError, match=message):
        cluster_customers(planted[0], **options)


def test_missing_values_are_refused():
    values = np.ones((10, len(FEATURES)))
    values[3, FEATURES.index("monetary")] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite values: \['monetary'\]"):
        cluster_customers(_table(values))


def test_log_transform_and_scaling_by_hand():
    names = ["frequency", "browse_to_buy", "category:A", "category:B"]
    raw = np.array([[0.0, 0.5, 1.0, 0.0], [np.e - 1, 0.5, 0.0, 1.0], [np.e**2 - 1, 2.0, 1.0, 0.0]])
    np.testing.assert_allclose(log_transform(raw, names)[:, 0], [0.0, 1.0, 2.0])
    np.testing.assert_allclose(log_transform(raw, names)[:, 1:], raw[:, 1:])  # ratio, shares
    points = scale_features(raw, names)
    np.testing.assert_allclose(points[:, 0], [-np.sqrt(1.5), 0.0, np.sqrt(1.5)])
    # Shares: centred, divided by sqrt(mean variance) = sqrt(2/9): one scale for the block.
    np.testing.assert_allclose(points[:, 2], np.array([1, -2, 1]) / 3 / np.sqrt(2 / 9))
    np.testing.assert_allclose(points[:, 3], -points[:, 2])
