"""How computing customer features, segments and intent/churn scores grows with the shop.

Data: the seeded synthetic shop of :mod:`benchmarks.synthetic_customers` (a year of
history, 5,000 products in 20 categories, five hidden customer types with different
visit, order, spend and voucher behaviour, heavy-tailed activity, sessions of views,
searches, basket additions, purchases and reviews, one order event per session with
purchases, double-clicks and a few bots). "Events" below count all of them, orders
included.

Per size, in a fresh subprocess (so the memory figures start clean), with Django set up
on ``tests.settings`` and an in-memory SQLite database holding only the two tables a run
reads (``SegmentRun`` and ``Segment``, created with the schema editor instead of a full
migrate) with two planted rule segments: first the whole ``compute_segmentation(log,
as_of)`` with the ``SEGMENTS`` defaults (features, clustering + personas, intent and churn
models, rule segments), then its parts called one by one as it calls them: the feature
table (``features_as_of``, i.e. ``customer_table``), clustering + personas, and the
predictions (which compute the feature table again at two past cut-offs). Time, CPU time
and resident memory (``PeakMemory``: RSS sampled every 50 ms) of each. Reading the event
log from the database is not included. The ARI of the clusters against the hidden types
is a sanity figure, not a target: the types overlap (heavy-tailed activity, 30 % of
picks outside the favourite category) and K-means also splits by favourite category.

Publishing is timed separately, for 10k customers / 100k events only: ``run_segmentation``
with the generated log on a migrated SQLite file database holding that many users
(``bulk_create``), twice: a first run, and a run a week later on the same events (most
memberships kept). Publishing time = the run's duration minus its compute stages.

Target (the issue's): 100k customers / 1M events, features + segmentation + predictions
(the whole ``compute_segmentation``) under 60 s; peak memory reported.

    python benchmarks/segments_scaling.py [--sizes 10k/100k,10k/1M,100k/1M] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic_customers import AS_OF, synthetic_customer_log  # noqa: E402

#: size name -> (customers, events).
SIZES = {
    "10k/100k": (10_000, 100_000),
    "10k/1M": (10_000, 1_000_000),
    "100k/1M": (100_000, 1_000_000),
    "300k/3M": (300_000, 3_000_000),
}
DEFAULT_SIZES = ("10k/100k", "10k/1M", "100k/1M")
TARGET_SIZE = "100k/1M"
TARGET_SECONDS = 60.0
PUBLISH_SIZE = "10k/100k"

RULES = (  # planted rule segments (the example, and a score rule)
    {"conditions": [{"field": "monetary", "op": "gt", "value": 100},
                    {"field": "recency_days", "op": "gt", "value": 90}], "match": "all"},
    {"conditions": [{"field": "churn_score", "op": "gt", "value": 0.5}], "match": "all"},
)  # fmt: skip


# -- measuring one size (in the child process) ----------------------------------------------


def prepare_database(migrate: bool) -> None:
    """The tables a run reads (or all of them, ``migrate``) and the planted rule segments."""
    from django.core.management import call_command
    from django.db import connection

    from oscar_ai_crm.models import Segment, SegmentKind, SegmentRun

    if migrate:
        call_command("migrate", verbosity=0)
    elif Segment._meta.db_table not in connection.introspection.table_names():
        with connection.schema_editor() as editor:
            editor.create_model(SegmentRun)
            editor.create_model(Segment)
    for number, rule in enumerate(RULES, start=1):
        Segment.objects.create(kind=SegmentKind.RULE, name=f"Benchmark rule {number}", **rule)


def timed(work: Any) -> tuple[Any, dict[str, float]]:
    """Call ``work()``; its result and wall time, CPU time, peak and growth of RSS."""
    from oscar_ai_crm.recommendations.memory import PeakMemory

    started, cpu = time.perf_counter(), time.process_time()
    with PeakMemory() as memory:
        result = work()
    return result, {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "peak_rss_mb": memory.peak_mb,
        "rss_growth_mb": memory.growth_mb,
    }


def measure(customers: int, events: int, seed: int, size: str = "") -> dict[str, Any]:
    """Generate one size, compute the whole segmentation and then each part; the figures."""
    from oscar_ai_crm.conf import crm_settings
    from oscar_ai_crm.segments import running
    from oscar_ai_crm.segments.clustering import cluster_customers
    from oscar_ai_crm.segments.personas import describe_segments

    started = time.perf_counter()
    log, types = synthetic_customer_log(customers, events, seed)
    generated = time.perf_counter() - started
    settings = crm_settings.SEGMENTS
    options = {key.lower(): settings[key] for key in ("K_MIN", "K_MAX", "RANDOM_STATE")}
    options |= {k.lower(): settings[k] for k in ("MINIBATCH_ABOVE", "SILHOUETTE_SAMPLE")}

    def segment(table: Any) -> Any:
        clustering = cluster_customers(table, **options)
        return clustering, describe_segments(
            table, clustering.labels, namer=running.persona_namer()
        )

    result, whole = timed(lambda: running.compute_segmentation(log, AS_OF))
    figures = segmentation_figures(result, types)
    del result  # the parts below start without the whole run's arrays
    table, features = timed(lambda: running.features_as_of(log, AS_OF))
    _, segmenting = timed(lambda: segment(table))
    _, predicting = timed(
        lambda: (
            running.predict_intent(log, table, AS_OF),
            running.predict_churn(log, table, AS_OF),
        )
    )
    return {
        "size": size or f"{customers}/{events}",
        "customers": customers,
        "events": len(log),
        "orders": int((log.event_kind == "order").sum()),
        "generate_seconds": generated,
        "load_average": os.getloadavg()[0],
        "whole": whole,
        "parts": {
            "features": features,
            "clustering + personas": segmenting,
            "predictions": predicting,
        },
        **figures,
    }


def segmentation_figures(result: Any, types: Any) -> dict[str, Any]:
    """What the whole run found: its stage times, segments, AUCs and agreement with the types."""
    from sklearn.metrics import adjusted_rand_score

    metrics = result.metrics()
    hidden = types[result.table.customer_ids - 1]
    return {
        "stage_seconds": metrics["seconds"],
        "k": metrics["k"],
        "algorithm": metrics["algorithm"],
        "silhouette": metrics["silhouette"],
        "segments": [f"{p['name']} ({p['size']})" for p in metrics["personas"]],
        "ari_hidden_types": float(adjusted_rand_score(hidden, result.clustering.labels)),
        "intent_auc": metrics["intent"]["auc"],
        "churn_auc": metrics["churn"]["auc"],
        "rule_members": list(metrics["rule_segments"].values()),
        "cleaning": {
            key: metrics["cleaning"][key] for key in ("bot_customers", "duplicate_events")
        },
    }


def measure_publishing(customers: int, events: int, seed: int) -> dict[str, Any]:
    """``run_segmentation`` twice on a migrated database with ``customers`` users."""
    from django.contrib.auth import get_user_model

    from oscar_ai_crm.models import (
        CustomerProfile,
        SegmentMembership,
        SegmentMovement,
        SegmentRunStatus,
    )
    from oscar_ai_crm.segments.running import run_segmentation

    prepare_database(migrate=True)
    user_model = get_user_model()
    user_model.objects.bulk_create(
        (user_model(pk=pk, username=f"c{pk}", email=f"c{pk}@example.com")
         for pk in range(1, customers + 1)),
        batch_size=1000,
    )  # fmt: skip
    log, _ = synthetic_customer_log(customers, events, seed)
    runs = []
    for label, days in (("first run", 0), ("a week later", 7)):
        moment = datetime.fromtimestamp(AS_OF, UTC) + timedelta(days=days)
        run = run_segmentation(trigger="benchmark", progress=lambda _: None, log=log, as_of=moment)
        if run.status == SegmentRunStatus.FAILED:
            raise RuntimeError(f"Segmentation run failed: {run.message}")
        compute = sum(run.metrics["seconds"].values())
        runs.append({
            "run": label,
            "total_seconds": run.duration_seconds,
            "compute_seconds": compute,
            "publish_seconds": run.duration_seconds - compute,
            "rss_growth_mb": run.peak_memory_mb,
            "profiles": CustomerProfile.objects.count(),
            "memberships": SegmentMembership.objects.count(),
            "movements": SegmentMovement.objects.filter(run=run).count(),
        })  # fmt: skip
    return {"customers": customers, "events": len(log), "runs": runs}


# -- the parent: one subprocess per size, then the report -----------------------------------


def run_child(size: str, seed: int, publish: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="crm-seg-bench-") as folder:
        out = Path(folder) / "result.json"
        command = [sys.executable, __file__, "--child", size, "--seed", str(seed)]
        command += ["--out", str(out), *(["--publish"] if publish else [])]
        environment = dict(os.environ, DJANGO_SETTINGS_MODULE="tests.settings")
        environment.pop("DATABASE_URL", None)
        if publish:
            environment["DATABASE_URL"] = f"sqlite:///{folder}/publish.sqlite3"
        subprocess.run(command, check=True, env=environment)
        return json.loads(out.read_text())


def child_main(size: str, seed: int, out: str, publish: bool) -> None:
    import django

    django.setup()
    customers, events = SIZES[size]
    if publish:
        result = measure_publishing(customers, events, seed)
    else:
        prepare_database(migrate=False)
        result = measure(customers, events, seed, size)
    Path(out).write_text(json.dumps(result, default=float))


# -- the report -----------------------------------------------------------------------------

PARTS = ("features", "clustering + personas", "predictions")


def growth_lines(results: list[dict[str, Any]]) -> list[str]:
    """Time ratios from the first size to each other size, and time ~ customers^b / events^b."""
    lines = []
    base = results[0] if results else None
    for large in results[1:]:
        customers = large["customers"] / base["customers"]
        events = large["events"] / base["events"]
        scale, unit = (customers, "customers") if customers > 1.5 else (events, "events")
        stages = {"whole": (base["whole"], large["whole"])}
        stages |= {part: (base["parts"][part], large["parts"][part]) for part in PARTS}
        for name, (small, big) in stages.items():
            ratio = big["seconds"] / small["seconds"]
            exponent = math.log(ratio) / math.log(scale) if scale > 1 else float("nan")
            lines.append(
                f"{base['size']} -> {large['size']} ({customers:.0f}x customers, {events:.1f}x "
                f"events): {name} x{ratio:.1f} (time ~ {unit}^{exponent:.2f})"
            )
    return lines


def target_lines(results: list[dict[str, Any]]) -> list[str]:
    """PASS/FAIL of the target size's whole ``compute_segmentation`` against 60 s."""
    lines = []
    for r in results:
        if r["size"] == TARGET_SIZE:
            seconds = r["whole"]["seconds"]
            verdict = "PASS" if seconds < TARGET_SECONDS else "FAIL"
            lines.append(
                f"{verdict} {r['customers']:,} customers / {r['events']:,} events: features + "
                f"segmentation + predictions {seconds:.1f} s < {TARGET_SECONDS:.0f} s "
                f"(peak RSS {r['whole']['peak_rss_mb']:.0f} MB)"
            )
    return lines or [f"SKIP the target size {TARGET_SIZE} was not measured"]


def format_report(results: list[dict[str, Any]], publishing: dict[str, Any] | None) -> str:
    """Markdown tables of the figures, growth lines and the verdict."""
    lines = [
        "| size | customers | events | features s | clustering + personas s | predictions s "
        "| compute_segmentation s | CPU s | load | peak RSS MB | growth MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        parts = " | ".join(f"{r['parts'][part]['seconds']:.2f}" for part in PARTS)
        whole = r["whole"]
        lines.append(
            f"| {r['size']} | {r['customers']:,} | {r['events']:,} | {parts} "
            f"| {whole['seconds']:.2f} | {whole['cpu_seconds']:.1f} | {r['load_average']:.1f} "
            f"| {whole['peak_rss_mb']:.0f} | {whole['rss_growth_mb']:.0f} |"
        )
    lines += ["", "| size | part | seconds | peak RSS MB | growth MB |", "|---|---|---|---|---|"]
    for r in results:
        for part in PARTS:
            p = r["parts"][part]
            lines.append(
                f"| {r['size']} | {part} | {p['seconds']:.2f} | {p['peak_rss_mb']:.0f} "
                f"| {p['rss_growth_mb']:.0f} |"
            )
    lines += [
        "",
        "| size | k | silhouette | ARI vs hidden types | intent AUC | churn AUC | bots "
        "| duplicates | stages in the whole run (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        stages = ", ".join(f"{name} {value:.2f}" for name, value in r["stage_seconds"].items())
        lines.append(
            f"| {r['size']} | {r['k']} ({r['algorithm']}) | {_figure(r['silhouette'])} "
            f"| {r['ari_hidden_types']:.3f} | {_figure(r['intent_auc'])} "
            f"| {_figure(r['churn_auc'])} | {r['cleaning']['bot_customers']} "
            f"| {r['cleaning']['duplicate_events']:,} | {stages} |"
        )
    lines += ["", *[f"{r['size']} segments: {', '.join(r['segments'])}" for r in results]]
    if publishing:
        lines += ["", *publishing_lines(publishing)]
    return "\n".join([*lines, "", *growth_lines(results), *target_lines(results)])


def publishing_lines(publishing: dict[str, Any]) -> list[str]:
    lines = [
        f"Publishing ({publishing['customers']:,} customers, {publishing['events']:,} events, "
        "SQLite file):",
        "",
        "| run | run s | compute s | publishing s | profiles | memberships | movements "
        "| RSS growth MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in publishing["runs"]:
        lines.append(
            f"| {r['run']} | {r['total_seconds']:.2f} | {r['compute_seconds']:.2f} "
            f"| {r['publish_seconds']:.2f} | {r['profiles']:,} | {r['memberships']:,} "
            f"| {r['movements']:,} | {r['rss_growth_mb']:.0f} |"
        )
    return lines


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default=",".join(DEFAULT_SIZES), help="comma-separated, of " + ",".join(SIZES)
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-publish", action="store_true", help="skip the publishing run")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--child", choices=list(SIZES), help=argparse.SUPPRESS)
    parser.add_argument("--publish", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args.child, args.seed, args.out, args.publish)
        return 0
    sizes = args.sizes.split(",")
    if unknown := [size for size in sizes if size not in SIZES]:
        parser.error(f"unknown size(s) {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    results = []
    for size in sizes:
        _say(f"{size} (customers/events) ...")
        results.append(run_child(size, args.seed))
        _say(json.dumps(results[-1]))
    publishing = None
    if not args.no_publish:
        _say(f"publishing, {PUBLISH_SIZE} ...")
        publishing = run_child(PUBLISH_SIZE, args.seed, publish=True)
        _say(json.dumps(publishing))
    if args.json:
        print(json.dumps({"sizes": results, "publishing": publishing}, indent=2))
    else:
        print(format_report(results, publishing))
    return 0


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
