"""Activity counters on CustomerProfile: bumped per event, or rebuilt from the event log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum

from ..models import CustomerProfile, Event, EventKind

# Which profile counter each event kind increments.
COUNTER_FOR_KIND: dict[str, str] = {
    EventKind.VIEW: "view_count",
    EventKind.SEARCH: "search_count",
    EventKind.BASKET_ADD: "basket_add_count",
    EventKind.ORDER: "order_count",
    EventKind.REVIEW: "review_count",
}
COUNTER_FIELDS = list(dict.fromkeys(COUNTER_FOR_KIND.values()))
ACTIVITY_FIELDS = [
    *COUNTER_FIELDS,
    "total_spent",
    "last_order_at",
    "first_seen_at",
    "last_seen_at",
]


def bump_profile(user_id: int, kind: str, at: datetime, value: Decimal | None) -> bool:
    """Count one event on the customer's profile, creating the profile if needed.

    Returns False (and changes nothing) when the customer opted out of tracking.
    One UPDATE in the common case; a profile is created on a customer's first event.
    """
    changes = _changes_for(kind, at, value)
    updated = CustomerProfile.objects.filter(user_id=user_id, tracking_opted_out=False).update(
        **changes
    )
    if updated:
        return True
    profile, created = CustomerProfile.objects.get_or_create(
        user_id=user_id, defaults=_initial_values(kind, at, value)
    )
    if created:
        return True
    if profile.tracking_opted_out:
        return False
    # Another request created the profile between our UPDATE and get_or_create.
    CustomerProfile.objects.filter(pk=profile.pk).update(**changes)
    return True


def _changes_for(kind: str, at: datetime, value: Decimal | None) -> dict[str, Any]:
    # Plain assignments, not GREATEST(): live events arrive in time order, and this runs on
    # every page view. Out-of-order imports call rebuild_activity() instead.
    changes: dict[str, Any] = {"last_seen_at": at}
    counter = COUNTER_FOR_KIND.get(kind)
    if counter:
        changes[counter] = F(counter) + 1
    if kind == EventKind.ORDER:
        changes["total_spent"] = F("total_spent") + (value or 0)
        changes["last_order_at"] = at
    return changes


def _initial_values(kind: str, at: datetime, value: Decimal | None) -> dict[str, Any]:
    values: dict[str, Any] = {"first_seen_at": at, "last_seen_at": at}
    counter = COUNTER_FOR_KIND.get(kind)
    if counter:
        values[counter] = 1
    if kind == EventKind.ORDER:
        values["total_spent"] = value or Decimal("0.00")
        values["last_order_at"] = at
    return values


def rebuild_activity(user_ids: Iterable[int] | None = None, batch_size: int = 1000) -> int:
    """Recompute the activity fields of profiles from the event log.

    ``user_ids=None`` rebuilds every customer that has events (and zeroes profiles that
    have none). Profiles are created where missing; opt-out flags are kept.
    Returns the number of profiles written.
    """
    events = Event.objects.filter(user__isnull=False)
    profiles = CustomerProfile.objects.all()
    if user_ids is not None:
        user_ids = list(user_ids)
        events = events.filter(user_id__in=user_ids)
        profiles = profiles.filter(user_id__in=user_ids)
    rows = _aggregate_activity(events)
    with transaction.atomic():
        profiles.update(
            **{field: 0 for field in COUNTER_FIELDS},
            total_spent=Decimal("0.00"),
            last_order_at=None,
            first_seen_at=None,
            last_seen_at=None,
        )
        CustomerProfile.objects.bulk_create(
            [CustomerProfile(**row) for row in rows],
            batch_size=batch_size,
            update_conflicts=True,
            unique_fields=["user"],
            update_fields=ACTIVITY_FIELDS,
        )
    return len(rows)


def _aggregate_activity(events) -> list[dict[str, Any]]:
    counts = {
        counter: Count("id", filter=Q(kind=kind)) for kind, counter in COUNTER_FOR_KIND.items()
    }
    orders = Q(kind=EventKind.ORDER)
    rows = (
        events.values("user_id")
        .annotate(
            **counts,
            total_spent=Sum("value", filter=orders, default=Decimal("0.00")),
            last_order_at=Max("created_at", filter=orders),
            first_seen_at=Min("created_at"),
            last_seen_at=Max("created_at"),
        )
        .order_by()
    )
    return list(rows)
