"""Write a segmentation's results and make its run the serving one, in one transaction.

* Profiles get the run's features and scores (customers left out as bots keep theirs).
* Clusters keep their identity across runs: each new cluster takes over the previous
  run's cluster segment it shares the most customers with (Jaccard overlap at least
  :data:`SAME_SEGMENT_OVERLAP`), so "Champions" stays the same segment row, keeps its
  members' ``since`` dates and movement between segments means something. A cluster with
  no such predecessor becomes a new segment; a previous cluster nobody matches is
  deactivated.
* Memberships are rewritten as a difference: unchanged ones are kept, new ones added, the
  rest removed, and every change is logged as a :class:`SegmentMovement` (between
  clusters: from one to the other; rule segments: entering or leaving).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice
from typing import Any, cast

import numpy as np
from django.db import connection, transaction
from django.db.models import Field
from django.utils.text import slugify
from sklearn.metrics import adjusted_rand_score

from ..features.customer_table import FEATURES
from ..models import (
    CustomerProfile,
    Segment,
    SegmentKind,
    SegmentMembership,
    SegmentMovement,
    SegmentRun,
    SegmentRunStatus,
)
from .running import Segmentation

#: A new cluster continues a previous one when their members overlap at least this much.
SAME_SEGMENT_OVERLAP = 0.3
BATCH = 1000

Pair = tuple[int, int]  # (segment id, user id)


def publish_segmentation(run: SegmentRun, result: Segmentation, moment: datetime) -> dict[str, int]:
    """Write everything for ``run`` and mark it serving; returns counts of what changed."""
    with transaction.atomic():
        clusters = _cluster_segments(run, result)
        run.metrics["agreement_with_previous_run"] = result.agreement_with_previous
        wanted = _wanted_memberships(result, clusters)
        counts = {"profiles": _write_profiles(result, moment)}
        counts.update(_write_memberships(run, wanted, moment))
        _update_member_counts(wanted)
        SegmentRun.objects.filter(status=SegmentRunStatus.SERVING).update(
            status=SegmentRunStatus.RETIRED
        )
        run.status = SegmentRunStatus.SERVING
        run.save(update_fields=["status", "metrics", "n_customers", "n_events"])
    return counts


# -- cluster segments ------------------------------------------------------------------------


def _cluster_segments(run: SegmentRun, result: Segmentation) -> list[Segment]:
    """One Segment per cluster label: a matched previous cluster segment or a new one."""
    previous = list(Segment.objects.filter(kind=SegmentKind.CLUSTER, is_active=True))
    matches = _match_previous(result, previous)
    segments = []
    for label, persona in enumerate(result.personas):
        segment = matches.get(label) or Segment(kind=SegmentKind.CLUSTER)
        segment.name = persona.name
        segment.description = persona.description
        segment.persona = persona.as_dict()
        segment.run = run
        segment.is_active = True
        if not segment.slug:
            segment.slug = _unique_slug(persona.name)
        segment.save()
        segments.append(segment)
    continuing = {segment.pk for segment in segments}
    for segment in previous:
        if segment.pk not in continuing:
            segment.is_active = False
            segment.save(update_fields=["is_active", "updated_at"])
    return segments


def _match_previous(result: Segmentation, previous: list[Segment]) -> dict[int, Segment]:
    """label -> previous segment, greedily by decreasing Jaccard overlap of members."""
    if not previous:
        return {}
    index = {segment.pk: i for i, segment in enumerate(previous)}
    rows = SegmentMembership.objects.filter(segment__in=previous).values_list(
        "user_id", "segment_id"
    )
    before = dict(rows.iterator())
    old = np.array([index.get(before.get(int(u), -1), -1) for u in result.table.customer_ids])
    labels = result.clustering.labels
    k, p = len(result.personas), len(previous)
    both = old >= 0
    if both.sum() > 1:
        agreement = adjusted_rand_score(old[both], labels[both])
        result.agreement_with_previous = round(float(agreement), 4)
    overlap = np.bincount(labels[both] * p + old[both], minlength=k * p).reshape(k, p)
    new_sizes = np.bincount(labels, minlength=k)
    old_sizes = np.bincount(np.array([index[s] for s in before.values()], int), minlength=p)
    union = new_sizes[:, None] + old_sizes[None, :] - overlap
    jaccard = np.divide(overlap, union, out=np.zeros((k, p)), where=union > 0)
    matches: dict[int, Segment] = {}
    taken: set[int] = set()
    for flat in np.argsort(-jaccard, axis=None, kind="stable"):
        label, old_index = divmod(int(flat), p)
        if jaccard[label, old_index] < SAME_SEGMENT_OVERLAP:
            break
        if label not in matches and old_index not in taken:
            matches[label] = previous[old_index]
            taken.add(old_index)
    return matches


def _unique_slug(name: str) -> str:
    base = slugify(name)[:110] or "segment"
    slug, number = base, 2
    while Segment.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


# -- memberships and movements ---------------------------------------------------------------


def _wanted_memberships(result: Segmentation, clusters: list[Segment]) -> set[Pair]:
    users = result.table.customer_ids.tolist()
    cluster_ids = [clusters[label].pk for label in result.clustering.labels.tolist()]
    wanted = set(zip(cluster_ids, users, strict=True))
    for rule in result.rules:
        wanted.update((rule.segment_id, int(u)) for u in result.table.customer_ids[rule.members])
    return wanted


def _write_memberships(run: SegmentRun, wanted: set[Pair], moment: datetime) -> dict[str, int]:
    cluster_ids = set(Segment.objects.filter(kind=SegmentKind.CLUSTER).values_list("pk", flat=True))
    existing = set(SegmentMembership.objects.values_list("segment_id", "user_id").iterator())
    added, removed = wanted - existing, existing - wanted
    for segment_id, users in _by_segment(removed).items():
        for start in range(0, len(users), BATCH):
            SegmentMembership.objects.filter(
                segment_id=segment_id, user_id__in=users[start : start + BATCH]
            ).delete()
    SegmentMembership.objects.bulk_create(
        (SegmentMembership(segment_id=s, user_id=u, since=moment, run=run) for s, u in added),
        batch_size=BATCH,
    )
    movements = _movements(added, removed, cluster_ids)
    SegmentMovement.objects.bulk_create(
        (
            SegmentMovement(user_id=u, from_segment_id=a, to_segment_id=b, run=run, moved_at=moment)
            for u, a, b in movements
        ),
        batch_size=BATCH,
    )
    return {
        "memberships added": len(added),
        "memberships removed": len(removed),
        "memberships kept": len(wanted & existing),
        "movements": len(movements),
    }


def _movements(
    added: set[Pair], removed: set[Pair], cluster_ids: set[int]
) -> list[tuple[int, int | None, int | None]]:
    """(user, from segment, to segment): cluster changes as moves, rule changes as in/out."""
    left_cluster = {u: s for s, u in removed if s in cluster_ids}
    joined_cluster = {u: s for s, u in added if s in cluster_ids}
    moves: list[tuple[int, int | None, int | None]] = [
        (u, left_cluster.get(u), joined_cluster.get(u))
        for u in sorted(left_cluster.keys() | joined_cluster.keys())
    ]
    moves += [(u, None, s) for s, u in sorted(added) if s not in cluster_ids]
    moves += [(u, s, None) for s, u in sorted(removed) if s not in cluster_ids]
    return moves


def _by_segment(pairs: Iterable[Pair]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for segment_id, user_id in pairs:
        grouped.setdefault(segment_id, []).append(user_id)
    return grouped


def _update_member_counts(wanted: set[Pair]) -> None:
    sizes: dict[int, int] = {}
    for segment_id, _user in wanted:
        sizes[segment_id] = sizes.get(segment_id, 0) + 1
    for segment in Segment.objects.only("pk", "member_count"):
        count = sizes.get(segment.pk, 0)
        if segment.member_count != count:
            Segment.objects.filter(pk=segment.pk).update(member_count=count)


# -- profiles --------------------------------------------------------------------------------


def _write_profiles(result: Segmentation, moment: datetime) -> int:
    """Features and scores onto each customer's profile (created when missing).

    One parameterised UPDATE per profile through ``executemany`` (batched by the driver):
    an order of magnitude faster than ``bulk_update``'s CASE expressions at 100k rows.
    """
    table = result.table
    users = table.customer_ids.tolist()
    existing = set(CustomerProfile.objects.values_list("user_id", flat=True).iterator())
    CustomerProfile.objects.bulk_create(
        (CustomerProfile(user_id=u) for u in users if u not in existing), batch_size=BATCH
    )
    fields: list[Field] = [
        cast(Field, CustomerProfile._meta.get_field(name)) for name in PROFILE_FIELDS
    ]
    rows = (
        [
            *(
                field.get_db_prep_value(value, connection)
                for field, value in zip(fields, _profile_values(result, row, moment), strict=True)
            ),
            user,
        ]
        for row, user in enumerate(users)
    )
    sql = _profile_update_sql(fields)
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, BATCH * 10)):
            cursor.executemany(sql, chunk)
    return len(users)


def _profile_values(result: Segmentation, row: int, moment: datetime) -> tuple:
    """The :data:`PROFILE_FIELDS` values of table row ``row``."""
    return (
        dict(zip(FEATURES, result.table.values[row].tolist(), strict=True)),
        _probability(result.intent.scores, row),
        _probability(result.churn.scores, row),
        _moment(result.next_order[row]),
        _money(result.clv[row]),
        moment,
    )


def _profile_update_sql(fields: list[Any]) -> str:
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    user = quote(CustomerProfile._meta.get_field("user").column)
    profiles = quote(CustomerProfile._meta.db_table)
    return f"UPDATE {profiles} SET {assignments} WHERE {user} = %s"


PROFILE_FIELDS = [
    "features",
    "intent_score",
    "churn_score",
    "expected_next_order_at",
    "clv",
    "features_updated_at",
]


def _probability(scores: np.ndarray | None, row: int) -> float | None:
    if scores is None or not np.isfinite(scores[row]):
        return None
    return round(float(scores[row]), 4)


def _moment(timestamp: float) -> datetime | None:
    return datetime.fromtimestamp(float(timestamp), tz=UTC) if np.isfinite(timestamp) else None


def _money(value: float) -> Decimal | None:
    return Decimal(f"{value:.2f}") if np.isfinite(value) else None
