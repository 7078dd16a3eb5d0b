"""CSV export of a segment's members: header, one row per member, features and scores."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from oscar.test import factories

from oscar_ai_crm.features.customer_table import FEATURES
from oscar_ai_crm.models import CustomerProfile, Segment, SegmentKind, SegmentMembership
from oscar_ai_crm.segments.export import HEADER, segment_csv

pytestmark = pytest.mark.django_db

JOINED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_header_is_identity_then_features_then_scores():
    assert HEADER[:4] == ("user_id", "email", "name", "joined_segment_at")
    assert HEADER[4 : 4 + len(FEATURES)] == FEATURES
    assert HEADER[-5:] == (
        "intent_score",
        "churn_score",
        "clv",
        "expected_next_order_at",
        "features_updated_at",
    )


def test_members_are_written_with_their_features_and_scores():
    segment = Segment.objects.create(name="Champions", kind=SegmentKind.CLUSTER)
    other = Segment.objects.create(name="New", kind=SegmentKind.CLUSTER)
    ann = factories.UserFactory(email="ann@example.com", first_name="Ann", last_name="Lee")
    bob = factories.UserFactory(email="bob@example.com", first_name="=HYPERLINK(1)", last_name="")
    outsider = factories.UserFactory(email="zed@example.com")
    CustomerProfile.objects.create(
        user=ann,
        features={"monetary": 420.5, "frequency": 6.0},
        intent_score=0.75,
        churn_score=0.05,
        clv=Decimal("980.00"),
    )
    SegmentMembership.objects.create(segment=segment, user=bob, since=JOINED)  # no profile
    SegmentMembership.objects.create(segment=segment, user=ann, since=JOINED)
    SegmentMembership.objects.create(segment=other, user=outsider, since=JOINED)

    out = io.StringIO()
    written = segment_csv(segment, out)

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert written == 2
    assert [row["email"] for row in rows] == ["ann@example.com", "bob@example.com"]
    assert [int(row["user_id"]) for row in rows] == sorted([ann.pk, bob.pk])
    first = rows[0]
    assert first["name"] == "Ann Lee"
    assert first["joined_segment_at"] == "2026-03-01T09:30:00+00:00"
    assert (first["monetary"], first["frequency"], first["recency_days"]) == ("420.5", "6.0", "")
    assert (first["intent_score"], first["churn_score"], first["clv"]) == ("0.75", "0.05", "980.00")
    assert first["expected_next_order_at"] == ""
    # Customer-typed text that a spreadsheet would run as a formula is defused.
    assert rows[1]["name"] == "'=HYPERLINK(1)"
    assert all(rows[1][name] == "" for name in FEATURES)


def test_an_empty_segment_is_just_the_header():
    out = io.StringIO()
    assert segment_csv(Segment.objects.create(name="Nobody", kind=SegmentKind.CLUSTER), out) == 0
    assert out.getvalue().splitlines() == [",".join(HEADER)]
