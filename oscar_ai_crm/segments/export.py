"""A segment's members as CSV: who they are, since when, their features and scores.

Rows are read with ``.iterator()`` and written one by one, so a segment of any size is
exported in constant memory (the admin streams :func:`segment_rows` to the browser).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from ..features.customer_table import FEATURES
from ..models import Segment, SegmentMembership

#: Profile fields exported after the features.
SCORE_COLUMNS: tuple[str, ...] = (
    "intent_score",
    "churn_score",
    "clv",
    "expected_next_order_at",
    "features_updated_at",
)
#: The CSV's header row.
HEADER: tuple[str, ...] = (
    "user_id",
    "email",
    "name",
    "joined_segment_at",
    *FEATURES,
    *SCORE_COLUMNS,
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def segment_rows(segment: Segment) -> Iterator[list[str]]:
    """The header, then one row per member of ``segment`` by customer id."""
    yield list(HEADER)
    members = (
        SegmentMembership.objects.filter(segment=segment)
        .order_by("user_id")
        .values_list(
            "user_id",
            "user__email",
            "user__first_name",
            "user__last_name",
            "since",
            "user__crm_profile__features",
            *(f"user__crm_profile__{column}" for column in SCORE_COLUMNS),
        )
        .iterator(chunk_size=2000)
    )
    for user_id, email, first_name, last_name, since, features, *scores in members:
        features = features or {}
        yield [
            str(user_id),
            _text(email),
            _text(f"{first_name} {last_name}".strip()),
            _cell(since),
            *(_cell(features.get(name)) for name in FEATURES),
            *(_cell(score) for score in scores),
        ]


def segment_csv(segment: Segment, out: Writable) -> int:
    """Write ``segment``'s members as CSV to ``out`` (a text file); returns the member count."""
    writer = csv.writer(out)
    count = -1  # the header is not a member
    for row in segment_rows(segment):
        writer.writerow(row)
        count += 1
    return count


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Rows as CSV text, one line at a time (for a streaming HTTP response)."""
    writer = csv.writer(_Echo())
    return (writer.writerow(row) for row in rows)


class _Echo:
    """A file whose write() returns the text, so csv.writer hands back each line."""

    def write(self, text: str) -> str:
        return text


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal | float | int):
        return str(value)
    return _text(str(value))


def _text(value: str) -> str:
    """Customer-typed text, defused so spreadsheets never run it as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value
