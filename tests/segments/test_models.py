"""Segment models: validation, the one-serving-run rule, unique memberships, movement."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from oscar.test import factories

from oscar_ai_crm.models import (
    CustomerProfile,
    Segment,
    SegmentKind,
    SegmentMembership,
    SegmentMovement,
    SegmentRun,
    SegmentRunStatus,
)

pytestmark = pytest.mark.django_db


def test_rule_segment_conditions_are_validated_with_clear_messages():
    segment = Segment(
        name="Big spenders gone quiet",
        conditions=[
            {"field": "monetary", "op": "gt", "value": 100},
            {"field": "last_order", "op": "gt", "value": 90},
            {"field": "recency_days", "op": "over", "value": "90"},
        ],
    )

    with pytest.raises(ValidationError) as caught:
        segment.full_clean()

    messages = caught.value.message_dict["conditions"]
    assert messages[0].startswith("Condition 2: unknown field 'last_order'.")
    assert messages[1].startswith("Condition 3: unknown operator 'over'; use one of gt, gte")
    assert messages[2] == "Condition 3: value '90' is not a number."


def test_valid_rule_segment_saves_with_a_slug_from_its_name():
    segment = Segment(
        name="Big spenders gone quiet",
        match="all",
        conditions=[
            {"field": "monetary", "op": "gt", "value": 100},
            {"field": "recency_days", "op": "gt", "value": 90},
        ],
    )
    segment.full_clean(exclude=["slug"])
    segment.save()

    assert segment.kind == SegmentKind.RULE
    assert Segment.objects.get().slug == "big-spenders-gone-quiet"


def test_rule_segment_needs_a_condition_and_clusters_have_none():
    with pytest.raises(ValidationError, match="Add at least one condition"):
        Segment(name="Everyone", slug="everyone").full_clean()

    cluster = Segment(kind=SegmentKind.CLUSTER, name="Champions", slug="champions")
    cluster.full_clean()  # no conditions: fine
    cluster.conditions = [{"field": "monetary", "op": "gt", "value": 1}]
    with pytest.raises(ValidationError, match="Cluster segments are found by K-means"):
        cluster.full_clean()


def test_only_one_run_serves():
    SegmentRun.objects.create(status=SegmentRunStatus.SERVING)
    SegmentRun.objects.create(status=SegmentRunStatus.RETIRED)
    SegmentRun.objects.create(status=SegmentRunStatus.RETIRED)  # any number of these

    with pytest.raises(IntegrityError), transaction.atomic():
        SegmentRun.objects.create(status=SegmentRunStatus.SERVING)


def test_a_customer_is_in_a_segment_once():
    customer = factories.UserFactory()
    segment = Segment.objects.create(name="Champions", kind=SegmentKind.CLUSTER)
    SegmentMembership.objects.create(segment=segment, user=customer)

    with pytest.raises(IntegrityError), transaction.atomic():
        SegmentMembership.objects.create(segment=segment, user=customer)


def test_movement_history_is_newest_first_and_survives_a_deleted_segment():
    customer = factories.UserFactory()
    new, loyal = (
        Segment.objects.create(name=name, kind=SegmentKind.CLUSTER) for name in ("New", "Loyal")
    )
    now = timezone.now()
    SegmentMovement.objects.create(user=customer, to_segment=new, moved_at=now - timedelta(60))
    SegmentMovement.objects.create(user=customer, from_segment=new, to_segment=loyal, moved_at=now)

    new.delete()

    history = list(SegmentMovement.objects.filter(user=customer))
    assert [(m.from_segment, m.to_segment) for m in history] == [(None, loyal), (None, None)]


def test_profile_scores_start_empty_and_store_values():
    profile = CustomerProfile.objects.create(user=factories.UserFactory())
    assert (profile.features, profile.intent_score, profile.churn_score, profile.clv) == (
        {},
        None,
        None,
        None,
    )

    profile.features = {"monetary": 120.5, "frequency": 3.0}
    profile.intent_score, profile.churn_score, profile.clv = 0.25, 0.7, Decimal("310.40")
    profile.save()

    profile.refresh_from_db()
    assert profile.features == {"monetary": 120.5, "frequency": 3.0}
    assert (profile.intent_score, profile.churn_score, profile.clv) == (
        0.25,
        0.7,
        Decimal("310.40"),
    )
