"""Segmentation runs end to end on a real database: publish, repeat, move, fail safely."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.test import override_settings
from oscar.test import factories

from oscar_ai_crm.features.customer_table import CustomerLog
from oscar_ai_crm.models import (
    CustomerProfile,
    Event,
    EventKind,
    Segment,
    SegmentKind,
    SegmentMembership,
    SegmentMovement,
    SegmentRun,
    SegmentRunStatus,
)
from oscar_ai_crm.queueing import enqueue
from oscar_ai_crm.segments.running import run_segmentation

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, tzinfo=UTC)
DAY = 86_400.0

#: Planted behaviour per group: orders (count, first/last day before NOW, value), views.
GROUPS = {
    "big_recent": dict(orders=8, first=300, last=3, value=200.0, views=30),
    "lapsed": dict(orders=3, first=360, last=240, value=40.0, views=5),
    "browsers": dict(orders=0, first=0, last=0, value=0.0, views=60),
}
PER_GROUP = 12


def planted_log(users_by_group: dict[str, list], seed: int = 0, now: datetime = NOW) -> CustomerLog:
    """Order and view events for each group's customers, with a little seeded noise."""
    rng = np.random.default_rng(seed)
    columns: dict[str, list] = {k: [] for k in ("customer", "kind", "time", "value")}

    def add(user, kind: str, day: float, value: float = np.nan) -> None:
        columns["customer"].append(user.pk)
        columns["kind"].append(kind)
        columns["time"].append(now.timestamp() - day * DAY)
        columns["value"].append(value)

    for group, users in users_by_group.items():
        plan = GROUPS[group]
        for user in users:
            add(user, "login", 365)
            orders = plan["orders"] + rng.integers(-1, 2) if plan["orders"] else 0
            last = plan["last"] * rng.uniform(0.7, 1.3)
            for day in np.linspace(plan["first"], last, orders):
                add(user, "order", day, plan["value"] * rng.uniform(0.7, 1.3))
            for day in rng.uniform(1, 360, rng.poisson(plan["views"])):
                add(user, "view", day)
    n = len(columns["customer"])
    return CustomerLog(
        event_customer=np.array(columns["customer"], dtype=np.int64),
        event_kind=np.array(columns["kind"], dtype=object),
        event_time=np.array(columns["time"], dtype=np.float64),
        event_product=np.full(n, -1, dtype=np.int64),
        event_value=np.array(columns["value"], dtype=np.float64),
        event_rating=np.full(n, np.nan),
        event_discounted=np.zeros(n, dtype=bool),
        product_ids=np.zeros(0, dtype=np.int64),
        product_category=np.zeros(0, dtype=object),
        customers=np.array(
            sorted(u.pk for users in users_by_group.values() for u in users), dtype=np.int64
        ),
    )


@pytest.fixture
def shop():
    users = {group: [factories.UserFactory() for _ in range(PER_GROUP)] for group in GROUPS}
    return users, planted_log(users)


def group_of(users_by_group) -> dict[int, str]:
    return {user.pk: group for group, users in users_by_group.items() for user in users}


def clusters_of_users() -> dict[int, int]:
    rows = SegmentMembership.objects.filter(segment__kind=SegmentKind.CLUSTER)
    return dict(rows.values_list("user_id", "segment_id"))


def test_a_run_publishes_planted_segments_profiles_and_scores(shop):
    users, log = shop
    run = run_segmentation(log=log, as_of=NOW)

    assert run.status == SegmentRunStatus.SERVING, run.message
    assert run.metrics["k"] == 3
    assert sum(run.metrics["sizes"]) == 3 * PER_GROUP
    clusters = clusters_of_users()
    truth = group_of(users)
    for group in GROUPS:  # every planted group is exactly one cluster
        assert len({clusters[u.pk] for u in users[group]}) == 1
    assert len(set(clusters.values())) == 3 and len(clusters) == len(truth)
    segments = Segment.objects.filter(kind=SegmentKind.CLUSTER, is_active=True)
    assert sorted(s.member_count for s in segments) == [PER_GROUP] * 3
    assert all(s.persona["size"] == PER_GROUP and s.description for s in segments)

    first = users["big_recent"][0]
    profile = CustomerProfile.objects.get(user=first)
    its_orders = (log.event_customer == first.pk) & (log.event_kind == "order")
    assert profile.features["frequency"] == its_orders.sum()
    assert profile.features["monetary"] == pytest.approx(log.event_value[its_orders].sum())
    assert profile.features_updated_at == NOW
    assert profile.clv is not None and profile.clv > 0
    browser = CustomerProfile.objects.get(user=users["browsers"][0])
    assert browser.features["frequency"] == 0 and browser.churn_score is None
    # every customer entered a cluster: one movement each, from nowhere
    assert SegmentMovement.objects.filter(from_segment=None).count() == 3 * PER_GROUP


def test_rule_segments_hold_exactly_the_matching_customers(shop):
    users, log = shop
    rule = Segment.objects.create(
        kind=SegmentKind.RULE,
        name="Big spenders gone quiet",
        conditions=[
            {"field": "monetary", "op": "gt", "value": 100},
            {"field": "recency_days", "op": "gt", "value": 90},
        ],
    )
    run = run_segmentation(log=log, as_of=NOW)

    expected = set()  # worked out from the log itself
    for user in log.customers.tolist():
        orders = (log.event_customer == user) & (log.event_kind == "order")
        if orders.any():
            spent = log.event_value[orders].sum()
            days_since = (NOW.timestamp() - log.event_time[orders].max()) / DAY
            if spent > 100 and days_since > 90:
                expected.add(user)
    assert expected and expected <= {u.pk for u in users["lapsed"]}
    members = set(SegmentMembership.objects.filter(segment=rule).values_list("user", flat=True))
    assert members == expected
    assert run.metrics["rule_segments"] == {str(rule.pk): len(expected)}
    rule.refresh_from_db()
    assert rule.member_count == len(expected)


def test_a_repeat_run_keeps_segments_memberships_and_agrees(shop):
    users, log = shop
    run_segmentation(log=log, as_of=NOW)
    before = clusters_of_users()
    since = dict(SegmentMembership.objects.values_list("user_id", "since"))

    second = run_segmentation(log=log, as_of=NOW + timedelta(days=1))

    assert second.status == SegmentRunStatus.SERVING
    assert clusters_of_users() == before  # the same segment rows, the same customers
    assert dict(SegmentMembership.objects.values_list("user_id", "since")) == since
    assert second.metrics["agreement_with_previous_run"] == 1.0
    assert SegmentRun.objects.filter(status=SegmentRunStatus.SERVING).get() == second
    assert SegmentMovement.objects.filter(run=second).count() == 0


def test_customers_moving_between_segments_are_recorded(shop):
    users, log = shop
    rule = Segment.objects.create(
        kind=SegmentKind.RULE,
        name="Recent buyers",
        conditions=[{"field": "recency_days", "op": "lt", "value": 30}],
    )
    run_segmentation(log=log, as_of=NOW)
    assert rule.memberships.count() == PER_GROUP  # big_recent only

    later = NOW + timedelta(days=60)  # nobody ordered since: everyone leaves the rule
    second = run_segmentation(log=log, as_of=later)

    assert rule.memberships.count() == 0
    left = SegmentMovement.objects.filter(run=second, from_segment=rule, to_segment=None)
    assert set(left.values_list("user", flat=True)) == {u.pk for u in users["big_recent"]}


def test_a_failing_run_leaves_the_previous_results(shop):
    users, log = shop
    good = run_segmentation(log=log, as_of=NOW)
    memberships = set(SegmentMembership.objects.values_list("segment_id", "user_id"))
    features = CustomerProfile.objects.get(user=users["lapsed"][0]).features

    with override_settings(OSCAR_AI_CRM={"SEGMENTS": {"K_MIN": 0}}):  # refused by K-means
        failed = run_segmentation(log=log, as_of=NOW + timedelta(days=3))

    assert failed.status == SegmentRunStatus.FAILED
    assert "k_min" in failed.message
    good.refresh_from_db()
    assert good.status == SegmentRunStatus.SERVING
    assert set(SegmentMembership.objects.values_list("segment_id", "user_id")) == memberships
    assert CustomerProfile.objects.get(user=users["lapsed"][0]).features == features


def test_the_event_log_feeds_a_run_through_the_task():
    """Real Event rows -> customer log -> task (django-q2 sync mode) -> published profiles."""
    product = factories.create_product(title="Kettle")
    customers = [factories.UserFactory() for _ in range(6)]
    events = []
    for n, user in enumerate(customers):
        for day in range(n + 1):
            when = datetime.now(UTC) - timedelta(days=10 * day + 1)
            events.append(Event(kind=EventKind.VIEW, user=user, product=product, created_at=when))
            events.append(
                Event(
                    kind=EventKind.ORDER,
                    user=user,
                    value=Decimal("25.00"),
                    order_number=f"{n}-{day}",
                    created_at=when,
                )
            )
    Event.objects.bulk_create(events)

    enqueue("oscar_ai_crm.tasks.segment_customers", trigger="test")

    run = SegmentRun.objects.get()
    assert run.status == SegmentRunStatus.SERVING, run.message
    assert run.trigger == "test" and run.n_customers >= 6
    profile = CustomerProfile.objects.get(user=customers[-1])
    assert profile.features["frequency"] == 6
    assert profile.features["monetary"] == 150.0


def store_as_events(log: CustomerLog) -> None:
    """The log's events as Event rows (what capture would have written)."""
    Event.objects.bulk_create(
        Event(
            kind=kind,
            user_id=int(user),
            value=None if np.isnan(value) else Decimal(f"{value:.2f}"),
            order_number=f"o{n}" if kind == "order" else "",
            created_at=datetime.fromtimestamp(when, tz=UTC),
        )
        for n, (user, kind, when, value) in enumerate(
            zip(log.event_customer, log.event_kind, log.event_time, log.event_value, strict=True)
        )
    )


@override_settings(
    OSCAR_AI_CRM={"SEGMENTS": {"REFERENCE_LABELS": "tests.segments.test_running.reference"}}
)
def test_crm_segment_json_reports_the_run_and_agreement_with_reference_labels():
    users = {group: [factories.UserFactory() for _ in range(PER_GROUP)] for group in GROUPS}
    store_as_events(planted_log(users, now=datetime.now(UTC)))
    REFERENCE.clear()
    REFERENCE.update(group_of(users))
    out = StringIO()
    call_command("crm_segment", "--json", stdout=out)

    figures = json.loads(out.getvalue())
    assert figures["status"] == "serving" and figures["k"] == 3
    assert figures["customers"] >= 3 * PER_GROUP
    assert len(figures["personas"]) == 3 and all(p["name"] for p in figures["personas"])
    assert figures["agreement"]["reference"] == {"ari": 1.0, "customers": 3 * PER_GROUP}


REFERENCE: dict[int, str] = {}


def reference() -> dict[int, str]:
    return REFERENCE


def test_a_rule_saved_with_bad_conditions_is_skipped_and_reported(shop):
    users, log = shop
    broken = Segment.objects.create(  # bypasses the admin's validation
        kind=SegmentKind.RULE, name="Broken", conditions=[{"field": "spent", "op": "gt"}]
    )
    run = run_segmentation(log=log, as_of=NOW)

    assert run.status == SegmentRunStatus.SERVING
    problems = run.metrics["invalid_rule_segments"][str(broken.pk)]
    assert any("spent" in problem for problem in problems)
    assert broken.memberships.count() == 0
