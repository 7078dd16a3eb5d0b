"""Purchase intent and churn risk (scikit-learn), next order date and a simple CLV.

Both scores come from one recipe, :func:`train_and_score`: features at a past cut-off,
labels from what happened after it (:func:`ordered_between`), evaluated on a held-out
part, refitted on all of it and applied to today's features. Intent labels "ordered in
the ``horizon_days`` after the cut-off"; churn labels "had ordered before the cut-off
and did *not* order in the ``churn_days`` after it" (train and score only customers
with an order). Plain numpy and scikit-learn; no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from ..features.customer_table import FEATURES, CustomerLog, CustomerTable
from .clustering import log_transform

DAY = 86_400.0
TEST_SIZE = 0.3
MIN_ROWS = 20  # fewer eligible past customers: no model
MIN_CLASS = 5  # fewer customers in either class: no model (AUC would be noise)
CALIBRATION_BINS = 10
CLV_MIN_OBSERVED_DAYS = 90.0  # order rates are measured over at least this many days


@dataclass
class ScoreModel:
    """A trained intent or churn model: held-out quality and today's scores.

    Attributes
    ----------
    scores : float64 (len(now),) probability per ``now`` row, NaN for rows not eligible;
        ``None`` when no model could be trained (see ``reason``).
    auc : ROC AUC on the held-out 30 % (0.5 = no better than a constant guess).
    brier : mean squared error of the held-out probabilities (lower is better);
        ``baseline_brier`` is what always predicting the training rate scores.
    calibration : 10 equal-width bins of held-out probability: lower, upper, n,
        mean_predicted and observed (positive rate), the last two ``None`` when empty.
    n_train, n_test : held-out split sizes; positive_rate over all eligible past rows.
    coefficients : standardised logistic-regression weight per feature (sign = direction).
    reason : why there are no scores (empty when trained).
    """

    scores: np.ndarray | None
    auc: float | None = None
    brier: float | None = None
    baseline_brier: float | None = None
    calibration: list[dict[str, Any]] = field(default_factory=list)
    n_train: int = 0
    n_test: int = 0
    positive_rate: float | None = None
    coefficients: dict[str, float] = field(default_factory=dict)
    reason: str = ""
    baseline_auc: float = 0.5
    model: str = "logistic_regression"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures for a run record (no per-customer scores)."""
        return {
            "model": self.model,
            "auc": self.auc,
            "baseline_auc": self.baseline_auc,
            "brier": self.brier,
            "baseline_brier": self.baseline_brier,
            "calibration": self.calibration,
            "n_train": self.n_train,
            "n_test": self.n_test,
            "positive_rate": self.positive_rate,
            "coefficients": self.coefficients,
            "reason": self.reason,
            "scored": None if self.scores is None else int(np.isfinite(self.scores).sum()),
        }


def ordered_between(
    log: CustomerLog, customers: np.ndarray, start: float, end: float
) -> np.ndarray:
    """bool (len(customers),): whether each customer has an "order" event in [start, end)."""
    hit = (log.event_kind == "order") & (log.event_time >= start) & (log.event_time < end)
    return np.isin(np.asarray(customers), log.event_customer[hit])


def train_and_score(
    past: CustomerTable,
    labels: np.ndarray,
    now: CustomerTable,
    *,
    eligible_past: np.ndarray | None = None,
    eligible_now: np.ndarray | None = None,
    random_state: int = 42,
) -> ScoreModel:
    """Fit ``labels`` from ``past`` features, report held-out quality, score ``now``.

    Parameters
    ----------
    past : features as of a cut-off.
    labels : bool (len(past),) what happened after the cut-off (e.g. :func:`ordered_between`).
    now : today's features, to score.
    eligible_past, eligible_now : bool masks of the rows to train on / to score (churn:
        customers with at least one order); default every row.
    random_state : seeds the stratified 70/30 split and the model.

    Returns
    -------
    ScoreModel; ``scores`` is ``None`` with a ``reason`` when the past has fewer than
    :data:`MIN_ROWS` eligible rows or fewer than :data:`MIN_CLASS` of either outcome.
    """
    labels = np.asarray(labels, dtype=bool)
    if labels.shape != (len(past),):
        raise ValueError(f"labels has shape {labels.shape}; expected ({len(past)},).")
    keep_past = _mask(eligible_past, len(past), "eligible_past")
    keep_now = _mask(eligible_now, len(now), "eligible_now")
    x, y = past.values[keep_past], labels[keep_past]
    reason = _degenerate(y)
    if reason:
        rate = float(y.mean()) if len(y) else None
        return ScoreModel(scores=None, positive_rate=rate, reason=reason)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=TEST_SIZE, stratify=y, random_state=random_state
    )
    held_out = make_model(random_state).fit(x_train, y_train).predict_proba(x_test)[:, 1]
    final = make_model(random_state).fit(x, y)
    scores = np.full(len(now), np.nan)
    if keep_now.any():
        scores[keep_now] = final.predict_proba(now.values[keep_now])[:, 1]
    coefficients = final[-1].coef_[0]
    return ScoreModel(
        scores=scores,
        auc=float(roc_auc_score(y_test, held_out)),
        brier=float(brier_score_loss(y_test, held_out)),
        baseline_brier=float(brier_score_loss(y_test, np.full(len(y_test), y_train.mean()))),
        calibration=calibration_table(y_test, held_out),
        n_train=len(y_train),
        n_test=len(y_test),
        positive_rate=float(y.mean()),
        coefficients=dict(zip(FEATURES, np.round(coefficients, 4).tolist(), strict=True)),
    )


def make_model(random_state: int = 42) -> Pipeline:
    """log1p of heavy-tailed columns -> StandardScaler -> LogisticRegression.

    Plain logistic regression is already well calibrated (it minimises log loss), so it
    is not wrapped in ``CalibratedClassifierCV``; the reliability table shows it.
    """
    return make_pipeline(
        FunctionTransformer(log_transform, kw_args={"names": FEATURES}),
        StandardScaler(),
        LogisticRegression(max_iter=1000, random_state=random_state),
    )


def calibration_table(y: np.ndarray, probability: np.ndarray) -> list[dict[str, Any]]:
    """Reliability bins: equal-width probability bins, count, mean prediction, observed rate."""
    edges = np.linspace(0.0, 1.0, CALIBRATION_BINS + 1)
    which = np.clip((probability * CALIBRATION_BINS).astype(np.int64), 0, CALIBRATION_BINS - 1)
    counts = np.bincount(which, minlength=CALIBRATION_BINS)
    predicted = np.bincount(which, weights=probability, minlength=CALIBRATION_BINS)
    observed = np.bincount(which, weights=np.asarray(y, dtype=float), minlength=CALIBRATION_BINS)
    return [
        {
            "lower": round(float(edges[i]), 2),
            "upper": round(float(edges[i + 1]), 2),
            "n": int(counts[i]),
            "mean_predicted": float(predicted[i] / counts[i]) if counts[i] else None,
            "observed": float(observed[i] / counts[i]) if counts[i] else None,
        }
        for i in range(CALIBRATION_BINS)
    ]


def expected_next_order(table: CustomerTable) -> np.ndarray:
    """Unix time of each customer's next order: last order + mean gap between orders.

    NaN for customers with fewer than 2 orders (no gap to go by). The date can lie before
    ``table.as_of``: the customer is overdue.
    """
    last_order = table.as_of - table.column("recency_days") * DAY
    expected = last_order + table.column("days_between_orders") * DAY
    return np.where(table.column("frequency") >= 2, expected, np.nan)


def simple_clv(table: CustomerTable, horizon_days: float = 365.0) -> np.ndarray:
    """Spend expected in the next ``horizon_days``: average order value x expected orders.

    Expected orders = ``frequency / max(tenure_days, 90) * horizon_days``: the customer's
    own order rate so far, measured over at least 90 days so that one order in a first
    week does not extrapolate to 50 a year. No discounting, margin or churn: a ranking
    figure, not an accounting one. Customers without orders get 0.
    """
    observed = np.maximum(table.column("tenure_days"), CLV_MIN_OBSERVED_DAYS)
    rate = table.column("frequency") / observed
    return table.column("avg_order_value") * rate * horizon_days


def _mask(mask: np.ndarray | None, n: int, name: str) -> np.ndarray:
    if mask is None:
        return np.ones(n, dtype=bool)
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (n,):
        raise ValueError(f"{name} has shape {mask.shape}; expected ({n},).")
    return mask


def _degenerate(y: np.ndarray) -> str:
    if len(y) < MIN_ROWS:
        return f"only {len(y)} eligible customers in the past; need at least {MIN_ROWS}."
    positives = int(y.sum())
    fewer = min(positives, len(y) - positives)
    if fewer < MIN_CLASS:
        kind = "positive" if positives == fewer else "negative"
        return f"only {fewer} {kind} examples of {len(y)}; need at least {MIN_CLASS} of each."
    return ""
