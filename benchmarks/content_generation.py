"""Batch generation of product descriptions: throughput, concurrency, nothing regenerated.

A catalogue of ``--products`` (500) products is built by the demo generator's catalogue
code (departments, categories, product classes with attributes, stock records) in a
temporary SQLite database with the example shop's settings. Descriptions are then drafted
the way the admin and the django-q2 task do it (``create_batches`` + ``run_batch``):

1. with the offline backend (composes text from the product's data, no model);
2. against a local server speaking the OpenAI chat-completions schema (the tests' fake
   server, on 127.0.0.1, answering after ``--latency`` seconds, as a model server would),
   through the official ``openai`` client, with CONCURRENCY 1 and 8;
3. each once more with the same options: unchanged products are skipped, none regenerated.

Printed: seconds, drafts per second, created / skipped / failed counts, the speed-up from
concurrency against CONCURRENCY 1 measured in the same run. Targets: the second run of
every configuration creates nothing; concurrency 8 is at least 4x faster than 1 against the
server.

    python benchmarks/content_generation.py [--products 500] [--latency 0.05] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER_CONCURRENCY = (1, 8)
TARGET_SPEEDUP = 4.0
OPTIONS = {"tone": "friendly", "length": "medium", "language": "en", "keywords": ""}


def setup_django() -> None:
    """Django with the example shop's settings on a new SQLite file in a temp folder."""
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "example_project.settings"
    os.environ["EXAMPLE_SHOP_VAR_DIR"] = tempfile.mkdtemp(prefix="crm-content-bench-")
    import django

    django.setup()


def build_catalogue(count: int, seed: int) -> list[int]:
    """``count`` products with categories, attributes and stock; their ids."""
    from django.core.management import call_command
    from django.utils import timezone

    from example_project.demo.generator.catalogue import build_catalogue as build
    from example_project.demo.generator.catalogue_plan import plan_catalogue

    call_command("migrate", verbosity=0)
    plans = plan_catalogue(count, random.Random(f"{seed}:catalogue"))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "update is not implemented", UserWarning)
        products = build(plans, timezone.now() - timedelta(days=30))
    return [product.pk for product in products]


def run_batches(product_ids: list[int], backend: str) -> dict[str, Any]:
    """Create and run the batches as the task would; counts and seconds."""
    from oscar_ai_crm.content.batches import create_batches, run_batch

    started = time.perf_counter()
    batches = create_batches(product_ids, {**OPTIONS, "backend": backend})
    finished = [run_batch(batch.pk, progress=lambda _line: None) for batch in batches]
    seconds = time.perf_counter() - started
    counts = {
        key: sum(getattr(batch, key) for batch in finished)
        for key in ("created", "skipped", "flagged", "failed")
    }
    return {"seconds": seconds, "per_second": len(product_ids) / seconds, **counts}


def measure(ids: list[int], latency: float) -> list[dict[str, Any]]:
    """Every configuration twice (the second time nothing should be generated)."""
    from django.test import override_settings

    from oscar_ai_crm.conf import crm_settings
    from oscar_ai_crm.llm.backends import clear_backend_cache
    from tests.llm.fake_openai import FakeOpenAI

    rows = [
        {"backend": "offline", "concurrency": "-", "run": run, **run_batches(ids, "offline")}
        for run in ("first", "again")
    ]
    with FakeOpenAI("A well made product, described by a model server.") as server:
        server.delay = latency
        for concurrency in SERVER_CONCURRENCY:
            llm = {
                **crm_settings.LLM,
                "CONCURRENCY": concurrency,
                "BACKENDS": {
                    **crm_settings.LLM["BACKENDS"],
                    f"server-{concurrency}": {
                        "CLASS": "oscar_ai_crm.llm.backends.openai_backend.OpenAIBackend",
                        "OPTIONS": {"base_url": server.base_url, "api_key": "benchmark"},
                    },
                },
            }
            with override_settings(OSCAR_AI_CRM={"LLM": llm}):
                clear_backend_cache()
                for run in ("first", "again"):
                    result = run_batches(ids, f"server-{concurrency}")
                    rows.append(
                        {"backend": "server", "concurrency": concurrency, "run": run, **result}
                    )
    return rows


def verdicts(rows: list[dict[str, Any]]) -> list[str]:
    lines = []
    for row in rows:
        if row["run"] == "again":
            verdict = "PASS" if row["created"] == 0 and row["failed"] == 0 else "FAIL"
            lines.append(
                f"{verdict} second run ({row['backend']}, concurrency {row['concurrency']}): "
                f"{row['created']} created, {row['skipped']} skipped"
            )
    firsts = {r["concurrency"]: r for r in rows if r["backend"] == "server" and r["run"] == "first"}
    low, high = SERVER_CONCURRENCY
    if low in firsts and high in firsts:
        speedup = firsts[low]["seconds"] / firsts[high]["seconds"]
        verdict = "PASS" if speedup >= TARGET_SPEEDUP else "FAIL"
        lines.append(
            f"{verdict} concurrency {high} vs {low} against the server: {speedup:.1f}x faster "
            f"(target {TARGET_SPEEDUP}x)"
        )
    return lines


def format_rows(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| backend | concurrency | run | seconds | drafts/s | created | skipped | flagged "
        "| failed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['backend']} | {r['concurrency']} | {r['run']} | {r['seconds']:.2f} "
            f"| {r['per_second']:.1f} | {r['created']} | {r['skipped']} | {r['flagged']} "
            f"| {r['failed']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.05, help="server reply delay, s")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    setup_django()
    product_ids = build_catalogue(args.products, args.seed)
    rows = measure(product_ids, args.latency)
    lines = verdicts(rows)
    if args.json:
        print(json.dumps({"products": len(product_ids), "rows": rows, "targets": lines}))
    else:
        print(f"{len(product_ids)} products, server latency {args.latency * 1000:.0f} ms\n")
        print(format_rows(rows))
        print("\n".join(["", *lines]))
    return 0 if all(line.startswith("PASS") for line in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
