"""Fit recommenders on a split's training log and score their top-k on its test items.

:func:`evaluate_models` is what ``manage.py crm_evaluate`` and the training task call.
Each model is cloned (``sklearn.base.clone``) so the caller's instances stay unfitted,
fitted once, then asked for the test users' top-k under the shop's business rules:

* items whose ``ItemInfo.available`` is False are never recommended;
* items the user already bought in training are excluded, or not, or both ways (two rows).
  A model with the class attribute ``recommends_history = True`` (one whose point is to
  recommend what the customer bought before) is only run without that exclusion.

A model that raises while fitting or recommending gets a row carrying the error instead
of metrics; the other models still run.
"""

from __future__ import annotations

import logging
import math
import sys
import time
import tracemalloc
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import clone

from ..features.interactions import Interactions
from ..recommenders.base import Recommender
from .metrics import METRICS, catalogue_coverage, ranking_metrics
from .splits import Split

try:  # Unix only; elsewhere the RSS column stays empty.
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

#: Row attributes where a smaller value is better (for :meth:`EvaluationTable.best`).
COST_COLUMNS = ("fit_seconds", "recommend_seconds", "peak_memory_mb", "max_rss_growth_mb")
#: Row attributes :meth:`EvaluationTable.best` accepts.
RANKABLE = (*METRICS, "coverage", *COST_COLUMNS)


class NothingToEvaluate(ValueError):
    """The split has no test users (log too short, or no target events after the cut-off)."""


@dataclass
class EvaluationRow:
    """One model under one already-bought policy.

    ``peak_memory_mb`` is the tracemalloc peak while fitting and recommending: Python
    objects and numpy / scipy buffers (numpy reports its allocations to tracemalloc), but
    not memory allocated inside C/C++ extensions (implicit's solver, BLAS, torch).
    ``max_rss_growth_mb`` is how far the process's peak resident set size
    (``getrusage().ru_maxrss``) rose during the model's run: it does see native memory,
    but stays 0 when the model's peak is below an earlier peak of the same process.
    ``vs_popularity`` holds each metric divided by the popularity row's (same policy).
    """

    model: str
    exclude_purchased: bool
    n_test_users: int
    precision: float | None = None
    recall: float | None = None
    ndcg: float | None = None
    map: float | None = None
    hit_rate: float | None = None
    coverage: float | None = None
    fit_seconds: float | None = None
    recommend_seconds: float | None = None
    peak_memory_mb: float | None = None
    max_rss_growth_mb: float | None = None
    vs_popularity: dict[str, float | None] = field(default_factory=dict)
    error: str | None = None

    def value(self, column: str) -> float | None:
        """The value of ``column``; None when missing, failed or NaN."""
        value = getattr(self, column)
        return None if value is None or math.isnan(value) else float(value)

    def as_dict(self) -> dict[str, Any]:
        return _json_safe(asdict(self))


@dataclass
class EvaluationTable:
    """The rows of one evaluation run, with the cut-off ``k`` and the split summary."""

    rows: list[EvaluationRow]
    k: int
    split: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe: NaN becomes None."""
        return {
            "k": self.k,
            "split": _json_safe(self.split),
            "rows": [row.as_dict() for row in self.rows],
        }

    def best(self, metric: str, exclude_purchased: bool | None = None) -> EvaluationRow | None:
        """The row with the best ``metric`` (highest; lowest for time and memory).

        Rows with an error or no value are ignored; ``exclude_purchased`` restricts to one
        policy. None when no row qualifies.
        """
        if metric not in RANKABLE:
            raise ValueError(f"Unknown metric {metric!r}; choose from {', '.join(RANKABLE)}.")
        candidates = [
            row
            for row in self.rows
            if row.value(metric) is not None
            and (exclude_purchased is None or row.exclude_purchased == exclude_purchased)
        ]
        if not candidates:
            return None
        sign = -1.0 if metric in COST_COLUMNS else 1.0
        return max(candidates, key=lambda row: sign * (row.value(metric) or 0.0))


@dataclass(frozen=True, eq=False)
class _Task:
    """What every model is evaluated on (computed once per run)."""

    train: Interactions
    users: np.ndarray
    relevant: sparse.csr_matrix
    filter_items: np.ndarray | None
    k: int


def evaluate_models(
    models: Mapping[str, Recommender],
    split: Split,
    k: int = 10,
    exclude_purchased: bool | None = None,
    baseline: str = "popularity",
) -> EvaluationTable:
    """Fit and score each model; see the module docstring.

    Parameters
    ----------
    models : alias -> unfitted (or fitted: it is cloned) recommender.
    split : from :mod:`.splits`.
    k : the cut-off of every metric.
    exclude_purchased : True / False to run one policy, None to run both.
    baseline : alias of the row the ``vs_popularity`` ratios divide by.

    Raises
    ------
    NothingToEvaluate : when the split has no test users.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}.")
    if split.n_test_users == 0:
        raise NothingToEvaluate(f"Nothing to evaluate: {split.description}.")
    task = _task(split, k)
    policies = (True, False) if exclude_purchased is None else (exclude_purchased,)
    rows: list[EvaluationRow] = []
    for alias, model in models.items():
        if getattr(model, "recommends_history", False):
            rows.extend(_evaluate_model(alias, model, task, (False,)))
        else:
            rows.extend(_evaluate_model(alias, model, task, policies))
    _add_ratios(rows, baseline)
    return EvaluationTable(rows=rows, k=k, split=split.as_dict())


def _task(split: Split, k: int) -> _Task:
    available = split.train.items.available
    filter_items = None if available is None else np.flatnonzero(~np.asarray(available, bool))
    users = split.test_users
    return _Task(split.train, users, split.test[users], filter_items, k)


def _evaluate_model(
    alias: str, model: Recommender, task: _Task, policies: Sequence[bool]
) -> list[EvaluationRow]:
    rows = [EvaluationRow(alias, policy, len(task.users)) for policy in policies]
    with _MemoryMeter() as meter:
        try:
            started = time.perf_counter()
            fitted = clone(model).fit(task.train)
            fit_seconds = time.perf_counter() - started
        except Exception as exc:
            return _failed(rows, alias, "fit", exc)
        for row in rows:
            row.fit_seconds = fit_seconds
            try:
                _score(fitted, task, row)
            except Exception as exc:
                _failed([row], alias, "recommend", exc)
    for row in rows:
        row.peak_memory_mb, row.max_rss_growth_mb = meter.peak_mb, meter.rss_growth_mb
    return rows


def _score(model: Recommender, task: _Task, row: EvaluationRow) -> None:
    """Recommend for the test users under ``row``'s policy and fill in its metrics."""
    started = time.perf_counter()
    ids, _ = model.recommend(
        task.users,
        task.train.user_items,
        N=task.k,
        filter_already_liked_items=False,
        filter_items=task.filter_items,
        filter_user_items=task.train.purchased if row.exclude_purchased else None,
    )
    row.recommend_seconds = time.perf_counter() - started
    for name, value in ranking_metrics(ids, task.relevant, task.k).items():
        setattr(row, name, value)
    row.coverage = catalogue_coverage(ids, task.train.n_items)


def _failed(
    rows: list[EvaluationRow], alias: str, stage: str, exc: Exception
) -> list[EvaluationRow]:
    logger.warning("Evaluation of %r failed during %s: %s", alias, stage, exc, exc_info=True)
    for row in rows:
        row.error = f"{stage} failed: {type(exc).__name__}: {exc}"
    return rows


def _add_ratios(rows: list[EvaluationRow], baseline: str) -> None:
    """Each metric divided by the baseline row's with the same policy (None if 0 / absent)."""
    base = {row.exclude_purchased: row for row in rows if row.model == baseline and not row.error}
    for row in rows:
        reference = base.get(row.exclude_purchased)
        if reference is None or row.error:
            continue
        for name in METRICS:
            mine, theirs = row.value(name), reference.value(name)
            row.vs_popularity[name] = mine / theirs if mine is not None and theirs else None


class _MemoryMeter:
    """Context manager: tracemalloc peak and ru_maxrss growth over its block, in MB."""

    peak_mb: float | None = None
    rss_growth_mb: float | None = None

    def __enter__(self) -> _MemoryMeter:
        self._was_tracing = tracemalloc.is_tracing()
        if self._was_tracing:
            tracemalloc.reset_peak()
        else:
            tracemalloc.start()
        self._traced_before = tracemalloc.get_traced_memory()[0]
        self._rss_before = _max_rss_bytes()
        return self

    def __exit__(self, *exc_info: object) -> None:
        peak = tracemalloc.get_traced_memory()[1]
        if not self._was_tracing:
            tracemalloc.stop()
        self.peak_mb = max(peak - self._traced_before, 0) / 2**20
        rss_after = _max_rss_bytes()
        if self._rss_before is not None and rss_after is not None:
            self.rss_growth_mb = (rss_after - self._rss_before) / 2**20


def _max_rss_bytes() -> int | None:
    if resource is None:  # pragma: no cover - Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)  # Linux reports KiB


def _json_safe(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, np.generic):
        return _json_safe(value.item())
    return value
