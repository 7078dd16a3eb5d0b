"""django-q2 entry points: thin, primitive arguments, idempotent, small summary dicts.

Queue them with :func:`oscar_ai_crm.queueing.enqueue` so the configured cluster and
options apply, e.g. ``enqueue("oscar_ai_crm.tasks.backfill_history")``.
"""

from __future__ import annotations

import logging
from datetime import datetime

logger = logging.getLogger(__name__)


def backfill_history(since: str | None = None, include_analytics: bool = True) -> dict:
    """Import the shop's existing orders, reviews and analytics rows; rebuild profiles."""
    from .capture.backfill import backfill_history as run_backfill

    summary = run_backfill(
        since=datetime.fromisoformat(since) if since else None,
        include_analytics=include_analytics,
        progress=logger.info,
    )
    return summary.as_dict()


def rebuild_profiles(user_ids: list[int] | None = None) -> dict:
    """Recompute customers' activity counters from the event log."""
    from .profiles.activity import rebuild_activity

    return {"profiles": rebuild_activity(user_ids)}


def train_recommendations(trigger: str = "task") -> dict:
    """Train, evaluate and (if not worse) publish recommendations; the run's summary."""
    from .recommendations.training import train_recommendations as train

    run = train(trigger=trigger, progress=logger.info)
    return {
        "run": run.pk,
        "status": run.status,
        "seconds": run.duration_seconds,
        "message": run.message.splitlines()[0] if run.message else "",
    }


def segment_customers(trigger: str = "task") -> dict:
    """Compute features, segments and intent/churn scores and publish them; the summary."""
    from .segments.running import run_segmentation

    run = run_segmentation(trigger=trigger, progress=logger.info)
    return {
        "run": run.pk,
        "status": run.status,
        "seconds": run.duration_seconds,
        "k": (run.metrics or {}).get("k"),
        "message": run.message.splitlines()[0] if run.message else "",
    }


def generate_descriptions(batch_id: int) -> dict:
    """Write the product description drafts of one batch; its counts."""
    from .content.batches import run_batch

    batch = run_batch(batch_id, progress=logger.info)
    return {"batch": batch.pk, "status": batch.status, **batch.summary()}


def rebuild_support_index(force: bool = False) -> dict:
    """Rebuild the knowledge-base search index (a no-op when no article changed); its summary."""
    from .support.index_store import rebuild_index

    index = rebuild_index(force=force)
    return {
        "index": index.pk,
        "encoder": index.encoder,
        "articles": index.article_count,
        "seconds": round(index.duration_seconds, 3),
    }
