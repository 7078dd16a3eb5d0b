"""Decide whether a new run may replace the serving one: same split, same metric."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..conf import crm_settings
from ..evaluation.runner import EvaluationTable, NothingToEvaluate, evaluate_models
from ..evaluation.splits import time_split
from ..features.interactions import Interactions
from ..models import ModelRun, RunStatus
from ..recommenders.base import Recommender
from ..recommenders.registry import build_recommender
from .fitting import configure


@dataclass
class PromotionDecision:
    """The evaluation table of a run and whether it may serve."""

    promote: bool
    reason: str
    table: dict[str, Any] = field(default_factory=dict)
    failed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"promote": self.promote, "reason": self.reason, **self.table}


def evaluate_for_promotion(
    alias: str, specs: dict[str, dict[str, Any]], data: Interactions
) -> PromotionDecision:
    """Evaluate the candidate, the serving configuration and popularity on one time split."""
    settings = crm_settings.RECOMMENDATIONS
    evaluation = settings["EVALUATION"]
    metric = settings["PROMOTION_METRIC"]
    exclude = settings["EXCLUDE_PURCHASED"]
    serving = ModelRun.objects.filter(status=RunStatus.SERVING).first()
    models: dict[str, Recommender] = {"candidate": configure(build_recommender(alias, specs))}
    serving_label = _add_serving(models, serving, alias, specs)
    if "popularity" in specs and alias != "popularity":
        models["popularity"] = build_recommender("popularity", specs)
    split = time_split(data, evaluation["TEST_FRACTION"], evaluation["TARGET_EVENTS"])
    try:
        table = evaluate_models(models, split, evaluation["K"], exclude_purchased=exclude)
    except NothingToEvaluate as exc:
        return PromotionDecision(True, f"Published without evaluation: {exc}")
    return _decide(table, metric, serving_label, settings["PROMOTION_TOLERANCE"])


def _add_serving(
    models: dict[str, Recommender],
    serving: ModelRun | None,
    alias: str,
    specs: dict[str, dict[str, Any]],
) -> str | None:
    """Add the serving run's configuration when it differs; the label to compare with."""
    if serving is None:
        return None
    stored = (serving.parameters or {}).get("specs") or {}
    if stored.get(serving.model) == specs.get(alias) and serving.model == alias:
        return "candidate"  # same configuration: retraining on newer data is the point
    try:
        models[f"serving run {serving.pk}"] = configure(build_recommender(serving.model, stored))
    except Exception:  # noqa: BLE001 - the serving run's classes may no longer exist
        return None
    return f"serving run {serving.pk}"


def _decide(
    table: EvaluationTable, metric: str, serving_label: str | None, tolerance: float
) -> PromotionDecision:
    rows = {row.model: row for row in table.rows}
    candidate = rows["candidate"]
    if candidate.error:
        reason = f"Candidate failed evaluation: {candidate.error}"
        return PromotionDecision(False, reason, table.as_dict(), failed=True)
    value = candidate.value(metric) or 0.0
    k = table.k
    if serving_label is None or serving_label == "candidate":
        reason = f"Candidate {metric}@{k} = {value:.4f}; no other serving configuration to beat."
        return PromotionDecision(True, reason, table.as_dict())
    served = rows[serving_label].value(metric) or 0.0
    promote = value >= tolerance * served
    verdict = "promoted" if promote else "rejected: the serving run stays"
    reason = f"Candidate {metric}@{k} = {value:.4f} vs {serving_label} {served:.4f}: {verdict}."
    return PromotionDecision(promote, reason, table.as_dict())
