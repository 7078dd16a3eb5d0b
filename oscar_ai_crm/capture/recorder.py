"""record_events(): write a visitor's events and count them on their profile."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import router, transaction

from ..models import Event, EventSource
from ..profiles.activity import bump_profile
from . import clock
from .identity import Visitor


@dataclass(frozen=True)
class EventData:
    """One event to record, before the actor and source are attached."""

    kind: str
    product_id: int | None = None
    quantity: int | None = None
    value: Decimal | None = None
    currency: str = ""
    rating: int | None = None
    query: str = ""
    order_number: str = ""
    dedupe_key: str | None = None
    created_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def record_events(
    visitor: Visitor, events: Sequence[EventData], source: str = EventSource.WEB
) -> int:
    """Record ``events`` done by ``visitor``; the first one is counted on their profile.

    Nothing is written for a customer who opted out. Several writes (a customer's profile
    update and insert, an order's lines) share one transaction: one commit instead of one per
    statement. Inside the shop's transaction that is a savepoint, so a failure here never
    poisons the shop's transaction. Returns the number of events handed to the database.
    """
    if not events:
        return 0
    using = router.db_for_write(Event)
    single_insert = visitor.user_id is None and len(events) == 1 and not events[0].dedupe_key
    in_transaction = transaction.get_connection(using).in_atomic_block
    bare = single_insert and not in_transaction
    with nullcontext() if bare else transaction.atomic(using=using):
        first = events[0]
        at = first.created_at or clock.now()
        if visitor.user_id is not None and not bump_profile(
            visitor.user_id, first.kind, at, first.value
        ):
            return 0
        rows = [build_event(visitor, data, source, at) for data in events]
        if single_insert:
            rows[0].save(using=using, force_insert=True)
        else:
            Event.objects.using(using).bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def build_event(visitor: Visitor, data: EventData, source: str, at: datetime) -> Event:
    """An unsaved Event row for ``data`` done by ``visitor`` (``at`` if it has no time)."""
    return Event(
        kind=data.kind,
        user_id=visitor.user_id,
        session_hash=visitor.session_hash,
        product_id=data.product_id,
        quantity=data.quantity,
        value=data.value,
        currency=data.currency,
        rating=data.rating,
        query=data.query,
        order_number=data.order_number,
        dedupe_key=data.dedupe_key,
        created_at=data.created_at or at,
        source=source,
        extra=data.extra,
    )
