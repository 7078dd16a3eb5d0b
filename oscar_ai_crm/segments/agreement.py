"""How far a run's clusters agree with known labels: the figures ``crm_segment`` prints.

A shop (or the demo generator) that knows a "true" grouping of some customers names a
callable in ``SEGMENTS["REFERENCE_LABELS"]`` returning ``{user id: label}``; it is read only
here, after the run, to report the adjusted Rand index (ARI: 1 = the same grouping, 0 = no
better than chance). The models never see it. Agreement with the previous run is computed
when the run is published (``metrics["agreement_with_previous_run"]``).
"""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string
from sklearn.metrics import adjusted_rand_score

from ..conf import crm_settings
from ..models import SegmentKind, SegmentMembership, SegmentRun


def cluster_assignment() -> dict[int, int]:
    """user id -> cluster segment id, for the current (serving) clusters."""
    rows = SegmentMembership.objects.filter(
        segment__kind=SegmentKind.CLUSTER, segment__is_active=True
    ).values_list("user_id", "segment_id")
    return dict(rows.iterator())


def agreement_with(reference: dict[int, Any], assignment: dict[int, int]) -> dict[str, Any]:
    """ARI between ``assignment`` and ``reference`` over the customers both label."""
    common = sorted(reference.keys() & assignment.keys())
    if len(common) < 2:
        return {"ari": None, "customers": len(common)}
    ari = adjusted_rand_score([reference[u] for u in common], [assignment[u] for u in common])
    return {"ari": round(float(ari), 4), "customers": len(common)}


def reference_labels() -> dict[int, Any] | None:
    """The configured reference grouping, or None when the shop has none."""
    path = crm_settings.SEGMENTS["REFERENCE_LABELS"]
    return dict(import_string(path)()) if path else None


def run_figures(run: SegmentRun) -> dict[str, Any]:
    """The run's headline figures as JSON-ready values."""
    metrics = run.metrics or {}
    agreement: dict[str, Any] = {
        "previous_run_ari": metrics.get("agreement_with_previous_run"),
    }
    reference = reference_labels()
    if reference is not None:
        agreement["reference"] = agreement_with(reference, cluster_assignment())
    return {
        "run": run.pk,
        "status": run.status,
        "duration_seconds": run.duration_seconds,
        "peak_memory_mb": run.peak_memory_mb,
        "customers": run.n_customers,
        "events": run.n_events,
        "k": metrics.get("k"),
        "silhouette": metrics.get("silhouette"),
        "silhouette_by_k": metrics.get("silhouette_by_k"),
        "sizes": metrics.get("sizes"),
        "personas": [
            {key: persona.get(key) for key in ("name", "size", "share", "description")}
            for persona in metrics.get("personas", [])
        ],
        "intent_auc": (metrics.get("intent") or {}).get("auc"),
        "churn_auc": (metrics.get("churn") or {}).get("auc"),
        "rule_segments": metrics.get("rule_segments"),
        "agreement": agreement,
    }
