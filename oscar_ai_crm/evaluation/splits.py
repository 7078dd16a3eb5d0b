"""Train / test splits of an :class:`~oscar_ai_crm.features.interactions.Interactions` log.

Both splits are deterministic (no random sampling) and hold out only *target* events (by
default purchases): a model is judged on what customers went on to buy, while it may learn
from every kind of interaction that happened before.

* :func:`time_split` cuts the whole timeline at one moment: everything before it trains,
  the purchases after it test. No model sees the future of any customer.
* :func:`leave_last_out` holds out each customer's last purchase. Other customers' later
  interactions stay in training, so it leaks a little of the future (the usual price of
  leave-one-out); use it when the log is too short for a time split.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from scipy import sparse

from ..features.interactions import Interactions


@dataclass(frozen=True, eq=False)
class Split:
    """A training log and the held-out items per user.

    Attributes
    ----------
    train : the interactions models are fitted on (all users and items keep their indices).
    test : binary users x items CSR; row ``u`` holds the target items user ``u`` interacted
        with in the test period (a set: repeats count once). Users without a test row are
        not evaluated.
    name : "time" or "leave-last-out".
    description : one human-readable sentence on what was split where.
    cutoff : epoch seconds of the time cut-off (``None`` for leave-last-out).
    """

    train: Interactions
    test: sparse.csr_matrix
    name: str
    description: str
    cutoff: int | None = None

    @property
    def test_users(self) -> np.ndarray:
        """Indices of the users with at least one test item, ascending."""
        return np.flatnonzero(np.diff(self.test.indptr)).astype(np.int32)

    @property
    def n_test_users(self) -> int:
        return int(np.count_nonzero(np.diff(self.test.indptr)))

    @property
    def n_test_pairs(self) -> int:
        """Number of (user, item) pairs to find."""
        return int(self.test.nnz)

    @property
    def n_repurchases(self) -> int:
        """Test pairs the user had already bought in ``train`` (re-purchases).

        With already-bought items excluded from recommendations these pairs can never be
        hit, which is why the runner reports both ways.
        """
        return int(self.test.multiply(self.train.purchased).count_nonzero())

    def as_dict(self) -> dict[str, object]:
        """JSON-safe summary."""
        return {
            "name": self.name,
            "description": self.description,
            "cutoff": self.cutoff,
            "n_train_interactions": len(self.train),
            "n_test_users": self.n_test_users,
            "n_test_pairs": self.n_test_pairs,
            "n_repurchases": self.n_repurchases,
        }


def time_split(
    interactions: Interactions,
    test_fraction: float = 0.2,
    target_events: Collection[str] = ("purchase",),
) -> Split:
    """Split at one moment: the ``1 - test_fraction`` quantile of all timestamps.

    The cut-off is ``np.quantile(timestamps, 1 - test_fraction, method="higher")``, an
    actual timestamp. Train holds every interaction strictly before it; test holds, for
    each user with at least one training interaction, the target-event items at or after
    it. (Users first seen after the cut-off are cold starts and are not evaluated.) With
    many equal timestamps the training share can be smaller than ``1 - test_fraction``.

    Parameters
    ----------
    interactions : the full log.
    test_fraction : share of the timeline (by interaction count) held out, in (0, 1).
    target_events : event kinds that count as hits (default: purchases).
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1 (exclusive), not {test_fraction}.")
    if len(interactions) == 0:
        return _empty_split(interactions, "time", "time split of an empty log: nothing to test")
    cutoff = int(np.quantile(interactions.timestamp, 1.0 - test_fraction, method="higher"))
    before = interactions.timestamp < cutoff
    train = interactions.subset(before)
    has_history = np.bincount(train.user_index, minlength=interactions.n_users) > 0
    is_test = (
        ~before
        & np.isin(interactions.event, list(target_events))
        & has_history[interactions.user_index]
    )
    test = _binary_matrix(interactions, is_test)
    when = datetime.fromtimestamp(cutoff, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    description = (
        f"time split at {when}: train = {len(train):,} interactions before it, "
        f"test = {'/'.join(sorted(target_events))} events from then on by "
        f"{_count_rows(test):,} users with history ({test.nnz:,} user-item pairs)"
    )
    return Split(train, test, "time", description, cutoff)


def leave_last_out(
    interactions: Interactions, target_events: Collection[str] = ("purchase",)
) -> Split:
    """Hold out each user's last target interaction.

    For each user, the test item is their latest target-event interaction (ties on the
    timestamp: the later row). Their training history is every interaction strictly
    before it; interactions at the same moment (the rest of that basket) or later are
    dropped, so the model cannot read the test basket. Users with no interaction before
    their last target one (fewer than two interactions) are not tested and keep their
    whole history in training. Other users' interactions all train, whatever their time.
    """
    n = len(interactions)
    is_target = np.isin(interactions.event, list(target_events))
    last_row = _last_target_row(interactions, is_target)
    has_target = last_row >= 0
    test_time = np.full(interactions.n_users, np.iinfo(np.int64).max, dtype=np.int64)
    test_time[has_target] = interactions.timestamp[last_row[has_target]]
    earlier = interactions.timestamp < test_time[interactions.user_index]
    eligible = np.bincount(interactions.user_index[earlier], minlength=interactions.n_users) > 0
    eligible &= has_target
    keep = earlier | ~eligible[interactions.user_index]
    is_test = np.zeros(n, dtype=bool)
    is_test[last_row[eligible]] = True
    train = interactions.subset(keep)
    test = _binary_matrix(interactions, is_test)
    description = (
        f"leave-last-out: each user's last {'/'.join(sorted(target_events))} event is tested "
        f"({_count_rows(test):,} users), train = {len(train):,} interactions "
        "(each tested user's history before it, everyone else's whole log)"
    )
    return Split(train, test, "leave-last-out", description, None)


def make_split(
    interactions: Interactions,
    kind: str,
    test_fraction: float = 0.2,
    target_events: Collection[str] = ("purchase",),
) -> Split:
    """Dispatch on ``kind``: "time" or "leave-last-out"."""
    if kind == "time":
        return time_split(interactions, test_fraction, target_events)
    if kind == "leave-last-out":
        return leave_last_out(interactions, target_events)
    raise ValueError(f"Unknown split {kind!r}; use 'time' or 'leave-last-out'.")


def _last_target_row(interactions: Interactions, is_target: np.ndarray) -> np.ndarray:
    """Row of each user's latest target interaction (-1 when none)."""
    rows = np.flatnonzero(is_target)
    # lexsort: last key is primary -> by user, then time, then row number.
    order = np.lexsort((rows, interactions.timestamp[rows], interactions.user_index[rows]))
    rows = rows[order]
    last = np.full(interactions.n_users, -1, dtype=np.int64)
    last[interactions.user_index[rows]] = rows  # later assignments win: the latest row
    return last


def _binary_matrix(interactions: Interactions, mask: np.ndarray) -> sparse.csr_matrix:
    matrix = sparse.csr_matrix(
        (
            np.ones(int(mask.sum()), dtype=np.float32),
            (interactions.user_index[mask], interactions.item_index[mask]),
        ),
        shape=(interactions.n_users, interactions.n_items),
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def _count_rows(matrix: sparse.csr_matrix) -> int:
    return int(np.count_nonzero(np.diff(matrix.indptr)))


def _empty_split(interactions: Interactions, name: str, description: str) -> Split:
    test = sparse.csr_matrix((interactions.n_users, interactions.n_items), dtype=np.float32)
    return Split(interactions, test, name, description, None)
