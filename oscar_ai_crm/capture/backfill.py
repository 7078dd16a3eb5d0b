"""Backfill: import a shop's existing history (orders, reviews, Oscar analytics) as events.

Idempotent: every imported event carries a ``dedupe_key`` naming the record it came from,
so a second run inserts nothing. Oscar's analytics rows (``UserProductView``,
``UserSearch``) are only imported from before live capture of that kind began, so views
recorded by both Oscar and us are not counted twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Min, Prefetch
from django.utils import timezone
from oscar.core.loading import get_model

from ..models import CustomerProfile, Event, EventKind, EventSource
from ..profiles.activity import rebuild_activity
from .identity import Visitor
from .oscar_records import order_events, review_event
from .recorder import EventData, build_event

Order = get_model("order", "Order")
OrderLine = get_model("order", "Line")
OrderDiscount = get_model("order", "OrderDiscount")
ProductReview = get_model("reviews", "ProductReview")
UserProductView = get_model("analytics", "UserProductView")
UserSearch = get_model("analytics", "UserSearch")

Progress = Callable[[str], None]


@dataclass
class BackfillSummary:
    """Events inserted per source record type, and profiles rebuilt."""

    inserted: dict[str, int] = field(default_factory=dict)
    profiles: int = 0

    def as_dict(self) -> dict:
        return {
            "inserted": self.inserted,
            "profiles": self.profiles,
            "total_inserted": sum(self.inserted.values()),
        }


def backfill_history(
    since: datetime | None = None,
    include_analytics: bool = True,
    batch_size: int = 500,
    progress: Progress | None = None,
) -> BackfillSummary:
    """Import orders, reviews and (optionally) Oscar analytics rows, then rebuild profiles."""
    say = progress or (lambda message: None)
    opted_out = set(
        CustomerProfile.objects.filter(tracking_opted_out=True).values_list("user_id", flat=True)
    )
    importers = {"orders": _order_batches, "reviews": _review_batches}
    if include_analytics:
        importers |= {"product_views": _product_view_batches, "searches": _search_batches}
    summary = BackfillSummary()
    for name, batches in importers.items():
        summary.inserted[name] = _insert(batches(since, batch_size), opted_out)
        say(f"{name}: {summary.inserted[name]} events inserted")
    summary.profiles = rebuild_activity()
    say(f"profiles rebuilt: {summary.profiles}")
    return summary


def _insert(batches: Iterator[list[tuple[int | None, EventData]]], opted_out: set[int]) -> int:
    before = Event.objects.count()
    now = timezone.now()  # for a source record without a date (Oscar always sets one)
    for batch in batches:
        rows = [
            build_event(Visitor(user_id), data, EventSource.BACKFILL, data.created_at or now)
            for user_id, data in batch
            if user_id not in opted_out
        ]
        Event.objects.bulk_create(rows, ignore_conflicts=True)
    return Event.objects.count() - before


def _chunks(queryset, batch_size: int) -> Iterator[list]:
    """Walk ``queryset`` by primary key in batches (stable and memory-bounded)."""
    last_pk = None
    while True:
        page = queryset.order_by("pk")
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        rows = list(page[:batch_size])
        if not rows:
            return
        yield rows
        last_pk = rows[-1].pk


def _since(queryset, field_name: str, since: datetime | None):
    return queryset.filter(**{f"{field_name}__gte": since}) if since else queryset


def _order_batches(since, batch_size):
    orders = _since(Order.objects.all(), "date_placed", since).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("pk")), "discounts"
    )
    for chunk in _chunks(orders, batch_size):
        yield [
            (order.user_id, data)
            for order in chunk
            for data in order_events(order, list(order.lines.all()), list(order.discounts.all()))
        ]


def _review_batches(since, batch_size):
    reviews = _since(ProductReview.objects.all(), "date_created", since)
    for chunk in _chunks(reviews, batch_size):
        yield [(review.user_id, review_event(review)) for review in chunk]


def _product_view_batches(since, batch_size):
    def to_event(row) -> EventData:
        return EventData(
            EventKind.VIEW,
            product_id=row.product_id,
            created_at=row.date_created,
            dedupe_key=f"oscar-productview:{row.pk}",
        )

    yield from _analytics_batches(UserProductView, EventKind.VIEW, to_event, since, batch_size)


def _search_batches(since, batch_size):
    def to_event(row) -> EventData:
        return EventData(
            EventKind.SEARCH,
            query=row.query[:255],
            created_at=row.date_created,
            dedupe_key=f"oscar-search:{row.pk}",
        )

    yield from _analytics_batches(UserSearch, EventKind.SEARCH, to_event, since, batch_size)


def _analytics_batches(model, kind: str, to_event, since, batch_size):
    rows = _before_live_capture(model.objects.all(), kind, since)
    for chunk in _chunks(rows, batch_size):
        yield [(row.user_id, to_event(row)) for row in chunk]


def _before_live_capture(queryset, kind: str, since: datetime | None):
    """Oscar analytics rows from before our own capture of ``kind`` started."""
    live_start = Event.objects.filter(kind=kind, source=EventSource.WEB).aggregate(
        start=Min("created_at")
    )["start"]
    if live_start is not None:
        queryset = queryset.filter(date_created__lt=live_start)
    return _since(queryset, "date_created", since)
