"""Cross-validated RMSE / MAE with Surprise, on generated ratings and on MovieLens-100k."""

from pathlib import Path

import numpy as np
import pytest

from oscar_ai_crm.recommenders.explicit_evaluation import RatingsDataset, cross_validate_ratings
from oscar_ai_crm.recommenders.ratings import DEFAULT_ALGORITHM

ML_100K = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "ml-100k"


def generated_ratings(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """1-5 stars from two latent tastes plus noise: 120 users x 30 items, half observed."""
    rng = np.random.default_rng(seed)
    user_taste = rng.normal(size=(120, 2))
    item_taste = rng.normal(size=(30, 2))
    users, items = np.nonzero(rng.random((120, 30)) < 0.5)
    affinity = np.einsum("nd,nd->n", user_taste[users], item_taste[items])
    stars = np.clip(np.rint(3 + affinity + rng.normal(scale=0.3, size=len(users))), 1, 5)
    return users, items, stars


@pytest.mark.parametrize("algorithm", ["KNNBasic", "KNNWithMeans", "KNNBaseline", "SVD"])
def test_cross_validation_beats_the_global_mean(algorithm):
    users, items, stars = generated_ratings()
    result = cross_validate_ratings(
        users, items, stars, algorithm, folds=3, random_state=0, n_factors=2, n_epochs=100
    )
    assert result["algorithm"] == algorithm and result["folds"] == 3
    assert result["n_ratings"] == len(stars)
    assert len(result["rmse"]) == len(result["mae"]) == len(result["fit_time"]) == 3
    assert result["rmse_mean"] == pytest.approx(np.mean(result["rmse"]))
    assert result["mae_std"] == pytest.approx(np.std(result["mae"]))
    assert all(rmse >= mae > 0 for rmse, mae in zip(result["rmse"], result["mae"], strict=True))
    assert result["fit_time_mean"] >= 0 and result["test_time_mean"] >= 0
    # Predicting the mean rating everywhere has RMSE = the ratings' standard deviation.
    assert result["rmse_mean"] < 0.8 * stars.std()


def test_same_seed_same_folds_and_figures():
    users, items, stars = generated_ratings(seed=1)
    first = cross_validate_ratings(users, items, stars, "SVD", folds=3, random_state=7)
    again = cross_validate_ratings(users, items, stars, "SVD", folds=3, random_state=7)
    assert first["rmse"] == again["rmse"] and first["mae"] == again["mae"]


def test_options_reach_the_algorithm():
    users, items, stars = generated_ratings(seed=2)
    few = cross_validate_ratings(users, items, stars, "KNNWithMeans", folds=3, random_state=0, k=1)
    many = cross_validate_ratings(users, items, stars, "KNNWithMeans", folds=3, random_state=0)
    assert few["options"] == {"k": 1} and few["rmse"] != many["rmse"]


def test_dataset_takes_any_raw_ids_and_the_data_scale():
    data = RatingsDataset(["ann", "bob"], [10, 11], np.array([2.0, 9.0]))
    assert data.reader.rating_scale == (2.0, 9.0)
    trainset = data.build_full_trainset()
    assert trainset.n_users == 2 and trainset.knows_item(trainset.to_inner_iid(11))


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="same length"):
        RatingsDataset([1, 2], [1], [3.0, 4.0])
    with pytest.raises(ValueError, match="No ratings"):
        RatingsDataset([], [], [])
    with pytest.raises(ValueError, match="algorithm"):
        cross_validate_ratings([1, 2], [1, 2], [3.0, 4.0], "SlopeOne", folds=2)


@pytest.mark.slow
def test_default_reaches_rmse_0_93_on_movielens_100k():
    path = ML_100K / "u.data"
    if not path.exists():
        pytest.skip(f"MovieLens-100k not found at {path}")
    data = np.loadtxt(path, dtype=np.int64)  # user, item, rating, timestamp (tab-separated)
    result = cross_validate_ratings(
        data[:, 0], data[:, 1], data[:, 2], folds=5, random_state=0, n_jobs=-1
    )
    assert result["algorithm"] == DEFAULT_ALGORITHM and result["n_ratings"] == 100_000
    assert result["rmse_mean"] <= 0.93
    assert result["mae_mean"] <= 0.74
