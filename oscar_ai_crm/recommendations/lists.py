"""Top-N lists from fitted models: per customer (with reasons) and per product.

Plain numpy in, plain values out; :mod:`.publishing` turns them into rows.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from threadpoolctl import threadpool_limits

from ..conf import crm_settings
from ..exceptions import UnsupportedFeature
from ..features.interactions import Interactions
from ..models import ProductLinkKind, ReasonKind
from ..recommenders.base import Recommender
from ..recommenders.hybrid import HybridRecommender
from .fitting import FittedModels

#: Customers recommended for per batch (bounds memory at BATCH x items floats).
BATCH = 1000
#: Threads computing blocks at once (memory: WORKERS x BATCH x items floats).
WORKERS = max(1, min(4, os.cpu_count() or 1))
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
    """(user index, entries) for each of ``users``, best first.

    Blocks of :data:`BATCH` customers are computed by :data:`WORKERS` threads (numpy and
    scipy release the GIL in the heavy steps) with BLAS held to one thread each, at most
    one block ahead per thread, so finished lists never pile up in memory.
    """
    exclude = data.purchased if crm_settings.RECOMMENDATIONS["EXCLUDE_PURCHASED"] else None
    blocked = unavailable_items(data)
    blocks = (users[start : start + BATCH] for start in range(0, len(users), BATCH))
    with threadpool_limits(1, "blas"), ThreadPoolExecutor(WORKERS) as pool:
        pending: deque[Future[list[tuple[int, list[Entry]]]]] = deque()
        for block in blocks:
            pending.append(
                pool.submit(_block_lists, fitted.serve, data, block, top_n, blocked, exclude)
            )
            if len(pending) > WORKERS:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _block_lists(
    model: Recommender,
    data: Interactions,
    block: np.ndarray,
    top_n: int,
    blocked: np.ndarray | None,
    exclude: sparse.csr_matrix | None,
) -> list[tuple[int, list[Entry]]]:
    """The lists of one block of customers."""
    if isinstance(model, HybridRecommender):
        ids, scores, winners = model.recommend_explained(
            block, data.user_items, top_n, False, blocked, exclude
        )
    else:
        ids, scores = model.recommend(block, data.user_items, top_n, False, blocked, exclude)
        winners = np.full(ids.shape, "", dtype=object)
    listed = np.minimum.accumulate(ids >= 0, axis=1)  # a list ends at its first gap
    kinds, reason_items = _reasons(model, data, block, ids, winners, listed)
    lengths = listed.sum(axis=1).tolist()
    return [
        (user, _entries(ids[row], scores[row], kinds[row], reason_items[row], lengths[row]))
        for row, user in enumerate(block.tolist())
    ]


def _reasons(
    model: Recommender,
    data: Interactions,
    users: np.ndarray,
    ids: np.ndarray,
    winners: np.ndarray,
    listed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(kinds, reason items) of a block's lists, with one ``explain_batch`` per explainer.

    The component that contributed most to an item explains it (the model itself when it
    is not a blend); the first ``EXPLAINED`` items get its explanation, the others, and
    those it cannot explain, its default reason kind.
    """
    kinds = np.full(ids.shape, "", dtype=object)
    reason_items = np.full(ids.shape, -1, dtype=np.int64)
    for alias in np.unique(winners[listed]).tolist():
        explainer = _explainer(model, alias)
        group = listed & (winners == alias)
        kinds[group] = _default_reason(explainer)
        rows, positions = np.nonzero(group[:, :EXPLAINED])
        found, items = explainer.explain_batch(users[rows], data.user_items, ids[rows, positions])
        explained = found != ""
        kinds[rows[explained], positions[explained]] = found[explained]
        reason_items[rows[explained], positions[explained]] = items[explained]
    return kinds, reason_items


def _explainer(model: Recommender, alias: str) -> Recommender:
    if isinstance(model, HybridRecommender) and alias:
        return model.component(alias) or model
    return model


def _entries(
    ids: np.ndarray, scores: np.ndarray, kinds: np.ndarray, reason_items: np.ndarray, length: int
) -> list[Entry]:
    """The first ``length`` slots of one customer's list."""
    columns = (ids, scores, kinds, reason_items)
    return [
        Entry(item, score, kind if kind in REASON_KINDS else "", None if anchor < 0 else anchor)
        for item, score, kind, anchor in zip(*(c[:length].tolist() for c in columns), strict=True)
    ]


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
