"""Rating-prediction accuracy (RMSE, MAE) by Surprise's k-fold cross-validation.

The algorithms and options are those of :class:`~.ratings.RatingsRecommender`, built by
the same :class:`~.ratings.AlgorithmSpec`; this is what the MovieLens-100k benchmark runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from surprise import Reader
from surprise.dataset import DatasetAutoFolds
from surprise.model_selection import KFold, cross_validate

from .ratings import DEFAULT_ALGORITHM, AlgorithmSpec


class RatingsDataset(DatasetAutoFolds):  # type: ignore[misc]
    """A Surprise dataset built from parallel columns (no file, no pandas).

    Parameters
    ----------
    users, items : raw user and item ids, one per rating.
    ratings : the ratings.
    rating_scale : (lowest, highest); the data's min and max when None.
    """

    def __init__(
        self,
        users: Sequence[Any] | np.ndarray,
        items: Sequence[Any] | np.ndarray,
        ratings: Sequence[float] | np.ndarray,
        rating_scale: tuple[float, float] | None = None,
    ) -> None:
        values = np.asarray(ratings, dtype=np.float64)
        if not len(values):
            raise ValueError("No ratings to cross-validate.")
        if not len(users) == len(items) == len(values):
            raise ValueError("users, items and ratings must have the same length.")
        if rating_scale is None:
            rating_scale = (float(values.min()), float(values.max()))
        # DatasetAutoFolds.__init__ insists on a file or a DataFrame; set its state here.
        self.reader = Reader(rating_scale=rating_scale)
        self.has_been_split = False
        self.raw_ratings = [
            (u, i, r, None)
            for u, i, r in zip(_plain(users), _plain(items), values.tolist(), strict=True)
        ]


def cross_validate_ratings(
    users: Sequence[Any] | np.ndarray,
    items: Sequence[Any] | np.ndarray,
    ratings: Sequence[float] | np.ndarray,
    algorithm: str = DEFAULT_ALGORITHM,
    *,
    folds: int = 5,
    random_state: int | None = None,
    n_jobs: int = 1,
    **options: Any,
) -> dict[str, Any]:
    """K-fold RMSE and MAE of a Surprise algorithm on explicit ratings.

    Parameters
    ----------
    users, items, ratings : parallel columns, one rating each.
    algorithm : as in :class:`~.ratings.RatingsRecommender`.
    folds : number of folds (Surprise's ``KFold``, shuffled).
    random_state : seeds the fold split and SVD's initialisation.
    n_jobs : folds evaluated in parallel (joblib).
    **options : further :class:`~.ratings.AlgorithmSpec` fields (``k``, ``sim_name``...).

    Returns
    -------
    dict with ``algorithm``, ``options``, ``folds``, ``n_ratings``; ``rmse`` / ``mae`` /
    ``fit_time`` / ``test_time`` (lists, one value per fold, times in seconds) and
    ``<name>_mean`` / ``<name>_std`` for each of them.
    """
    spec = AlgorithmSpec(algorithm=algorithm, random_state=random_state, **options)
    data = RatingsDataset(users, items, ratings)
    result = cross_validate(
        spec.build(),
        data,
        measures=["rmse", "mae"],
        cv=KFold(n_splits=folds, random_state=random_state, shuffle=True),
        n_jobs=n_jobs,
    )
    summary: dict[str, Any] = {
        "algorithm": algorithm,
        "options": options,
        "folds": folds,
        "n_ratings": len(data.raw_ratings),
    }
    for name, key in [
        ("rmse", "test_rmse"),
        ("mae", "test_mae"),
        ("fit_time", "fit_time"),
        ("test_time", "test_time"),
    ]:
        values = np.asarray(result[key], dtype=np.float64)
        summary[name] = values.tolist()
        summary[f"{name}_mean"] = float(values.mean())
        summary[f"{name}_std"] = float(values.std())
    return summary


def _plain(values: Sequence[Any] | np.ndarray) -> list[Any]:
    """Python scalars (numpy scalars hash alike but print and compare oddly in Surprise)."""
    return np.asarray(values).tolist() if isinstance(values, np.ndarray) else list(values)
