"""The event log as a :class:`~.customer_table.CustomerLog`: customers' events as columns.

One bulk query over the events of active customers (plus a few small catalogue queries);
everything else is numpy. Events on a variant count for its parent, the product shoppers
browse, and each product is described by its top-level Oscar category.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.core.loading import get_model

from ..models import Event, EventKind
from .customer_table import CustomerLog

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
ProductCategory = get_model("catalogue", "ProductCategory")

#: Recommendation impressions are the shop's doing, not the customer's: left out, so they
#: neither count as activity nor push a customer over the bot threshold.
SKIPPED_KINDS = (EventKind.REC_IMPRESSION,)
_FIELDS = (
    "user_id",
    "kind",
    "created_at",
    "product_id",
    "value",
    "rating",
    "extra__discount",
    "extra__vouchers",
)
_CHUNK = 20_000


def customer_log_from_events(as_of: datetime | None = None, days: int | None = None) -> CustomerLog:
    """Every active customer's events before ``as_of`` (default: all), as columns.

    ``days`` keeps only the last ``days`` days before ``as_of`` (or before now). Customers
    are all active users, including those without events. Order events carry the order
    total as value and are discounted when ``extra["discount"]`` is a non-zero amount or
    ``extra["vouchers"]`` is non-empty (as capture and backfill write them).
    """
    if days is not None and days <= 0:
        raise ValueError(f"days must be a positive number of days, got {days}.")
    events = Event.objects.filter(user__isnull=False, user__is_active=True)
    events = events.exclude(kind__in=SKIPPED_KINDS)
    if as_of is not None:
        events = events.filter(created_at__lt=as_of)
    if days is not None:
        events = events.filter(created_at__gte=(as_of or timezone.now()) - timedelta(days=days))
    rows = _columns(events.order_by().values_list(*_FIELDS).iterator(chunk_size=_CHUNK))
    user, kind, created, product, value, rating, discount, vouchers = rows
    kinds = np.asarray(kind, dtype=object)
    is_order = kinds == EventKind.ORDER
    product_ids, product_category = _catalogue()
    return CustomerLog(
        event_customer=np.asarray(user, dtype=np.int64),
        event_kind=kinds,
        event_time=np.fromiter((moment.timestamp() for moment in created), np.float64),
        event_product=_parent_products(product),
        event_value=np.where(is_order | (kinds == EventKind.PURCHASE), _floats(value), np.nan),
        event_rating=np.where(kinds == EventKind.REVIEW, _floats(rating), np.nan),
        event_discounted=is_order & _discounted(discount, vouchers),
        product_ids=product_ids,
        product_category=product_category,
        customers=np.sort(
            np.fromiter(
                get_user_model().objects.filter(is_active=True).values_list("pk", flat=True),
                np.int64,
            )
        ),
    )


def _columns(rows: Any) -> list[list]:
    """The query's rows as one list per field, gathered a chunk at a time."""
    columns: list[list] = [[] for _ in _FIELDS]
    while chunk := list(islice(rows, _CHUNK)):
        for column, values in zip(columns, zip(*chunk, strict=True), strict=True):
            column.extend(values)
    return columns


def _floats(values: list) -> np.ndarray:
    return np.fromiter((np.nan if v is None else float(v) for v in values), np.float64)


def _discounted(discounts: list, vouchers: list) -> np.ndarray:
    """True where the discount is a non-zero amount or the voucher list is non-empty."""
    return np.fromiter(
        (_nonzero(d) or bool(v) for d, v in zip(discounts, vouchers, strict=True)), bool
    )


def _nonzero(amount: Any) -> bool:
    # SQLite hands JSON numbers-as-strings back as floats, PostgreSQL as strings.
    if amount is None or amount == "":
        return False
    try:
        return Decimal(str(amount)) != 0
    except InvalidOperation:
        return False


def _parent_products(product: list) -> np.ndarray:
    """Product pks with variants replaced by their parent, -1 for none."""
    ids = np.fromiter((-1 if pk is None else pk for pk in product), np.int64)
    pairs = Product.objects.filter(parent__isnull=False).values_list("pk", "parent_id")
    children = np.array(list(pairs.iterator()), dtype=np.int64).reshape(-1, 2)
    if not len(children) or not len(ids):
        return ids
    children = children[np.argsort(children[:, 0])]
    at = np.minimum(np.searchsorted(children[:, 0], ids), len(children) - 1)
    return np.where(children[at, 0] == ids, children[at, 1], ids)


def _catalogue() -> tuple[np.ndarray, np.ndarray]:
    """Parent and standalone product pks (ascending) and each one's top-level category name.

    A product in several categories takes the one whose path sorts first; ``""`` when it
    has none. A category's top-level ancestor is the depth-1 node its path starts with.
    """
    product_ids = np.fromiter(
        Product.objects.filter(parent__isnull=True).order_by("pk").values_list("pk", flat=True),
        np.int64,
    )
    roots = dict(Category.objects.filter(depth=1).values_list("path", "name"))
    first_path: dict[int, str] = {}
    links = ProductCategory.objects.order_by("product_id", "category__path")
    for product_id, path in links.values_list("product_id", "category__path").iterator():
        first_path.setdefault(product_id, path)
    names = np.array(
        [roots.get(first_path.get(pk, "")[: Category.steplen], "") for pk in product_ids.tolist()],
        dtype=object,
    )
    return product_ids, names
