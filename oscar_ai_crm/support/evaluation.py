"""Scoring the assistant on a labelled question set (a shop's own, or the one in tests/).

A labelled set is a JSON object with ``questions``: ``{"q": text, "expect": ...}`` where
``expect`` is an article slug (answered from the knowledge base, that article cited
first), ``"order_status"`` / ``"recent_orders"`` (answered from the asking customer's
orders) or ``"handoff"`` (must go to a person). ``{own_order}`` and ``{other_order}`` in a
question are replaced by an order number of the asking customer and of someone else;
``"other": true`` marks questions whose reply must not contain ``forbidden`` strings
(the other order's details). Hand-off is the positive class of precision and recall.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .intents import ORDER_STATUS, RECENT_ORDERS
from .language import detect_language
from .types import Reply

HANDOFF = "handoff"
ORDER_INTENTS = (ORDER_STATUS, RECENT_ORDERS)


@dataclass
class Outcome:
    question: str
    expect: str
    language: str
    got: str
    correct: bool
    handed_off: bool
    confidence: float
    seconds: float


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def subset(self, language: str) -> Report:
        return Report([o for o in self.outcomes if o.language == language])

    @property
    def accuracy(self) -> float:
        return _share(o.correct for o in self.outcomes)

    @property
    def handoff_precision(self) -> float:
        handed = [o for o in self.outcomes if o.handed_off]
        return _share(o.expect == HANDOFF for o in handed)

    @property
    def handoff_recall(self) -> float:
        expected = [o for o in self.outcomes if o.expect == HANDOFF]
        return _share(o.handed_off for o in expected)

    def latency_ms(self, quantile: float) -> float:
        return percentile([o.seconds * 1000 for o in self.outcomes], quantile)

    def summary(self) -> dict[str, Any]:
        return {
            "questions": len(self.outcomes),
            "accuracy": round(self.accuracy, 4),
            "handoff_precision": round(self.handoff_precision, 4),
            "handoff_recall": round(self.handoff_recall, 4),
            "p50_ms": round(self.latency_ms(0.5), 2),
            "p95_ms": round(self.latency_ms(0.95), 2),
        }


def percentile(values: list[float], quantile: float) -> float:
    """The ``quantile`` (0-1) of ``values`` by linear interpolation (0.0 when empty)."""
    return float(np.percentile(values, quantile * 100)) if values else 0.0


def evaluate(
    questions: Iterable[dict[str, Any]],
    answer: Callable[[str], Reply],
    *,
    slugs: dict[int, str],
    own_order: str = "",
    other_order: str = "",
    forbidden: Iterable[str] = (),
) -> Report:
    """Ask every question through ``answer`` and score the replies."""
    forbidden = [text for text in forbidden if text]
    report = Report()
    for item in questions:
        text = item["q"].format(own_order=own_order, other_order=other_order)
        started = time.perf_counter()
        reply = answer(text)
        seconds = time.perf_counter() - started
        got = _label(reply, slugs)
        correct = _is_correct(item, reply, got, forbidden)
        report.outcomes.append(
            Outcome(
                text, item["expect"], detect_language(text), got, correct,
                reply.handed_off, reply.confidence, seconds,
            )
        )  # fmt: skip
    return report


def _label(reply: Reply, slugs: dict[int, str]) -> str:
    if reply.handed_off:
        return HANDOFF
    if reply.articles:
        return slugs.get(reply.articles[0].article_id, f"article {reply.articles[0].article_id}")
    return reply.intent


def _is_correct(item: dict[str, Any], reply: Reply, got: str, forbidden: list[str]) -> bool:
    if item.get("other") and any(text in reply.text for text in forbidden):
        return False
    return got == item["expect"]


def _share(flags: Iterable[bool]) -> float:
    values = list(flags)
    return sum(values) / len(values) if values else 0.0
