"""How fitting the default hybrid and computing everyone's top-N grow with the event count.

A seeded synthetic shop log (:func:`synthetic_interactions`): power-law item popularity,
heavy-tailed user activity, users with a latent taste cluster (most of their events fall
in their cluster's items), events in sessions of a few minutes, 75 % views, 15 % basket
additions, 10 % purchases (the purchases of a session form one basket), over one year.

Per size, in a fresh subprocess (so the memory figures start clean), the compute of a
training run: the promotion evaluation (the default hybrid and popularity fitted and scored
on a 20 % time split, as ``recommendations.promotion`` does), then the default hybrid
(``conf.DEFAULTS``, built by the registry, weight tuning included) fitted on everything and
the top-``TOP_N`` (24) list of every user computed by publishing's own
``recommendations.lists.customer_lists``: already-bought items excluded, batches of 1000,
the first ``lists.EXPLAINED`` (8) items of each list explained ("because you viewed X")
with one ``explain_batch`` call per component and batch. Reading events from the database
and writing the lists are not included.
Time and resident memory (``PeakMemory``: RSS sampled every 50 ms) are measured in total and,
by timing ``Recommender.fit`` / ``recommend`` calls, per component: its fit and
candidates during tuning (on the shorter validation log), its final fit, and its share of
the top-N candidates (explanations count in the top-N total only). Targets: 1M events
< 60 s for evaluation + fit + top-N, peak RSS < 2 GB.

    python benchmarks/recommenders_scaling.py [--sizes 100k,1M,5M] [--json]
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
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: events -> (users, items) of the generated log.
SIZES = {
    "100k": (100_000, 50_000, 5_000),
    "1M": (1_000_000, 200_000, 10_000),
    "5M": (5_000_000, 500_000, 20_000),
}
TOP_N = 24
CLUSTERS = 25
EVENT_KINDS = np.array(["view", "basket_add", "purchase"], dtype=object)
EVENT_SHARES = (0.75, 0.15, 0.10)
TARGET_SECONDS = 60.0
TARGET_PEAK_MB = 2048.0
YEAR = 365 * 86_400


# -- the synthetic log ----------------------------------------------------------------------


def synthetic_interactions(n_events: int, n_users: int, n_items: int, seed: int = 42) -> Any:
    """A shop-like log of ``n_events`` events as ``Interactions`` (deterministic per seed).

    Item popularity follows a Zipf law (exponent 1) over a random order of the items;
    every user has one event and the rest follow a Pareto law of activity (shape 1.5), so
    a few users have hundreds of events and most have one or two. Each user has a taste
    cluster; 70 % of their events pick an item of that cluster (by popularity within it),
    the rest any item by global popularity.
    """
    from oscar_ai_crm.features.interactions import Interactions

    rng = np.random.default_rng(seed)
    extra = _draw(rng, rng.pareto(1.5, n_users) + 1.0, n_events - n_users)
    users = np.sort(np.concatenate([np.arange(n_users), extra]))  # everyone has an event
    item_weight = 1.0 / rng.permutation(np.arange(1, n_items + 1)).astype(np.float64)
    items = _items(rng, users, item_weight, rng.integers(0, CLUSTERS, n_users))
    position = np.arange(n_events) - np.searchsorted(users, users)  # rank within the user
    length = rng.integers(2, 9, n_users)[users]  # events per session, per user
    sessions, session = np.unique(users * (n_events + 1) + position // length, return_inverse=True)
    start = rng.integers(0, YEAR, len(sessions))
    timestamps = 1_700_000_000 + start[session] + (position % length) * 90
    kinds = EVENT_KINDS[_draw(rng, np.array(EVENT_SHARES), n_events)]
    baskets = np.where(kinds == "purchase", session, -1)
    return Interactions.from_columns(
        users,
        items,
        timestamps,
        events=kinds,
        baskets=[None if b < 0 else b for b in baskets.tolist()],
    )


def _draw(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """``n`` indices drawn with probability proportional to ``weights``."""
    cumulative = np.cumsum(weights)
    return np.searchsorted(cumulative, rng.random(n) * cumulative[-1], side="right")


def _items(
    rng: np.random.Generator, users: np.ndarray, weight: np.ndarray, taste: np.ndarray
) -> np.ndarray:
    item_cluster = rng.integers(0, CLUSTERS, len(weight))
    items = _draw(rng, weight, len(users))  # global popularity
    in_cluster = rng.random(len(users)) < 0.7
    for cluster in range(CLUSTERS):
        members = np.flatnonzero(item_cluster == cluster)
        rows = np.flatnonzero(in_cluster & (taste[users] == cluster))
        items[rows] = members[_draw(rng, weight[members], len(rows))]
    return items


# -- measuring one size (in the child process) ----------------------------------------------


class ComponentClock:
    """Times every ``Recommender.fit`` / ``recommend`` call, by model name and stage."""

    def __init__(self) -> None:
        self.stage = "fit"
        self.evaluating = False
        self.seconds: dict[tuple[str, str], float] = defaultdict(float)
        self.growth_mb: dict[tuple[str, str], float] = defaultdict(float)
        self.full_size = 0

    @contextmanager
    def patched(self) -> Iterator[ComponentClock]:
        from oscar_ai_crm.recommenders.base import Recommender

        original_fit, original_recommend = Recommender.fit, Recommender.recommend
        clock = self

        def fit(model: Any, interactions: Any) -> Any:
            tuning = len(interactions) < clock.full_size
            stage = "tuning fit" if tuning else "final fit"
            with clock.timed(model.name, f"evaluation: {stage}" if clock.evaluating else stage):
                return original_fit(model, interactions)

        def recommend(model: Any, *args: Any, **kwargs: Any) -> Any:
            stage = "tuning candidates" if clock.stage == "fit" else "top-N candidates"
            with clock.timed(model.name, f"evaluation: {stage}" if clock.evaluating else stage):
                return original_recommend(model, *args, **kwargs)

        Recommender.fit, Recommender.recommend = fit, recommend
        try:
            yield self
        finally:
            Recommender.fit, Recommender.recommend = original_fit, original_recommend

    @contextmanager
    def timed(self, name: str, stage: str) -> Iterator[None]:
        from oscar_ai_crm.recommendations.memory import PeakMemory

        started = time.perf_counter()
        with PeakMemory() as memory:
            yield
        self.seconds[(name, stage)] += time.perf_counter() - started
        self.growth_mb[(name, stage)] = max(self.growth_mb[(name, stage)], memory.growth_mb)


def everyones_lists(model: Any, data: Any) -> np.ndarray:
    """Every user's list with its reasons, as publishing computes it; the list lengths."""
    from oscar_ai_crm.recommendations.fitting import FittedModels
    from oscar_ai_crm.recommendations.lists import customer_lists

    fitted = FittedModels(
        serve=model,
        popularity=model.component("popularity") or model,
        similar=None,
        similar_text=None,
        bought_together=None,
    )
    lengths = np.zeros(data.n_users, dtype=np.int64)
    for user, entries in customer_lists(fitted, data, np.arange(data.n_users), TOP_N):
        lengths[user] = len(entries)
    return lengths


def promotion_evaluation(data: Any) -> None:
    """What a training run does before fitting: the candidate and popularity, one split."""
    from oscar_ai_crm.conf import DEFAULTS
    from oscar_ai_crm.evaluation.runner import evaluate_models
    from oscar_ai_crm.evaluation.splits import time_split
    from oscar_ai_crm.recommenders.registry import build_recommender

    settings = DEFAULTS["RECOMMENDATIONS"]
    evaluation = settings["EVALUATION"]
    models = {
        "candidate": build_recommender(settings["SERVE"], settings["MODELS"]),
        "popularity": build_recommender("popularity", settings["MODELS"]),
    }
    split = time_split(data, evaluation["TEST_FRACTION"], evaluation["TARGET_EVENTS"])
    evaluate_models(models, split, evaluation["K"], exclude_purchased=True)


def measure(size: str, seed: int) -> dict[str, Any]:
    """Generate one size, fit the default hybrid and compute every top-N; the figures."""
    from oscar_ai_crm.conf import DEFAULTS
    from oscar_ai_crm.recommendations.memory import PeakMemory
    from oscar_ai_crm.recommenders.registry import build_recommender

    n_events, n_users, n_items = SIZES[size]
    started = time.perf_counter()
    data = synthetic_interactions(n_events, n_users, n_items, seed)
    _ = data.user_items, data.purchased  # built once, as the training run does
    generated = time.perf_counter() - started
    hybrid = build_recommender("hybrid", DEFAULTS["RECOMMENDATIONS"]["MODELS"])
    clock = ComponentClock()
    clock.full_size = len(data)
    cpu_started = time.process_time()
    with clock.patched(), PeakMemory() as memory:
        started = time.perf_counter()
        clock.evaluating = True
        promotion_evaluation(data)
        clock.evaluating = False
        evaluation_seconds = time.perf_counter() - started
        started = time.perf_counter()
        hybrid.fit(data)
        fit_seconds = time.perf_counter() - started
        clock.stage = "top-N"
        lengths = everyones_lists(hybrid, data)
        total = time.perf_counter() - started
    return {
        "cpu_seconds": time.process_time() - cpu_started,
        "load_average": os.getloadavg()[0],
        "size": size,
        "events": len(data),
        "users": data.n_users,
        "items": data.n_items,
        "users_with_list": int((lengths > 0).sum()),
        "generate_seconds": generated,
        "fit_seconds": fit_seconds,
        "top_n_seconds": total - fit_seconds,
        "total_seconds": total,
        "evaluation_seconds": evaluation_seconds,
        "run_seconds": evaluation_seconds + total,
        "peak_rss_mb": memory.peak_mb,
        "rss_growth_mb": memory.growth_mb,
        "start_rss_mb": memory.start_bytes / 2**20,
        "weights": hybrid.weights_,
        "components": [
            {"model": name, "stage": stage, "seconds": seconds, "rss_growth_mb": grown}
            for (name, stage), seconds in clock.seconds.items()
            for grown in [clock.growth_mb[(name, stage)]]
        ],
    }


# -- the parent: one subprocess per size, then the report -----------------------------------


def run_child(size: str, seed: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        path = out.name
    command = [sys.executable, __file__, "--child", size, "--seed", str(seed), "--out", path]
    subprocess.run(command, check=True)
    result = json.loads(Path(path).read_text())
    os.unlink(path)
    return result


def growth_lines(results: list[dict[str, Any]]) -> list[str]:
    """Time ratios between consecutive sizes and the implied exponent (time ~ events^b)."""
    lines = []
    for small, large in zip(results, results[1:], strict=False):
        events = large["events"] / small["events"]
        for key in ("fit_seconds", "top_n_seconds", "total_seconds", "run_seconds"):
            ratio = large[key] / small[key]
            exponent = math.log(ratio) / math.log(events)
            lines.append(
                f"{small['size']} -> {large['size']} ({events:.0f}x events): {key} x{ratio:.1f} "
                f"(time ~ events^{exponent:.2f})"
            )
    return lines


def target_lines(results: list[dict[str, Any]]) -> list[str]:
    lines = []
    for r in results:
        if r["size"] == "1M":
            verdict = "PASS" if r["run_seconds"] < TARGET_SECONDS else "FAIL"
            lines.append(
                f"{verdict} 1M events, evaluation + fit + top-N {r['run_seconds']:.1f} s "
                f"< {TARGET_SECONDS} s"
            )
        verdict = "PASS" if r["peak_rss_mb"] < TARGET_PEAK_MB else "FAIL"
        lines.append(f"{verdict} {r['size']} peak RSS {r['peak_rss_mb']:.0f} MB < {TARGET_PEAK_MB}")
    return lines


def format_report(results: list[dict[str, Any]]) -> str:
    lines = [
        "| size | events | users | items | evaluation s | fit s | top-N s | run s | CPU s | load "
        "| peak RSS MB | growth MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['size']} | {r['events']:,} | {r['users']:,} | {r['items']:,} "
            f"| {r['evaluation_seconds']:.1f} | {r['fit_seconds']:.1f} | {r['top_n_seconds']:.1f} "
            f"| {r['run_seconds']:.1f} "
            f"| {r['cpu_seconds']:.1f} | {r['load_average']:.1f} | {r['peak_rss_mb']:.0f} "
            f"| {r['rss_growth_mb']:.0f} |"
        )
    lines += ["", "| size | model | stage | seconds | RSS growth MB |", "|---|---|---|---|---|"]
    for r in results:
        for c in sorted(r["components"], key=lambda c: (c["model"], c["stage"])):
            lines.append(
                f"| {r['size']} | {c['model']} | {c['stage']} | {c['seconds']:.1f} "
                f"| {c['rss_growth_mb']:.0f} |"
            )
    lines += ["", *[f"{r['size']} weights: {r['weights']}" for r in results]]
    return "\n".join([*lines, "", *growth_lines(results), *target_lines(results)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default=",".join(SIZES), help="comma-separated, of " + ",".join(SIZES)
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--child", choices=list(SIZES), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
        import django

        django.setup()
        Path(args.out).write_text(json.dumps(measure(args.child, args.seed), default=float))
        return 0
    results = []
    for size in args.sizes.split(","):
        print(f"[{time.strftime('%H:%M:%S')}] {size} events ...", file=sys.stderr, flush=True)
        results.append(run_child(size, args.seed))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    print(json.dumps(results, indent=2) if args.json else format_report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
