"""One segmentation run: features, clusters and personas, rule segments, intent and churn.

One call = one :class:`~oscar_ai_crm.models.SegmentRun`. Everything is computed in memory
first (plain numpy, :func:`compute_segmentation`); only then does :mod:`.publishing`
write profiles, segments, memberships and movements in one transaction and mark the run
serving. Any error marks the run failed and leaves the serving run's results in place.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from django.utils import timezone
from django.utils.module_loading import import_string

from ..conf import crm_settings
from ..features.customer_features import customer_table
from ..features.customer_log import customer_log_from_events
from ..features.customer_table import CustomerLog, CustomerTable
from ..models import Segment, SegmentKind, SegmentRun, SegmentRunStatus
from ..run_records import recorded_run
from .clustering import Clustering, cluster_customers
from .personas import Namer, Persona, describe_segments
from .predictions import (
    ScoreModel,
    expected_next_order,
    ordered_between,
    simple_clv,
    train_and_score,
)
from .rules import evaluate_rule, rule_columns, validate_conditions

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]
DAY = 86_400.0


@dataclass
class RuleResult:
    """The members (table row mask) of one active rule segment."""

    segment_id: int
    members: np.ndarray


@dataclass
class Segmentation:
    """Everything a run computed, before anything is written."""

    table: CustomerTable
    clustering: Clustering
    personas: list[Persona]
    intent: ScoreModel
    churn: ScoreModel
    next_order: np.ndarray
    clv: np.ndarray
    rules: list[RuleResult] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    #: ARI between these clusters and the serving run's, over customers in both (publishing).
    agreement_with_previous: float | None = None
    #: Rule segments skipped because their stored conditions are invalid: id -> problems.
    invalid_rules: dict[str, list[str]] = field(default_factory=dict)

    def metrics(self) -> dict[str, Any]:
        """JSON-ready figures for the run record."""
        return {
            **self.clustering.as_dict(),
            "personas": [persona.as_dict() for persona in self.personas],
            "intent": self.intent.as_dict(),
            "churn": self.churn.as_dict(),
            "rule_segments": {str(r.segment_id): int(r.members.sum()) for r in self.rules},
            "invalid_rule_segments": self.invalid_rules,
            "cleaning": self.table.cleaning,
            "seconds": {name: round(value, 3) for name, value in self.seconds.items()},
        }


def run_segmentation(
    trigger: str = "manual",
    progress: Progress | None = None,
    log: CustomerLog | None = None,
    as_of: datetime | None = None,
) -> SegmentRun:
    """Segment the shop's customers and publish the results; returns the finished run."""
    from .publishing import publish_segmentation

    say = progress or logger.info
    run = SegmentRun.objects.create(trigger=trigger)
    with recorded_run(run, SegmentRunStatus.FAILED, say):
        moment = as_of or timezone.now()
        if log is None:
            say("Loading customers' events…")
            log = customer_log_from_events(moment, crm_settings.SEGMENTS["HISTORY_DAYS"])
        run.n_customers, run.n_events = len(log.customers), len(log)
        say(f"{run.n_events} events of {run.n_customers} customers")
        result = compute_segmentation(log, moment.timestamp(), say)
        run.metrics = result.metrics()
        say("Publishing segments, memberships and scores…")
        counts = publish_segmentation(run, result, moment)
        run.message = _summary(result, counts)
        run.status = SegmentRunStatus.SERVING
    return run


def compute_segmentation(
    log: CustomerLog, as_of: float, progress: Progress | None = None
) -> Segmentation:
    """Features, clusters, personas, predictions and rule members; nothing is written."""
    say = progress or logger.info
    settings = crm_settings.SEGMENTS
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    say("Computing features…")
    table = features_as_of(log, as_of)
    seconds["features"], clock = _lap(clock)
    if not len(table):
        raise ValueError("There are no customers to segment yet.")
    say(f"Clustering {len(table)} customers…")
    clustering = cluster_customers(
        table,
        k_min=settings["K_MIN"],
        k_max=settings["K_MAX"],
        random_state=settings["RANDOM_STATE"],
        minibatch_above=settings["MINIBATCH_ABOVE"],
        silhouette_sample=settings["SILHOUETTE_SAMPLE"],
    )
    personas = describe_segments(table, clustering.labels, namer=persona_namer())
    seconds["clustering"], clock = _lap(clock)
    say(f"{clustering.k} segments (silhouette {_figure(clustering.silhouette)})")
    say("Training purchase-intent and churn models…")
    intent = predict_intent(log, table, as_of)
    churn = predict_churn(log, table, as_of)
    seconds["predictions"], clock = _lap(clock)
    say(f"Intent AUC {_figure(intent.auc)}, churn AUC {_figure(churn.auc)}")
    result = Segmentation(
        table=table,
        clustering=clustering,
        personas=personas,
        intent=intent,
        churn=churn,
        next_order=expected_next_order(table),
        clv=simple_clv(table),
        seconds=seconds,
    )
    result.rules = evaluate_rule_segments(result)
    seconds["rules"], clock = _lap(clock)
    return result


def features_as_of(log: CustomerLog, as_of: float) -> CustomerTable:
    """The feature table with the cleaning settings of ``SEGMENTS``."""
    settings = crm_settings.SEGMENTS
    clip = settings["CLIP_QUANTILE"]
    return customer_table(
        log,
        as_of,
        abandon_window_days=settings["ABANDON_WINDOW_DAYS"],
        bot_events_per_day=settings["BOT_EVENTS_PER_DAY"],
        clip_quantile=1.0 if clip is None else clip,
    )


def predict_intent(log: CustomerLog, table: CustomerTable, as_of: float) -> ScoreModel:
    """P(an order within ``INTENT_HORIZON_DAYS``), learnt from the period just before."""
    settings = crm_settings.SEGMENTS
    cutoff = as_of - settings["INTENT_HORIZON_DAYS"] * DAY
    past = features_as_of(log.before(cutoff), cutoff)
    labels = ordered_between(log, past.customer_ids, cutoff, as_of)
    return train_and_score(
        past,
        labels,
        table,
        eligible_past=past.column("tenure_days") > 0,  # customers who existed at the cut-off
        random_state=settings["RANDOM_STATE"],
    )


def predict_churn(log: CustomerLog, table: CustomerTable, as_of: float) -> ScoreModel:
    """P(no order within ``CHURN_DAYS``) for customers who have ordered before."""
    settings = crm_settings.SEGMENTS
    cutoff = as_of - settings["CHURN_DAYS"] * DAY
    past = features_as_of(log.before(cutoff), cutoff)
    churned = ~ordered_between(log, past.customer_ids, cutoff, as_of)
    return train_and_score(
        past,
        churned,
        table,
        eligible_past=past.column("frequency") > 0,
        eligible_now=table.column("frequency") > 0,
        random_state=settings["RANDOM_STATE"],
    )


def evaluate_rule_segments(result: Segmentation) -> list[RuleResult]:
    """The members of every active rule segment, over the table's customers."""
    columns = rule_columns(
        result.table,
        {
            "intent_score": _scores(result.intent, len(result.table)),
            "churn_score": _scores(result.churn, len(result.table)),
            "clv": result.clv,
        },
    )
    segments = Segment.objects.filter(kind=SegmentKind.RULE, is_active=True)
    results = []
    for segment in segments.only("pk", "name", "conditions", "match"):
        problems = validate_conditions(segment.conditions)
        if problems:  # saved around the admin's validation: skipped, reported on the run
            logger.warning("Rule segment %s skipped: %s", segment.pk, "; ".join(problems))
            result.invalid_rules[str(segment.pk)] = problems
            continue
        results.append(
            RuleResult(segment.pk, evaluate_rule(segment.conditions, segment.match, columns))
        )
    return results


def persona_namer() -> Namer | None:
    """The configured ``PERSONA_NAMER`` callable, or None (the rules name personas)."""
    path = crm_settings.SEGMENTS["PERSONA_NAMER"]
    return import_string(path) if path else None


def _scores(model: ScoreModel, n: int) -> np.ndarray:
    return np.full(n, np.nan) if model.scores is None else model.scores


def _lap(clock: float) -> tuple[float, float]:
    now = time.perf_counter()
    return now - clock, now


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _summary(result: Segmentation, counts: dict[str, int]) -> str:
    names = ", ".join(f"{p.name} ({p.size})" for p in result.personas)
    return (
        f"{result.clustering.k} segments: {names}. Intent AUC {_figure(result.intent.auc)}, "
        f"churn AUC {_figure(result.churn.auc)}. Written: {counts}."
    )
