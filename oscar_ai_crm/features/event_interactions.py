"""The shop's event log as :class:`~.interactions.Interactions` (the one DB -> matrix step).

Customers are keyed ``"c:<pk>"`` and anonymous sessions ``"s:<hash>"``: sessions teach the
item-item models what is viewed together, but only customers get stored recommendations.
Events on a variant (child product) count for its parent, the product shoppers browse.
Every public, browsable product is an item, even without events, so that text similarity
covers new products; ``items.available`` is False for products the rules exclude.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import numpy as np
from django.db.models import Q
from django.utils import timezone
from oscar.core.loading import get_model

from ..conf import crm_settings
from ..models import Event, EventKind
from ..recommenders.rules import get_rules
from .interactions import Interactions
from .product_text import product_texts

Product = get_model("catalogue", "Product")

#: Event kinds that say something about a product.
PRODUCT_EVENTS = (EventKind.VIEW, EventKind.BASKET_ADD, EventKind.PURCHASE, EventKind.REVIEW)
CUSTOMER_PREFIX = "c:"
SESSION_PREFIX = "s:"


def customer_key(user_id: int) -> str:
    return f"{CUSTOMER_PREFIX}{user_id}"


def customer_pk(key: str) -> int | None:
    """The customer pk of a ``"c:<pk>"`` key, None for sessions."""
    return int(key[len(CUSTOMER_PREFIX) :]) if key.startswith(CUSTOMER_PREFIX) else None


def interactions_from_events(
    since: datetime | None = None,
    *,
    days: int | None = None,
    event_weights: Mapping[str, float] | None = None,
    with_item_info: bool = True,
) -> Interactions:
    """Interactions from the event log (default window: ``RECOMMENDATIONS["TRAINING_DAYS"]``)."""
    settings = crm_settings.RECOMMENDATIONS
    if since is None:
        days = settings["TRAINING_DAYS"] if days is None else days
        since = timezone.now() - timedelta(days=days) if days else None
    parents = dict(
        Product.objects.filter(parent__isnull=False).values_list("pk", "parent_id").iterator()
    )
    columns = _event_columns(since, parents)
    item_ids = list(Product.objects.filter(parent__isnull=True).values_list("pk", flat=True))
    info = _item_info(set(item_ids) | set(columns["items"])) if with_item_info else None
    return Interactions.from_columns(
        columns["users"],
        columns["items"],
        np.asarray(columns["timestamps"], dtype=np.int64),
        events=columns["events"],
        baskets=columns["baskets"],
        ratings=np.asarray(columns["ratings"], dtype=np.float32),
        event_weights=event_weights or settings["EVENT_WEIGHTS"],
        all_item_ids=item_ids,
        items_info=info,
    )


def _event_columns(since: datetime | None, parents: dict[int, int]) -> dict[str, list]:
    events = Event.objects.filter(kind__in=PRODUCT_EVENTS, product__isnull=False)
    events = events.filter(Q(user__isnull=False) | ~Q(session_hash=""))
    if since is not None:
        events = events.filter(created_at__gte=since)
    rows = events.order_by().values_list(
        "user_id", "session_hash", "product_id", "kind", "created_at", "order_number", "rating"
    )
    columns: dict[str, list] = {
        key: [] for key in ("users", "items", "timestamps", "events", "baskets", "ratings")
    }
    for user_id, session, product_id, kind, created, order, rating in rows.iterator(10_000):
        columns["users"].append(customer_key(user_id) if user_id else f"{SESSION_PREFIX}{session}")
        columns["items"].append(parents.get(product_id, product_id))
        columns["timestamps"].append(int(created.timestamp()))
        columns["events"].append(kind)
        columns["baskets"].append(order or None)
        columns["ratings"].append(rating if kind == EventKind.REVIEW and rating else np.nan)
    return columns


def _item_info(product_ids: set[int]) -> dict[int, dict]:
    texts = product_texts(product_ids)
    available = get_rules().recommendable_ids(product_ids)
    return {
        pk: {**texts.get(pk, {"text": "", "category": ""}), "available": pk in available}
        for pk in product_ids
    }
