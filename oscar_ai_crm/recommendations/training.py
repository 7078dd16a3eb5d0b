"""Train the configured recommenders on the event log, evaluate, and publish if not worse.

One call = one :class:`~oscar_ai_crm.models.ModelRun`. The order matters for safety:
the candidate is evaluated on a time split *before* anything is written; it is published
only if it is not worse than the serving configuration on that same split; publishing
swaps all rows in one transaction. Any error marks the run failed and leaves the serving
run untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..conf import crm_settings
from ..features.event_interactions import interactions_from_events
from ..features.interactions import Interactions
from ..models import ModelRun, RunStatus
from ..recommenders.registry import model_specs
from ..run_records import recorded_run
from .fitting import fit_serving_models
from .promotion import PromotionDecision, evaluate_for_promotion
from .publishing import publish

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]


def train_recommendations(
    trigger: str = "manual",
    progress: Progress | None = None,
    interactions: Interactions | None = None,
) -> ModelRun:
    """Train, evaluate and (if good enough) publish; returns the finished run."""
    say = progress or logger.info
    settings = crm_settings.RECOMMENDATIONS
    alias = settings["SERVE"]
    specs = resolved_specs(alias, model_specs())
    run = ModelRun.objects.create(
        model=alias,
        model_class=specs[alias]["CLASS"],
        parameters={"specs": specs, "settings": _relevant_settings(settings)},
        trigger=trigger,
    )
    with recorded_run(run, RunStatus.FAILED, say):
        _train(run, specs, say, interactions)
    return run


def _train(
    run: ModelRun,
    specs: dict[str, dict[str, Any]],
    say: Progress,
    interactions: Interactions | None,
) -> None:
    say("Loading interactions from the event log…")
    data = interactions if interactions is not None else interactions_from_events()
    run.n_users, run.n_items, run.n_interactions = data.n_users, data.n_items, len(data)
    run.save(update_fields=["n_users", "n_items", "n_interactions"])
    say(f"{len(data)} interactions, {data.n_users} customers/sessions, {data.n_items} products")
    if len(data) == 0:
        raise ValueError("The event log has no product interactions to train on yet.")
    say("Evaluating on a time split against the serving run…")
    decision: PromotionDecision = evaluate_for_promotion(run.model, specs, data)
    run.metrics = decision.as_dict()
    run.message = decision.reason
    run.save(update_fields=["metrics", "message"])
    say(decision.reason)
    if decision.failed:
        raise RuntimeError(decision.reason)
    if not decision.promote:
        run.status = RunStatus.REJECTED
        return
    say("Fitting on all interactions…")
    fitted = fit_serving_models(run.model, specs, data)
    say("Publishing recommendations…")
    counts = publish(run, fitted, data)
    run.message = f"{decision.reason}\nPublished {counts}."
    run.status = RunStatus.SERVING


def resolved_specs(alias: str, specs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The specs a run needs to be rebuilt later: ``alias``, its components, the side models."""
    settings = crm_settings.RECOMMENDATIONS
    needed = [alias, "popularity", settings["SIMILAR"], settings["SIMILAR_TEXT"]]
    needed.append(settings["BOUGHT_TOGETHER"])
    components = (specs.get(alias, {}).get("OPTIONS") or {}).get("components") or []
    resolved: dict[str, dict[str, Any]] = {}
    for name in [*needed, *components]:
        if name and name in specs:
            resolved[name] = specs[name]
    return resolved


def _relevant_settings(settings: dict[str, Any]) -> dict[str, Any]:
    keys: tuple[str, ...] = ("SERVE", "SIMILAR", "SIMILAR_TEXT", "BOUGHT_TOGETHER")
    keys += ("EVENT_WEIGHTS", "TRAINING_DAYS", "TOP_N", "EXCLUDE_PURCHASED", "EVALUATION")
    return {key: settings[key] for key in keys}
