"""The segmentation benchmarks on tiny sizes: the synthetic log, the figures and the verdicts."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.test import override_settings
from oscar.test import factories

from benchmarks import segments_quality as quality
from benchmarks import segments_scaling as scaling
from benchmarks.synthetic_customers import (
    ADD,
    AS_OF,
    PURCHASE,
    START,
    TYPES,
    VIEW,
    _bought_from_basket,
    _orders,
    synthetic_customer_log,
)
from oscar_ai_crm.features.customer_features import customer_table
from oscar_ai_crm.models import Event, EventKind

TYPE = {t.name: i for i, t in enumerate(TYPES)}


# -- the synthetic log ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_shop():
    log, types = synthetic_customer_log(3000, 40_000, seed=5)
    return log, types, customer_table(log, AS_OF)


def test_the_log_is_the_same_for_a_seed_and_differs_between_seeds():
    first, types = synthetic_customer_log(500, 5000, seed=1)
    again, same_types = synthetic_customer_log(500, 5000, seed=1)
    other, _ = synthetic_customer_log(500, 5000, seed=2)
    assert np.array_equal(types, same_types)
    assert np.array_equal(first.event_time, again.event_time)
    assert np.array_equal(first.event_kind, again.event_kind)
    assert not np.array_equal(first.event_time[:100], other.event_time[:100])


def test_sizes_kinds_and_catalogue(small_shop):
    log, types, _ = small_shop
    orders = log.event_kind == "order"
    assert len(log) == 40_000 + orders.sum()  # orders come on top of the asked events
    assert np.array_equal(log.customers, np.arange(1, 3001)) and len(types) == 3000
    assert set(log.event_kind.tolist()) == {
        "view", "search", "basket_add", "purchase", "review", "order"
    }  # fmt: skip
    assert START <= log.event_time.min() and log.event_time.max() < AS_OF
    assert len(set(log.product_category.tolist())) == 20
    valued = orders | (log.event_kind == "purchase")
    assert (log.event_value[valued] > 0).all() and np.isnan(log.event_value[~valued]).all()
    assert (log.event_product[log.event_kind == "search"] == -1).all()
    ratings = log.event_rating[log.event_kind == "review"]
    assert set(np.unique(ratings).tolist()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert 0.02 < 1 - len(np.unique(log.event_customer)) / 3000 < 0.05  # 3 % without events


def test_planted_bots_and_double_clicks_are_what_cleaning_finds(small_shop):
    _, _, table = small_shop
    assert table.cleaning["bot_customers"] == 1  # one bot per 10,000 customers, at least one
    assert 0.9 * 400 <= table.cleaning["duplicate_events"] <= 400  # 1 % of 40,000 planted


def test_the_hidden_types_behave_as_described(small_shop):
    log, types, table = small_shop
    kind = types[table.customer_ids - 1]

    def mean(feature: str, name: str, where: np.ndarray | None = None) -> float:
        rows = (kind == TYPE[name]) & (True if where is None else where)
        return float(table.column(feature)[rows].mean())

    assert mean("monetary", "big_spender") > 3 * mean("monetary", "bargain_hunter")
    assert mean("discount_share", "bargain_hunter") > 5 * mean("discount_share", "big_spender")
    assert mean("basket_abandonment", "window_shopper") > mean("basket_abandonment", "big_spender")
    buyers = table.column("frequency") > 0
    assert table.column("recency_days")[(kind == TYPE["lapsed"]) & buyers].min() > 0.44 * 365
    assert table.column("tenure_days")[kind == TYPE["newcomer"]].max() < 0.1 * 365 + 1


def test_purchases_buy_the_session_basket_and_orders_sum_their_lines():
    # Session 0: a view, two basket additions, three purchases (the third buys the first
    # addition again); session 1: a purchase without additions; session 2: a view only.
    ev = {
        "customer": np.array([0, 0, 0, 0, 0, 0, 1, 1]),
        "session": np.array([0, 0, 0, 0, 0, 0, 1, 2]),
        "kind": np.array([VIEW, ADD, ADD, PURCHASE, PURCHASE, PURCHASE, PURCHASE, VIEW]),
        "time": np.arange(8) * 60.0,
        "product": np.array([9, 4, 7, 1, 2, 3, 5, 6]),
    }
    assert _bought_from_basket(ev).tolist() == [9, 4, 7, 4, 7, 4, 5, 6]
    ev["value"] = np.array([np.nan, np.nan, np.nan, 10.0, 5.0, 7.0, 3.0, np.nan])
    ev["rating"] = np.full(8, np.nan)
    types = np.array([TYPE["big_spender"], TYPE["bargain_hunter"]])
    orders = _orders(np.random.default_rng(0), types, ev)
    assert orders["customer"].tolist() == [0, 1]
    assert orders["time"].tolist() == [5 * 60 + 30, 6 * 60 + 30]  # after the last purchase
    lines = np.array([10.0 + 5.0 + 7.0, 3.0])  # 10 % off when a voucher was used
    expected = np.round(np.where(orders["discounted"], 0.9, 1.0) * lines, 2)
    assert orders["value"].tolist() == expected.tolist()


def test_too_few_events_is_refused():
    with pytest.raises(ValueError, match="2 events per customer"):
        synthetic_customer_log(100, 150)


# -- the scaling figures and verdicts -------------------------------------------------------


@pytest.mark.django_db
def test_measure_reports_every_part_and_the_planted_rules():
    scaling.prepare_database(migrate=False)  # the test database already has the tables
    result = scaling.measure(400, 6000, seed=3, size="tiny")

    assert result["size"] == "tiny" and result["customers"] == 400
    assert result["events"] == 6000 + result["orders"]
    assert set(result["parts"]) == set(scaling.PARTS)
    for figures in [result["whole"], *result["parts"].values()]:
        assert figures["seconds"] > 0 and figures["peak_rss_mb"] > 0
    assert set(result["stage_seconds"]) == {"features", "clustering", "predictions", "rules"}
    assert 2 <= result["k"] == len(result["segments"]) <= 8
    assert len(result["rule_members"]) == 2 and result["cleaning"]["bot_customers"] == 1
    assert -1 <= result["ari_hidden_types"] <= 1
    json.dumps(result)  # what the child writes


def fake_size(size: str, customers: int, events: int, seconds: float) -> dict:
    part = {"seconds": seconds / 4, "cpu_seconds": 1.0, "peak_rss_mb": 300.0, "rss_growth_mb": 50}
    return {
        "size": size, "customers": customers, "events": events, "orders": 10,
        "load_average": 1.0, "whole": dict(part, seconds=seconds),
        "parts": {name: dict(part) for name in scaling.PARTS},
        "stage_seconds": {"features": 0.5, "clustering": 1.0, "predictions": 1.0, "rules": 0.0},
        "k": 5, "algorithm": "kmeans", "silhouette": 0.25, "segments": ["Champions (10)"],
        "ari_hidden_types": 0.5, "intent_auc": 0.8, "churn_auc": None,
        "cleaning": {"bot_customers": 1, "duplicate_events": 100},
    }  # fmt: skip


@pytest.mark.parametrize(("seconds", "verdict"), [(59.9, "PASS"), (60.1, "FAIL")])
def test_the_target_verdict_is_judged_on_the_whole_run_of_the_target_size(seconds, verdict):
    results = [
        fake_size("10k/100k", 10_000, 100_000, 99.0),
        fake_size("100k/1M", 100_000, 10**6, seconds),
    ]
    (line,) = scaling.target_lines(results)
    assert line.startswith(f"{verdict} 100,000 customers / 1,000,000 events")
    assert scaling.target_lines(results[:1])[0].startswith("SKIP")


def test_growth_is_measured_against_the_first_size():
    results = [fake_size("a", 10_000, 100_000, 2.0), fake_size("b", 100_000, 1_000_000, 20.0)]
    results.insert(1, fake_size("c", 10_000, 1_000_000, 2.0))
    lines = scaling.growth_lines(results)
    assert "a -> c (1x customers, 10.0x events): whole x1.0 (time ~ events^0.00)" in lines
    assert "a -> b (10x customers, 10.0x events): whole x10.0 (time ~ customers^1.00)" in lines
    assert len(lines) == 2 * (1 + len(scaling.PARTS))


def test_the_report_has_a_row_per_size_the_publishing_table_and_the_verdict():
    publishing = {"customers": 10_000, "events": 100_000, "runs": [
        {"run": "first run", "total_seconds": 9.0, "compute_seconds": 3.0, "publish_seconds": 6.0,
         "rss_growth_mb": 100, "profiles": 9999, "memberships": 12000, "movements": 12000},
    ]}  # fmt: skip
    report = scaling.format_report([fake_size("100k/1M", 100_000, 10**6, 30.0)], publishing)
    assert "| 100k/1M | 100,000 | 1,000,000 | 7.50 | 7.50 | 7.50 | 30.00 |" in report
    assert "| first run | 9.00 | 3.00 | 6.00 | 9,999 | 12,000 | 12,000 | 100 |" in report
    assert "| 0.800 | n/a |" in report  # intent AUC, churn AUC missing
    assert report.splitlines()[-1].startswith("PASS")


def test_an_unknown_size_is_refused(capsys):
    with pytest.raises(SystemExit):
        scaling.main(["--sizes", "10k/100k,1M/1G"])
    assert "unknown size(s) 1M/1G" in capsys.readouterr().err


# -- the quality figures and verdicts -------------------------------------------------------


def fake_run(ari: float | None, repeat: float | None, intent_auc: float | None = 0.8) -> dict:
    reference = None if ari is None else {"ari": ari, "customers": 600}
    return {
        "run": 1, "duration_seconds": 2.5, "k": 4, "silhouette": 0.31,
        "silhouette_by_k": {"2": 0.2, "3": 0.25, "4": 0.31},
        "personas": [{"name": "Champions", "size": 150, "share": 0.25, "description": "Best."}],
        "agreement": {"previous_run_ari": repeat, "reference": reference},
        "intent": {"auc": intent_auc, "brier": 0.1, "baseline_brier": 0.15, "positive_rate": 0.2,
                   "n_test": 90, "reason": "" if intent_auc else "only 3 positives"},
        "churn": {"auc": 0.7, "brier": 0.2, "baseline_brier": 0.22, "positive_rate": 0.4,
                  "n_test": 50, "reason": ""},
    }  # fmt: skip


def fake_seed(seed: int, first: dict, second: dict) -> dict:
    shop = {"seconds": 60.0, "customers": 600, "orders": 900, "events": 40_000, "personas": {}}
    crosstab = {"Champions": {"loyal_big_spender": 98, "bargain_hunter": 2}}
    return {"seed": seed, "shop": shop, "runs": [first, second], "crosstab": crosstab}


@pytest.mark.parametrize(
    ("aris", "repeat", "verdicts"),
    [
        ((0.75, 0.71), 1.0, ["PASS", "PASS"]),
        ((0.75, 0.69), 0.85, ["FAIL", "PASS"]),
        ((None, 0.9), 0.79, ["FAIL", "FAIL"]),
        ((0.9, 0.9), None, ["PASS", "FAIL"]),
    ],
)
def test_quality_verdicts(aris, repeat, verdicts):
    result = fake_seed(42, fake_run(aris[0], None), fake_run(aris[1], repeat))
    lines = quality.target_lines(result)
    assert [line.split()[0] for line in lines] == verdicts
    assert "ARI against the hidden personas >= 0.7" in lines[0]
    assert lines[1].endswith(": n/a" if repeat is None else f": {repeat:.3f}")


def test_a_seed_is_reported_with_silhouettes_segments_scores_and_crosstab():
    text = quality.format_seed(fake_seed(7, fake_run(0.8, None, None), fake_run(0.8, 1.0)))
    assert "## Demo shop, seed 7" in text
    assert "| k | 2 | 3 | 4 |" in text and "| silhouette | 0.200 | 0.250 | 0.310 |" in text
    assert "| Champions | 150 | 25.0% | Best. |" in text
    assert "| intent | n/a (only 3 positives) |" in text
    assert "| churn | 0.700 | 0.200 | 0.220 | 0.400 | 50 |" in text
    assert "| Champions | 2 | 98 |" in text  # bargain_hunter, loyal_big_spender
    assert "PASS seed 7: repeat-run ARI >= 0.8: 1.000" in text


def test_the_summary_gives_the_mean_and_lowest_ari_over_seeds():
    results = [
        fake_seed(42, fake_run(0.9, None), fake_run(0.9, 1.0)),
        fake_seed(7, fake_run(0.6, None), fake_run(0.6, 1.0)),
    ]
    text = quality.format_summary(results)
    assert "ARI run 1 over 2 seeds: mean 0.750, lowest 0.600" in text
    assert "| 7 | 600 | 4 | 0.310 | 0.600 | 0.600 | 1.000 | 0.800 | 0.700 |" in text
    assert "FAIL seed 7: ARI against the hidden personas" in text


def test_seeds_are_parsed_or_refused():
    assert quality.parse_seeds("42,7, 2026") == [42, 7, 2026]
    for bad in ("a,b", ","):
        with pytest.raises(argparse.ArgumentTypeError):
            quality.parse_seeds(bad)


REFERENCE: dict[int, str] = {}


def reference() -> dict[int, str]:
    return REFERENCE


@pytest.mark.django_db
@override_settings(
    OSCAR_AI_CRM={
        "SEGMENTS": {"REFERENCE_LABELS": "tests.benchmarks.test_segments_benchmarks.reference"}
    }
)
def test_two_crm_segment_runs_give_the_figures_and_the_crosstab():
    """Planted groups (frequent big buyers, lapsed buyers, browsers) as real Event rows."""
    now = datetime.now(UTC)
    plans = {"big": (10, 2, 200), "lapsed": (3, 200, 40), "browser": (0, 0, 0)}
    events, rng = [], np.random.default_rng(0)
    REFERENCE.clear()
    for group, (orders, last_day, value) in plans.items():
        for _ in range(12):
            user = factories.UserFactory()
            REFERENCE[user.pk] = group
            for n, day in enumerate(np.linspace(last_day + 150, last_day, orders)):
                events.append(Event(kind=EventKind.ORDER, user=user, order_number=f"{user.pk}-{n}",
                                    value=Decimal(f"{value * rng.uniform(0.8, 1.2):.2f}"),
                                    created_at=now - timedelta(days=float(day))))  # fmt: skip
            for day in rng.uniform(1, 300, 40 if group == "browser" else 5):
                events.append(Event(kind=EventKind.VIEW, user=user,
                                    created_at=now - timedelta(days=float(day))))  # fmt: skip
    Event.objects.bulk_create(events)

    first, second = quality.segment_once(), quality.segment_once()
    crosstab = quality.segments_by_persona()

    assert first["agreement"]["reference"] == {"ari": 1.0, "customers": 36}
    assert second["agreement"]["previous_run_ari"] == 1.0
    assert first["intent"].keys() == set(quality.SCORE_KEYS)
    assert sorted(sorted(counts.items()) for counts in crosstab.values()) == [
        [("big", 12)], [("browser", 12)], [("lapsed", 12)]
    ]  # fmt: skip
