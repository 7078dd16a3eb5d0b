"""``Interactions``: who did what with which item, when, as plain numpy arrays.

Every recommender trains on an :class:`Interactions` object and every evaluation splits
one. It is built from the shop's event log (:mod:`.event_interactions`) or from an exported
file (:mod:`.interaction_files`), and knows nothing of Django.

Rows are individual interactions (a view, a basket addition, a purchased line, a rating).
Users and items are re-indexed to ``0..n-1``; ``user_ids`` / ``item_ids`` map indices back
to the external ids (customer pk, product pk, or the ids of an imported file).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from scipy import sparse

#: Default weight of each event kind in the implicit-feedback matrix (view < basket < order).
DEFAULT_EVENT_WEIGHTS: dict[str, float] = {
    "view": 1.0,
    "basket_add": 3.0,
    "purchase": 5.0,
    "review": 2.0,
}

#: Event kind names that mean "bought" (for already-bought filtering and co-occurrence).
PURCHASE_EVENTS = frozenset({"purchase"})


@dataclass(frozen=True, eq=False)
class ItemInfo:
    """What is known about the items besides interactions (aligned with ``item_ids``).

    ``text`` feeds text similarity; ``category`` names the item's main category (for
    "popular in ..." explanations); ``available`` is False for items that must not be
    recommended (out of stock, not public). Any of them may be ``None``.
    """

    text: Sequence[str] | None = None
    category: Sequence[str] | None = None
    available: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Interactions:
    """A log of interactions with contiguous user and item indices.

    Parameters
    ----------
    user_index, item_index : int32 arrays, one entry per interaction.
    weight : float32 array, confidence of each interaction (see ``DEFAULT_EVENT_WEIGHTS``).
    timestamp : int64 array, seconds since the epoch.
    event : array of str, the event kind of each interaction ("view", "purchase", ...).
    basket : int64 array, interactions bought together share a value; -1 when not a purchase.
    rating : float32 array, explicit rating (e.g. review stars) or NaN.
    user_ids, item_ids : arrays mapping index -> external id.
    items : optional item metadata aligned with ``item_ids``.
    """

    user_index: np.ndarray
    item_index: np.ndarray
    weight: np.ndarray
    timestamp: np.ndarray
    event: np.ndarray
    basket: np.ndarray
    rating: np.ndarray
    user_ids: np.ndarray
    item_ids: np.ndarray
    items: ItemInfo = field(default_factory=ItemInfo)

    def __post_init__(self) -> None:
        lengths = {
            len(a)
            for a in (
                self.user_index,
                self.item_index,
                self.weight,
                self.timestamp,
                self.event,
                self.basket,
                self.rating,
            )
        }
        if len(lengths) > 1:
            raise ValueError("Interaction arrays must all have the same length.")

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_columns(
        cls,
        users: Sequence[Any],
        items: Sequence[Any],
        timestamps: Sequence[float] | np.ndarray,
        *,
        events: Sequence[str] | None = None,
        weights: Sequence[float] | np.ndarray | None = None,
        baskets: Sequence[Any] | None = None,
        ratings: Sequence[float] | np.ndarray | None = None,
        event_weights: Mapping[str, float] | None = None,
        all_item_ids: Sequence[Any] | None = None,
        items_info: Mapping[Any, Mapping[str, Any]] | None = None,
    ) -> Interactions:
        """Build from parallel columns of external ids.

        ``weights`` wins over ``event_weights`` (per-kind weights, default
        :data:`DEFAULT_EVENT_WEIGHTS`; unknown kinds weigh 1). Without ``events`` every row
        is a "purchase". ``baskets`` groups purchases (an order number); without it,
        purchases by one user at one timestamp form a basket. ``all_item_ids`` adds items
        without interactions (e.g. new products, for text similarity). ``items_info`` maps an
        item id to ``{"text": ..., "category": ..., "available": ...}``.
        """
        n = len(users)
        user_ids, user_index = _index(users)
        item_ids, item_index = _index(items, extra=all_item_ids)
        timestamp = np.asarray(timestamps, dtype=np.int64).reshape(n)
        event = np.asarray(events if events is not None else ["purchase"] * n, dtype=object)
        if weights is not None:
            weight = np.asarray(weights, dtype=np.float32)
        else:
            table = dict(DEFAULT_EVENT_WEIGHTS if event_weights is None else event_weights)
            weight = np.array([table.get(e, 1.0) for e in event], dtype=np.float32)
        rating = (
            np.asarray(ratings, dtype=np.float32)
            if ratings is not None
            else np.full(n, np.nan, dtype=np.float32)
        )
        basket = _basket_groups(event, user_index, timestamp, baskets)
        return cls(
            user_index=user_index,
            item_index=item_index,
            weight=weight,
            timestamp=timestamp,
            event=event,
            basket=basket,
            rating=rating,
            user_ids=user_ids,
            item_ids=item_ids,
            items=_item_info(item_ids, items_info),
        )

    # -- shape and views ----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.user_index)

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @cached_property
    def user_items(self) -> sparse.csr_matrix:
        """users x items CSR matrix of summed weights (repeat interactions add up)."""
        return self._matrix(np.ones(len(self), dtype=bool), self.weight)

    @cached_property
    def purchased(self) -> sparse.csr_matrix:
        """users x items CSR matrix of purchase counts (the "already bought" set)."""
        mask = np.isin(self.event, list(PURCHASE_EVENTS))
        return self._matrix(mask, np.ones(len(self), dtype=np.float32))

    @cached_property
    def ratings(self) -> sparse.csr_matrix:
        """users x items CSR matrix of the latest explicit rating (0 = none)."""
        mask = ~np.isnan(self.rating)
        order = np.argsort(self.timestamp[mask], kind="stable")
        users = self.user_index[mask][order]
        items = self.item_index[mask][order]
        values = self.rating[mask][order]
        latest: dict[tuple[int, int], float] = {}
        for u, i, r in zip(users.tolist(), items.tolist(), values.tolist(), strict=True):
            latest[(u, i)] = r
        if not latest:
            return sparse.csr_matrix((self.n_users, self.n_items), dtype=np.float32)
        keys = np.array(list(latest.keys()), dtype=np.int64)
        return sparse.csr_matrix(
            (np.array(list(latest.values()), dtype=np.float32), (keys[:, 0], keys[:, 1])),
            shape=(self.n_users, self.n_items),
        )

    def subset(self, mask: np.ndarray) -> Interactions:
        """The interactions where ``mask`` is True, keeping every user and item index."""
        return Interactions(
            user_index=self.user_index[mask],
            item_index=self.item_index[mask],
            weight=self.weight[mask],
            timestamp=self.timestamp[mask],
            event=self.event[mask],
            basket=self.basket[mask],
            rating=self.rating[mask],
            user_ids=self.user_ids,
            item_ids=self.item_ids,
            items=self.items,
        )

    def _matrix(self, mask: np.ndarray, values: np.ndarray) -> sparse.csr_matrix:
        matrix = sparse.csr_matrix(
            (values[mask], (self.user_index[mask], self.item_index[mask])),
            shape=(self.n_users, self.n_items),
            dtype=np.float32,
        )
        matrix.sum_duplicates()
        return matrix


def _index(
    values: Sequence[Any], extra: Sequence[Any] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Map external ids to 0..n-1 (sorted id order; ``extra`` ids without rows appended)."""
    array = np.asarray(values)
    if len(array) == 0:
        array = np.asarray([], dtype=object)
    ids, index = np.unique(array, return_inverse=True)
    if extra is not None:
        known = set(ids.tolist())
        missing = [value for value in dict.fromkeys(extra) if value not in known]
        if missing:
            ids = np.concatenate([ids.astype(object), np.asarray(missing, dtype=object)])
    return ids.astype(object), index.astype(np.int32).reshape(len(array))


def _basket_groups(
    event: np.ndarray,
    user_index: np.ndarray,
    timestamp: np.ndarray,
    baskets: Sequence[Any] | None,
) -> np.ndarray:
    """Group id per purchase row (-1 for other rows)."""
    is_purchase = np.isin(event, list(PURCHASE_EVENTS))
    group = np.full(len(event), -1, dtype=np.int64)
    if baskets is not None:
        keys: list[Any] = [(k,) if k not in (None, "") else None for k in baskets]
    else:
        keys = list(zip(user_index.tolist(), timestamp.tolist(), strict=True))
    mapping: dict[Any, int] = {}
    for position in np.flatnonzero(is_purchase).tolist():
        key = keys[position]
        if key is None:
            key = (int(user_index[position]), int(timestamp[position]))
        group[position] = mapping.setdefault(key, len(mapping))
    return group


def _item_info(item_ids: np.ndarray, info: Mapping[Any, Mapping[str, Any]] | None) -> ItemInfo:
    if not info:
        return ItemInfo()
    rows = [info.get(item_id, {}) for item_id in item_ids]
    return ItemInfo(
        text=[str(row.get("text", "") or "") for row in rows],
        category=[str(row.get("category", "") or "") for row in rows],
        available=np.array([bool(row.get("available", True)) for row in rows], dtype=bool),
    )
