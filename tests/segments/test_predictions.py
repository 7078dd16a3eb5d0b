"""Intent and churn models on a planted order process; next order date and CLV by hand."""

import json

import numpy as np
import pytest

from oscar_ai_crm.features.customer_table import FEATURES, CustomerLog, CustomerTable
from oscar_ai_crm.segments.predictions import (
    calibration_table,
    expected_next_order,
    ordered_between,
    simple_clv,
    train_and_score,
)

DAY = 86_400.0
T0 = 1_600_000_000.0
CUTOFF = T0 + 365 * DAY
HORIZON = 30 * DAY


def _log(customers, kinds, times) -> CustomerLog:
    n = len(customers)
    return CustomerLog(
        event_customer=np.asarray(customers, dtype=np.int64),
        event_kind=np.asarray(kinds, dtype=object),
        event_time=np.asarray(times, dtype=float),
        event_product=np.full(n, -1),
        event_value=np.full(n, 10.0),
        event_rating=np.full(n, np.nan),
        event_discounted=np.zeros(n, dtype=bool),
        product_ids=np.zeros(0, dtype=np.int64),
        product_category=np.zeros(0, dtype=object),
        customers=np.unique(customers),
    )


def test_ordered_between_counts_orders_in_the_half_open_window():
    log = _log(
        [1, 2, 2, 3, 4, 5],
        ["order", "view", "order", "order", "purchase", "order"],
        [100.0, 150.0, 199.9, 200.0, 150.0, 99.9],
    )
    customers = np.array([5, 4, 3, 2, 1, 9])
    # 1: order at start (in); 2: order just before end (in), its view ignored; 3: order at
    # end (out); 4: a "purchase" line is not an order; 5: before start; 9: no events.
    assert ordered_between(log, customers, 100.0, 200.0).tolist() == [
        False, False, False, True, True, False,
    ]  # fmt: skip


@pytest.fixture(scope="module")
def shop():
    """2,000 customers ordering as Poisson processes with their own rates; some stop.

    Whether a customer orders in the 30 days after a cut-off depends on their rate and on
    whether they stopped: recency and frequency before the cut-off carry the signal.
    """
    rng = np.random.default_rng(7)
    n = 2_000
    rate = rng.lognormal(np.log(1 / 60), 1.0, n)  # orders per day
    start = T0 + rng.uniform(0, 200, n) * DAY
    stop = np.minimum(T0 + rng.uniform(100, 600, n) * DAY, CUTOFF + HORIZON)
    times = start[:, None] + np.cumsum(rng.exponential(1 / rate[:, None], (n, 80)), axis=1) * DAY
    keep = times < stop[:, None]
    customers = np.repeat(np.arange(1, n + 1), keep.sum(axis=1))
    log = _log(customers, ["order"] * len(customers), times[keep])
    past = _features(log, start, CUTOFF - HORIZON)
    now = _features(log, start, CUTOFF)
    labels = ordered_between(log, past.customer_ids, CUTOFF - HORIZON, CUTOFF)
    return past, labels, now


def _features(log: CustomerLog, start: np.ndarray, at: float) -> CustomerTable:
    n = len(start)
    before = log.event_time < at
    index = log.event_customer[before] - 1
    frequency = np.bincount(index, minlength=n).astype(float)
    last = np.full(n, -np.inf)
    np.maximum.at(last, index, log.event_time[before])
    tenure = (at - start) / DAY
    values = np.zeros((n, len(FEATURES)))
    column = {name: position for position, name in enumerate(FEATURES)}
    values[:, column["frequency"]] = frequency
    values[:, column["recency_days"]] = np.where(frequency > 0, (at - last) / DAY, tenure)
    values[:, column["tenure_days"]] = tenure
    values[:, column["monetary"]] = frequency * 10.0
    values[:, column["avg_order_value"]] = np.where(frequency > 0, 10.0, 0.0)
    return CustomerTable(np.arange(1, n + 1), values, as_of=at)


def test_intent_beats_a_constant_guess_on_the_planted_signal(shop):
    past, labels, now = shop
    result = train_and_score(past, labels, now)
    scores, auc, brier = result.scores, result.auc, result.brier
    assert scores is not None and auc is not None and brier is not None
    assert auc >= 0.75 and result.baseline_auc == 0.5
    assert result.baseline_brier is not None and brier < result.baseline_brier
    assert (result.n_train, result.n_test) == (1400, 600)
    assert result.positive_rate == pytest.approx(labels.mean())
    assert sum(row["n"] for row in result.calibration) == result.n_test
    assert len(result.calibration) == 10
    assert scores.shape == (len(now),) and ((0 <= scores) & (scores <= 1)).all()
    recent = now.column("recency_days") < 15
    assert scores[recent].mean() > scores[~recent].mean()
    assert result.coefficients["recency_days"] < 0  # the longer ago, the less intent


def test_same_input_same_scores(shop):
    past, labels, now = shop
    first, second = train_and_score(past, labels, now), train_and_score(past, labels, now)
    np.testing.assert_array_equal(first.scores, second.scores)
    assert first.auc == second.auc


def test_random_labels_score_like_a_coin(shop):
    past, _, now = shop
    noise = np.random.default_rng(0).random(len(past)) < 0.3
    auc = train_and_score(past, noise, now).auc
    assert auc is not None and abs(auc - 0.5) < 0.08


def test_churn_trains_and_scores_only_eligible_customers(shop):
    past, labels, now = shop
    ordered_past = past.column("frequency") > 0
    ordered_now = now.column("frequency") > 0
    result = train_and_score(
        past, ~labels, now, eligible_past=ordered_past, eligible_now=ordered_now
    )
    assert result.n_train + result.n_test == ordered_past.sum()
    assert result.auc is not None and result.auc >= 0.7
    scores = result.scores
    assert scores is not None
    assert np.isnan(scores[~ordered_now]).all() and np.isfinite(scores[ordered_now]).all()
    assert result.as_dict()["scored"] == ordered_now.sum()


def test_as_dict_is_json(shop):
    past, labels, now = shop
    data = json.loads(json.dumps(train_and_score(past, labels, now).as_dict()))
    assert set(data) >= {"auc", "brier", "calibration", "n_train", "n_test", "positive_rate"}
    assert data["baseline_auc"] == 0.5 and "scores" not in data


@pytest.mark.parametrize(
    ("rows", "positives", "reason"),
    [
        (100, 0, "only 0 positive examples of 100; need at least 5 of each."),
        (100, 100, "only 0 negative examples of 100; need at least 5 of each."),
        (100, 4, "only 4 positive examples of 100"),
        (19, 9, "only 19 eligible customers in the past; need at least 20."),
    ],
)
def test_degenerate_pasts_give_no_scores_and_a_reason(shop, rows, positives, reason):
    past, _, now = shop
    labels = np.arange(rows) < positives
    result = train_and_score(past.subset(np.arange(rows)), labels, now)
    assert result.scores is None and result.auc is None
    assert result.reason.startswith(reason)
    assert json.dumps(result.as_dict())


def test_misaligned_arguments_are_refused(shop):
    past, labels, now = shop
    with pytest.raises(ValueError, match=r"labels has shape \(3,\); expected \(2000,\)"):
        train_and_score(past, labels[:3], now)
    with pytest.raises(ValueError, match="eligible_now has shape"):
        train_and_score(past, labels, now, eligible_now=np.ones(5, bool))


def test_calibration_table_by_hand():
    bins = calibration_table(np.array([0, 1, 1, 0]), np.array([0.05, 0.95, 1.0, 0.55]))
    assert [row["n"] for row in bins] == [1, 0, 0, 0, 0, 1, 0, 0, 0, 2]
    assert bins[9] == {"lower": 0.9, "upper": 1.0, "n": 2, "mean_predicted": 0.975, "observed": 1.0}
    assert bins[5]["observed"] == 0.0 and bins[1]["mean_predicted"] is None


def _rows(**columns) -> CustomerTable:
    n = len(next(iter(columns.values())))
    values = np.zeros((n, len(FEATURES)))
    for name, column in columns.items():
        values[:, FEATURES.index(name)] = column
    return CustomerTable(np.arange(n), values, as_of=T0)


def test_expected_next_order_is_last_order_plus_mean_gap():
    table = _rows(
        frequency=[3, 1, 0, 2], recency_days=[10, 5, 40, 90], days_between_orders=[30, 0, 0, 20]
    )
    expected = expected_next_order(table)
    assert expected[0] == T0 + 20 * DAY
    assert np.isnan(expected[1:3]).all()
    assert expected[3] == T0 - 70 * DAY  # overdue


def test_simple_clv_is_order_value_times_expected_orders():
    table = _rows(frequency=[4, 1, 0], avg_order_value=[50, 30, 0], tenure_days=[365, 10, 200])
    clv = simple_clv(table)
    assert clv[0] == pytest.approx(200.0)  # 4 orders a year x 50
    assert clv[1] == pytest.approx(30 * 365 / 90)  # one order, rate over at least 90 days
    assert clv[2] == 0.0
    assert simple_clv(table, horizon_days=73)[0] == pytest.approx(40.0)
