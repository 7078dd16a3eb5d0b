"""MovieLens 100k: rating prediction (RMSE / MAE, 5-fold) and top-N from ratings >= 4.

1. Surprise's KNNBasic, KNNWithMeans, KNNBaseline and SVD through
   ``cross_validate_ratings`` (the options of ``AlgorithmSpec``: item-based,
   pearson_baseline, k = 40; SVD 100 factors, 20 epochs), 5 shuffled folds, seed 42,
   and the shipped default (``RECOMMENDATIONS["MODELS"]["ratings"]`` in ``conf.DEFAULTS``).
   Target: the default's RMSE <= 0.93.
2. Implicit top-N: ratings >= 4 are positives; time split (last 20 % of the timeline
   tested: few users rate in both periods) and leave-last-out (each user's last positive);
   K = 10, already-rated movies excluded; popularity, item_knn, als and the default
   hybrid, built from the shipped defaults.

    python benchmarks/ratings_movielens.py [--json] [--skip-topn] [--folds 5]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.recommenders_quality import (  # noqa: E402
    TEST_FRACTION,
    HybridWeights,
    K,
    build_models,
    format_rows,
    say,
    setup_django,
)

ALGORITHMS = ("KNNBasic", "KNNWithMeans", "KNNBaseline", "SVD")
TARGET_RMSE = 0.93
SEED = 42
TOPN_MODELS = ["popularity", "item_knn", "als", "hybrid"]


def shipped_default() -> dict[str, Any]:
    """The configured ratings model's options (``conf.DEFAULTS``)."""
    from oscar_ai_crm.conf import DEFAULTS

    return dict(DEFAULTS["RECOMMENDATIONS"]["MODELS"]["ratings"]["OPTIONS"])


def cross_validation(data: Any, folds: int) -> list[dict[str, Any]]:
    """One summary per algorithm, then the shipped default (reused if it is one of them)."""
    from oscar_ai_crm.recommenders.explicit_evaluation import cross_validate_ratings

    def run(algorithm: str, **options: Any) -> dict[str, Any]:
        say(f"{folds}-fold cross-validation of {algorithm} {options or ''}")
        return cross_validate_ratings(
            data.users,
            data.items,
            data.ratings,
            algorithm,
            folds=folds,
            random_state=options.pop("random_state", SEED),
            **options,
        )

    results = [run(algorithm) | {"label": algorithm} for algorithm in ALGORITHMS]
    default = shipped_default()
    algorithm = default.pop("algorithm", None) or _library_default()
    same = default.get("random_state", SEED) == SEED and set(default) <= {"random_state"}
    reused = next((r for r in results if same and r["algorithm"] == algorithm), None)
    row = dict(reused) if reused else run(algorithm, **default)
    results.append(row | {"label": f"shipped default ({algorithm})", "default": True})
    return results


def _library_default() -> str:
    from oscar_ai_crm.recommenders.ratings import DEFAULT_ALGORITHM

    return DEFAULT_ALGORITHM


def format_cv(results: list[dict[str, Any]]) -> str:
    lines = [
        "| algorithm | RMSE | ± | MAE | ± | fit s / fold | test s / fold |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['label']} | {r['rmse_mean']:.4f} | {r['rmse_std']:.4f} | {r['mae_mean']:.4f} "
            f"| {r['mae_std']:.4f} | {r['fit_time_mean']:.2f} | {r['test_time_mean']:.2f} |"
        )
    default = next(r for r in results if r.get("default"))
    verdict = "PASS" if default["rmse_mean"] <= TARGET_RMSE else "FAIL"
    lines.append(f"{verdict} {default['label']} RMSE {default['rmse_mean']:.4f} <= {TARGET_RMSE}")
    return "\n".join(lines)


def top_n(data: Any) -> dict[str, Any]:
    """Ratings >= 4 as positives; time split and leave-last-out, already-seen excluded."""
    from benchmarks.datasets import movielens_interactions
    from oscar_ai_crm.evaluation.runner import evaluate_models
    from oscar_ai_crm.evaluation.splits import leave_last_out, time_split

    interactions = movielens_interactions(data, min_rating=4)
    results = {}
    for split in (time_split(interactions, TEST_FRACTION), leave_last_out(interactions)):
        say(split.description)
        models, unavailable = build_models(TOPN_MODELS)
        with HybridWeights() as weights:
            table = evaluate_models(models, split, k=K, exclude_purchased=True)
        result = table.as_dict()
        result["unavailable"] = unavailable
        result["hybrid_weights"] = weights.weights
        results[split.name] = result
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--skip-cv", action="store_true")
    parser.add_argument("--skip-topn", action="store_true")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)
    setup_django()
    from benchmarks.datasets import load_movielens_ratings

    data = load_movielens_ratings()
    results: dict[str, Any] = {"n_ratings": len(data)}
    if not args.skip_cv:
        results["cross_validation"] = cross_validation(data, args.folds)
    if not args.skip_topn:
        results["top_n"] = top_n(data)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    if "cross_validation" in results:
        print(
            f"## Rating prediction, {args.folds}-fold\n\n{format_cv(results['cross_validation'])}"
        )
    for name, top in results.get("top_n", {}).items():
        print(f"\n## Top-{K}, ratings >= 4 as positives, {name}\n")
        print(f"{top['split']['description']}\n")
        print(format_rows(top["rows"]))
        print(f"hybrid weights: {top['hybrid_weights']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
