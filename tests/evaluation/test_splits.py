"""Time split and leave-last-out on hand-built logs whose answer is worked out below."""

import numpy as np
import pytest

from oscar_ai_crm.evaluation.splits import leave_last_out, make_split, time_split
from oscar_ai_crm.features.interactions import Interactions

# user, item, timestamp, event
LOG = [
    ("a", "i1", 1, "view"),
    ("a", "i2", 2, "purchase"),
    ("b", "i1", 3, "purchase"),
    ("a", "i3", 4, "view"),
    ("b", "i2", 5, "purchase"),
    ("c", "i1", 6, "view"),
    ("a", "i2", 7, "purchase"),  # a buys i2 again
    ("a", "i4", 8, "purchase"),
    ("b", "i2", 9, "purchase"),  # b buys i2 again
    ("a", "i4", 10, "purchase"),  # a buys i4 twice in the test period
    ("d", "i3", 10, "purchase"),  # d has no history before the cut-off
]


def build(rows=LOG) -> Interactions:
    users, items, times, events = zip(*rows, strict=True)
    return Interactions.from_columns(users, items, times, events=events)


def held_out(split, data: Interactions, user: str) -> set[str]:
    """The test item ids of one user (by external id)."""
    row = split.test[list(data.user_ids).index(user)]
    return {data.item_ids[i] for i in row.indices}


def test_time_split_cuts_at_the_quantile_and_tests_later_purchases():
    data = build()
    split = time_split(data, test_fraction=0.4)
    # 11 sorted timestamps 1..10,10; the 0.6 quantile sits at position 0.6 * 10 = 6 -> t = 7.
    assert split.cutoff == 7
    # Train: the six interactions at t < 7.
    assert len(split.train) == 6
    assert split.train.timestamp.max() == 6
    # Test: purchases at t >= 7 by users with history: a -> {i2, i4} (i4 twice counts once),
    # b -> {i2}; d bought at t = 10 but had nothing before the cut-off; c only viewed.
    assert held_out(split, data, "a") == {"i2", "i4"}
    assert held_out(split, data, "b") == {"i2"}
    assert held_out(split, data, "d") == set()
    assert split.n_test_users == 2
    assert split.n_test_pairs == 3
    assert list(data.user_ids[split.test_users]) == ["a", "b"]
    assert set(split.test.data) == {1.0}
    # Re-purchases: a bought i2 at t = 2 and b bought i2 at t = 5, both in train.
    assert split.n_repurchases == 2
    assert split.name == "time"
    assert "3 user-item pairs" in split.description and "2 users" in split.description


def test_time_split_keeps_indices_and_target_events_are_configurable():
    data = build()
    split = time_split(data, 0.4, target_events=("purchase", "view"))
    assert split.train.n_users == data.n_users and split.train.n_items == data.n_items
    assert split.test.shape == (data.n_users, data.n_items)
    assert split.n_test_pairs == 3  # no views after the cut-off, so the same pairs


def test_time_split_is_deterministic():
    first, second = time_split(build(), 0.3), time_split(build(), 0.3)
    assert first.cutoff == second.cutoff
    assert (first.test != second.test).nnz == 0
    np.testing.assert_array_equal(first.train.timestamp, second.train.timestamp)


def test_time_split_validates_the_fraction_and_handles_an_empty_log():
    with pytest.raises(ValueError, match="test_fraction"):
        time_split(build(), 1.0)
    empty = Interactions.from_columns([], [], [])
    assert time_split(empty).n_test_users == 0


def test_leave_last_out_holds_out_each_users_last_purchase():
    data = build()
    split = leave_last_out(data)
    # a: last purchase i4 at t = 10; b: i2 at t = 9; c never bought; d has one interaction.
    assert held_out(split, data, "a") == {"i4"}
    assert held_out(split, data, "b") == {"i2"}
    assert split.n_test_users == 2
    # Train loses exactly those two rows: c and d keep their whole history.
    assert len(split.train) == len(data) - 2
    assert split.cutoff is None and split.name == "leave-last-out"
    # a's i4 was already bought at t = 8, b's i2 at t = 5.
    assert split.n_repurchases == 2


def test_leave_last_out_drops_the_rest_of_the_test_basket_and_later_rows():
    data = build(
        [
            ("e", "i1", 1, "view"),
            ("e", "i2", 5, "purchase"),  # same basket as the next row
            ("e", "i3", 5, "purchase"),  # tie on time: the later row is the test item
            ("e", "i4", 6, "view"),  # after the test purchase: dropped
            ("f", "i1", 1, "purchase"),
            ("f", "i2", 1, "purchase"),  # nothing strictly before: f is not tested
        ]
    )
    split = leave_last_out(data)
    assert held_out(split, data, "e") == {"i3"}
    assert held_out(split, data, "f") == set()
    train = {
        (data.user_ids[u], data.item_ids[i])
        for u, i in zip(split.train.user_index, split.train.item_index, strict=True)
    }
    assert train == {("e", "i1"), ("f", "i1"), ("f", "i2")}


def test_make_split_dispatches():
    data = build()
    assert make_split(data, "time", 0.4).cutoff == 7
    assert make_split(data, "leave-last-out").name == "leave-last-out"
    with pytest.raises(ValueError, match="Unknown split"):
        make_split(data, "random")
