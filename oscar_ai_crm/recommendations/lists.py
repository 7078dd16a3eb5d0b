"""Top-N lists from fitted models: per customer (with reasons) and per product.

Plain numpy in, plain values out; :mod:`.publishing` turns them into rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..conf import crm_settings
from ..exceptions import UnsupportedFeature
from ..features.interactions import Interactions
from ..models import ProductLinkKind, ReasonKind
from ..recommenders.base import Reason, Recommender
from ..recommenders.hybrid import HybridRecommender
from .fitting import FittedModels

#: Customers recommended for per batch (bounds memory at BATCH x items floats).
BATCH = 1000
#: Items per customer that get a model explanation ("because you viewed X"); the rest get
#: the reason kind of the model that proposed them.
EXPLAINED = 8
#: Length of the global popular list (the cold-start fallback).
POPULAR_LENGTH = 200

REASON_KINDS = {kind.value for kind in ReasonKind}


@dataclass(frozen=True)
class Entry:
    item: int
    score: float
    reason: str = ""
    reason_item: int | None = None


def unavailable_items(data: Interactions) -> np.ndarray | None:
    available = data.items.available
    return None if available is None else np.flatnonzero(~available)


def customer_lists(
    fitted: FittedModels, data: Interactions, users: np.ndarray, top_n: int
) -> Iterator[tuple[int, list[Entry]]]:
    """(user index, entries) for each of ``users``, best first."""
    model = fitted.serve
    exclude = data.purchased if crm_settings.RECOMMENDATIONS["EXCLUDE_PURCHASED"] else None
    blocked = unavailable_items(data)
    for start in range(0, len(users), BATCH):
        block = users[start : start + BATCH]
        if isinstance(model, HybridRecommender):
            ids, scores, winners = model.recommend_explained(
                block, data.user_items, top_n, False, blocked, exclude
            )
        else:
            ids, scores = model.recommend(block, data.user_items, top_n, False, blocked, exclude)
            winners = np.full(ids.shape, "", dtype=object)
        for row, user in enumerate(block.tolist()):
            yield user, _entries(model, data, user, ids[row], scores[row], winners[row])


def _entries(
    model: Recommender,
    data: Interactions,
    user: int,
    ids: np.ndarray,
    scores: np.ndarray,
    winners: np.ndarray,
) -> list[Entry]:
    entries = []
    for position, (item, score) in enumerate(zip(ids.tolist(), scores.tolist(), strict=True)):
        if item < 0:
            break
        explainer = model
        if isinstance(model, HybridRecommender) and winners[position]:
            explainer = model.component(winners[position]) or model
        reason = None
        if position < EXPLAINED:
            reason = explainer.explain(user, data.user_items, item)
        if reason is None:
            reason = Reason(_default_reason(explainer))
        kind = reason.kind if reason.kind in REASON_KINDS else ""
        entries.append(Entry(item, float(score), kind, reason.item))
    return entries


def _default_reason(model: Recommender) -> str:
    return {
        "popularity": ReasonKind.POPULAR,
        "history": ReasonKind.HISTORY,
        "bought_together": ReasonKind.BOUGHT_TOGETHER,
        "ratings": ReasonKind.RATED,
    }.get(model.name, ReasonKind.SIMILAR)


def product_lists(
    fitted: FittedModels, data: Interactions, top_n: int
) -> Iterator[tuple[str, int | None, list[Entry]]]:
    """(kind, source item or None, entries): similar, bought together, popular."""
    blocked = unavailable_items(data)
    items = np.arange(data.n_items)
    yield from _similar_lists(fitted, items, top_n, blocked)
    if fitted.bought_together is not None:
        for item, entries in _item_lists(fitted.bought_together, items, top_n, blocked):
            if entries:
                yield ProductLinkKind.BOUGHT_TOGETHER, item, entries
    ids, scores = fitted.popularity.recommend(0, data.user_items, POPULAR_LENGTH, False, blocked)
    yield ProductLinkKind.POPULAR, None, [e for e in _plain(ids, scores) if e.score > 0]


def _similar_lists(
    fitted: FittedModels, items: np.ndarray, top_n: int, blocked: np.ndarray | None
) -> Iterator[tuple[str, int, list[Entry]]]:
    """Collaborative similar items first, topped up with text-similar ones."""
    collaborative = dict(_item_lists(fitted.similar, items, top_n, blocked))
    text = dict(_item_lists(fitted.similar_text, items, top_n, blocked))
    for item in items.tolist():
        entries = list(collaborative.get(item, []))
        seen = {entry.item for entry in entries}
        for entry in text.get(item, []):
            if len(entries) >= top_n:
                break
            if entry.item not in seen:
                entries.append(entry)
                seen.add(entry.item)
        if entries:
            yield ProductLinkKind.SIMILAR, item, entries


def _item_lists(
    model: Recommender | None, items: np.ndarray, top_n: int, blocked: np.ndarray | None
) -> Iterator[tuple[int, list[Entry]]]:
    if model is None:
        return
    try:
        ids, scores = model.similar_items(items, top_n, blocked)
    except UnsupportedFeature:  # a model without similar items leaves the list empty
        return
    for row, item in enumerate(items.tolist()):
        yield item, [e for e in _plain(ids[row], scores[row]) if e.score > 0]


def _plain(ids: np.ndarray, scores: np.ndarray) -> list[Entry]:
    return [
        Entry(int(item), float(score))
        for item, score in zip(ids.tolist(), scores.tolist(), strict=True)
        if item >= 0
    ]
