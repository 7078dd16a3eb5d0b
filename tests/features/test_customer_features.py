"""Customer features on hand-built logs: every value computed by hand, each cleaning rule."""

import numpy as np
import pytest

from oscar_ai_crm.features.customer_features import (
    CATEGORY_WEIGHTS,
    customer_table,
    quintile_scores,
)
from oscar_ai_crm.features.customer_table import FEATURES, CustomerLog

DAY = 86_400.0
T0 = 1_700_000_000.0
AS_OF = T0 + 100 * DAY
NAN = float("nan")
PRODUCTS = {10: "Books", 11: "Books", 20: "Clothing", 30: "", 40: "Toys"}


def make_log(events, customers, products=PRODUCTS) -> CustomerLog:
    """``events``: (customer, kind, day, seconds, product, value, rating, discounted)."""
    rows = list(zip(*events, strict=True)) if events else [()] * 8
    customer, kind, day, seconds, product, value, rating, discounted = rows
    return CustomerLog(
        event_customer=np.array(customer, dtype=np.int64),
        event_kind=np.array(kind, dtype=object),
        event_time=T0 + np.array(day, dtype=np.float64) * DAY + np.array(seconds, dtype=float),
        event_product=np.array(product, dtype=np.int64),
        event_value=np.array(value, dtype=np.float64),
        event_rating=np.array(rating, dtype=np.float64),
        event_discounted=np.array(discounted, dtype=bool),
        product_ids=np.array(list(products), dtype=np.int64),
        product_category=np.array(list(products.values()), dtype=object),
        customers=np.array(customers, dtype=np.int64),
    )


def ev(customer, kind, day, seconds=0.0, product=-1, value=NAN, rating=NAN, discounted=False):
    return (customer, kind, day, seconds, product, value, rating, discounted)


SHOP = [
    # 1: three orders (day 30 + 200 s, day 50 + 100 s, day 90), a duplicate view, an order
    # at as_of (ignored)
    ev(1, "view", 10, product=10),
    ev(1, "view", 10, 0.5, product=10),  # duplicate of the one before
    ev(1, "view", 20, product=20),
    ev(1, "view", 30, product=11),
    ev(1, "basket_add", 30, 100, product=10),
    ev(1, "order", 30, 200, value=100.0, discounted=True),
    ev(1, "purchase", 30, 200, product=10, value=100.0),
    ev(1, "search", 50),
    ev(1, "order", 50, 100, value=50.0, discounted=True),
    ev(1, "purchase", 50, 100, product=20, value=50.0),
    ev(1, "review", 60, product=10, rating=4),
    ev(1, "order", 90, value=30.0),
    ev(1, "purchase", 90, product=30, value=30.0),
    ev(1, "order", 100, value=1000.0),  # at as_of: ignored
    # 2: one order, an abandoned addition, an addition whose window is still open
    ev(2, "view", 40, product=20),
    ev(2, "view", 40, 5, product=20),  # 5 s later: not a duplicate
    ev(2, "view", 41, product=40),
    ev(2, "basket_add", 41, product=20),
    ev(2, "order", 70, value=200.0),
    ev(2, "purchase", 70, product=40, value=200.0),
    ev(2, "review", 75, product=20, rating=2),
    ev(2, "review", 76, product=40, rating=5),
    ev(2, "basket_add", 95, product=40),
    # 3: browses, never buys
    ev(3, "search", 80),
    ev(3, "search", 80, 0.2),  # duplicate
    ev(3, "view", 80, 60, product=10),
    ev(3, "login", 85),
    # 4: one discounted order, nothing else
    ev(4, "order", 99, value=100.0, discounted=True),
    # 99 is not a customer of the table
    ev(99, "view", 50, product=10),
]
SHOP_MEAN_REVIEW = (4 + 2 + 5) / 3

EXPECTED = {
    1: dict(
        recency_days=10, frequency=3, monetary=180, r_score=3, f_score=5, m_score=3,
        avg_order_value=60, tenure_days=90, days_between_orders=30 - 100 / DAY, views=3, searches=1,
        basket_adds=1, sessions=6, browse_to_buy=1, basket_abandonment=0,
        discount_share=2 / 3, avg_review_score=4, reviews=1,
    ),
    2: dict(
        recency_days=30, frequency=1, monetary=200, r_score=1, f_score=2, m_score=5,
        avg_order_value=200, tenure_days=60, days_between_orders=60, views=3, searches=0,
        basket_adds=2, sessions=6, browse_to_buy=1 / 3, basket_abandonment=1,
        discount_share=0, avg_review_score=3.5, reviews=2,
    ),
    3: dict(
        recency_days=20, frequency=0, monetary=0, r_score=1, f_score=1, m_score=1,
        avg_order_value=0, tenure_days=20, days_between_orders=20, views=1, searches=1,
        basket_adds=0, sessions=2, browse_to_buy=0, basket_abandonment=0,
        discount_share=0, avg_review_score=SHOP_MEAN_REVIEW, reviews=0,
    ),
    4: dict(
        recency_days=1, frequency=1, monetary=100, r_score=5, f_score=2, m_score=1,
        avg_order_value=100, tenure_days=1, days_between_orders=1, views=0, searches=0,
        basket_adds=0, sessions=1, browse_to_buy=1, basket_abandonment=0,
        discount_share=1, avg_review_score=SHOP_MEAN_REVIEW, reviews=0,
    ),
    5: dict(
        recency_days=0, frequency=0, monetary=0, r_score=1, f_score=1, m_score=1,
        avg_order_value=0, tenure_days=0, days_between_orders=0, views=0, searches=0,
        basket_adds=0, sessions=0, browse_to_buy=0, basket_abandonment=0,
        discount_share=0, avg_review_score=SHOP_MEAN_REVIEW, reviews=0,
    ),
}  # fmt: skip


@pytest.fixture
def shop_table():
    return customer_table(make_log(SHOP, customers=[5, 4, 3, 2, 1]), AS_OF)


def test_every_feature_matches_the_hand_computed_value(shop_table):
    assert shop_table.customer_ids.tolist() == [1, 2, 3, 4, 5]
    for row, customer in enumerate(shop_table.customer_ids.tolist()):
        expected = [EXPECTED[customer][name] for name in FEATURES]
        assert shop_table.values[row].tolist() == pytest.approx(expected), customer
    assert shop_table.as_of == AS_OF


def test_category_shares_are_weighted_by_event_kind(shop_table):
    assert CATEGORY_WEIGHTS == {"view": 1, "basket_add": 3, "purchase": 5, "review": 2}
    assert shop_table.categories == ["Books", "Clothing", "Toys"]
    # 1: Books = views 1 + 1, addition 3, purchase 5, review 2; Clothing = view 1, purchase 5;
    # the purchase of the uncategorised product 30 does not count.
    # 2: Clothing = views 2, addition 3, review 2; Toys = view 1, addition 3, purchase 5, review 2
    expected = [[12 / 18, 6 / 18, 0], [0, 7 / 18, 11 / 18], [1, 0, 0], [0, 0, 0], [0, 0, 0]]
    assert shop_table.category_shares.tolist() == [pytest.approx(row) for row in expected]


def test_cleaning_report(shop_table):
    assert shop_table.cleaning == {
        "late_events": 1,
        "unknown_customer_events": 1,
        "duplicate_events": 2,
        "bot_customers": 0,
        "filled": {"recency_days": 2, "days_between_orders": 4, "avg_review_score": 3},
        "clipped": dict.fromkeys(
            ["monetary", "avg_order_value", "frequency", "views", "searches", "basket_adds"], 0
        ),
        "events": len(SHOP) - 4,
    }


def test_as_of_cuts_off_later_events():
    table = customer_table(make_log(SHOP, customers=[1, 2, 3, 4]), T0 + 60 * DAY)
    first = dict(zip(FEATURES, table.values[0], strict=True))
    assert first["frequency"] == 2 and first["monetary"] == 150
    assert first["recency_days"] == pytest.approx(10 - 100 / DAY)  # last order at day 50 + 100 s
    assert first["days_between_orders"] == pytest.approx(20 - 100 / DAY)
    assert first["tenure_days"] == 50
    assert first["reviews"] == 0  # the review is on day 60: at as_of, so not seen
    assert table.column("tenure_days").tolist() == [50, 20, 0, 0]
    before = customer_table(make_log(SHOP, customers=[1, 2, 3, 4]).before(T0 + 60 * DAY), T0)
    assert before.column("tenure_days").tolist() == [0, 0, 0, 0]


def test_shop_without_events_or_reviews():
    table = customer_table(make_log([], customers=[7, 3]), AS_OF)
    assert table.customer_ids.tolist() == [3, 7]
    expected = dict.fromkeys(FEATURES, 0.0) | dict.fromkeys(["r_score", "f_score", "m_score"], 1)
    expected["avg_review_score"] = 3.0  # no review in the shop
    assert table.values.tolist() == [[expected[name] for name in FEATURES]] * 2
    assert table.category_shares.shape == (2, 3) and not table.category_shares.any()
    assert table.cleaning["filled"] == {
        "recency_days": 2,
        "days_between_orders": 2,
        "avg_review_score": 2,
    }


def test_no_customers_gives_an_empty_table():
    table = customer_table(make_log(SHOP, customers=[]), AS_OF)
    assert table.values.shape == (0, len(FEATURES))
    assert table.cleaning["unknown_customer_events"] == len(SHOP)


@pytest.mark.parametrize(
    ("values", "scores"),
    [
        ([5, 4, 3, 2, 1], [5, 4, 3, 2, 1]),
        (list(range(10)), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]),
        ([7.0], [3]),  # tiny shops: one buyer in the middle
        ([1, 2], [2, 4]),
        ([3, 1, 2], [5, 1, 3]),
        ([1, 2, 3, 4], [1, 2, 4, 5]),
        ([2, 2, 2, 2], [3, 3, 3, 3]),  # all tied: the middle
        ([1, 1, 1, 1, 9], [3, 3, 3, 3, 5]),  # ties share the score of their mid-rank (0.4)
        ([0.1 + 0.2, 0.3, 0.0], [4, 4, 1]),  # float sums in another order still tie
    ],
)
def test_quintile_scores(values, scores):
    assert quintile_scores(np.array(values)).tolist() == scores


def test_rfm_ties_between_customers_and_non_buyers():
    same = [ev(c, "order", 50, value=20.0) for c in (1, 2, 3)]
    table = customer_table(make_log([*same, ev(4, "view", 50, product=10)], [1, 2, 3, 4]), AS_OF)
    scores = table.values[:, [FEATURES.index(n) for n in ("r_score", "f_score", "m_score")]]
    assert scores.tolist() == [[3, 3, 3]] * 3 + [[1, 1, 1]]


def test_duplicate_events_within_the_window_are_dropped():
    events = [
        ev(1, "view", 1, 0.0, product=10),
        ev(1, "view", 1, 1.0, product=10),  # exactly 1 s later: duplicate
        ev(1, "view", 1, 1.5, product=10),  # 0.5 s after the previous one: duplicate
        ev(1, "view", 1, 3.0, product=10),  # 1.5 s later: kept
        ev(1, "view", 1, 3.0, product=11),  # another product: kept
        ev(1, "basket_add", 1, 3.0, product=11),  # another kind: kept
        ev(2, "view", 1, 0.0, product=10),  # another customer: kept
    ]
    table = customer_table(make_log(events, [1, 2]), AS_OF)
    assert table.cleaning["duplicate_events"] == 2
    assert table.column("views").tolist() == [3, 1]
    exact = customer_table(make_log(events, [1, 2]), AS_OF, duplicate_seconds=0)
    assert exact.cleaning["duplicate_events"] == 0


def test_bot_like_customers_are_dropped():
    def burst(customer, n, day=5):
        return [ev(customer, "view", day, i * 10.0, product=10) for i in range(n)]

    events = [*burst(1, 51), *burst(2, 50), *burst(3, 40), *burst(3, 40, day=6)]
    events += [ev(4, "order", 7, value=10.0)]
    table = customer_table(make_log(events, [1, 2, 3, 4]), AS_OF, bot_events_per_day=50)
    assert table.customer_ids.tolist() == [2, 3, 4]  # 51 events on one day: a bot
    assert table.cleaning["bot_customers"] == 1
    assert table.column("views").tolist() == [50, 80, 0]
    assert table.column("frequency").tolist() == [0, 0, 1]


def test_bots_are_counted_before_duplicates_are_dropped():
    repeats = [ev(1, "view", 5, i * 0.1, product=10) for i in range(20)]
    table = customer_table(make_log(repeats, [1, 2]), AS_OF, bot_events_per_day=10)
    assert table.customer_ids.tolist() == [2]


def test_outliers_are_clipped_at_the_quantile_of_positive_values():
    events = [ev(c, "view", 5, i * 10.0, product=10) for c in range(1, 11) for i in range(c)]
    customers = list(range(1, 13))  # 11 and 12 have no views and do not lower the cap
    table = customer_table(make_log(events, customers), AS_OF, clip_quantile=0.5)
    # positive views 1..10: the 0.5 quantile, taken at an observed value above it, is 6
    assert table.column("views").tolist() == [1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 0, 0]
    assert table.cleaning["clipped"]["views"] == 4
    unclipped = customer_table(make_log(events, customers), AS_OF, clip_quantile=1.0)
    assert unclipped.column("views").max() == 10 and unclipped.cleaning["clipped"]["views"] == 0


def test_monetary_clipping_keeps_recency_and_scores():
    events = [ev(c, "order", 50, value=10.0 * c) for c in range(1, 5)]
    events.append(ev(5, "order", 50, value=10_000.0))
    table = customer_table(make_log(events, [1, 2, 3, 4, 5]), AS_OF, clip_quantile=0.75)
    assert table.column("monetary").tolist() == [10, 20, 30, 40, 40]
    assert table.column("avg_order_value").tolist() == [10, 20, 30, 40, 40]
    assert table.column("m_score").tolist() == [1, 2, 3, 4, 5]  # scored before clipping


@pytest.mark.parametrize(("window", "abandonment"), [(7, 1.0), (10, 0.0)])
def test_basket_addition_bought_only_within_the_window(window, abandonment):
    events = [
        ev(1, "basket_add", 10, product=10),
        ev(1, "purchase", 18, product=10, value=5.0),  # 8 days later
        ev(1, "order", 18, value=5.0),
    ]
    table = customer_table(make_log(events, [1]), AS_OF, abandon_window_days=window)
    assert table.column("basket_abandonment").tolist() == [abandonment]


def test_addition_without_a_product_is_bought_by_any_order():
    events = [ev(1, "basket_add", 10), ev(1, "order", 11, value=5.0), ev(2, "basket_add", 10)]
    table = customer_table(make_log(events, [1, 2]), AS_OF)
    assert table.column("basket_abandonment").tolist() == [0.0, 1.0]


def test_unknown_kinds_count_as_activity_only():
    events = [ev(1, "rec_click", 40, product=10), ev(1, "wishlist", 60, product=20)]
    table = customer_table(make_log(events, [1]), AS_OF)
    row = dict(zip(FEATURES, table.values[0], strict=True))
    assert (row["tenure_days"], row["sessions"], row["views"]) == (60, 2, 0)
    assert not table.category_shares.any()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"abandon_window_days": -1}, "abandon_window_days"),
        ({"bot_events_per_day": 0}, "bot_events_per_day"),
        ({"duplicate_seconds": -0.5}, "duplicate_seconds"),
        ({"clip_quantile": 0}, "clip_quantile"),
        ({"clip_quantile": 1.5}, "clip_quantile"),
    ],
)
def test_bad_arguments_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        customer_table(make_log(SHOP, [1]), AS_OF, **kwargs)


def test_bad_logs_are_rejected():
    log = make_log(SHOP, [1])
    log.event_kind = log.event_kind[:-1]
    with pytest.raises(ValueError, match="differ in length"):
        customer_table(log, AS_OF)
    with pytest.raises(ValueError, match="as_of"):
        customer_table(make_log(SHOP, [1]), float("nan"))
    log = make_log(SHOP, [1])
    log.event_time[0] = np.nan
    with pytest.raises(ValueError, match="event_time contains NaN"):
        customer_table(log, AS_OF)


def test_a_hundred_thousand_customers_and_a_million_events():
    rng = np.random.default_rng(7)
    n_customers, n_events, n_products = 100_000, 1_000_000, 5_000
    kinds = np.array(["view", "search", "basket_add", "order", "purchase", "review"], object)
    kind = kinds[rng.choice(6, n_events, p=[0.55, 0.15, 0.12, 0.06, 0.08, 0.04])]
    product = rng.integers(0, n_products, n_events)
    product[(kind == "search") | (kind == "order")] = -1
    log = CustomerLog(
        event_customer=rng.integers(0, n_customers, n_events),
        event_kind=kind,
        event_time=T0 + rng.uniform(0, 365 * DAY, n_events),
        event_product=product,
        event_value=np.where(kind == "order", rng.gamma(2.0, 30.0, n_events), np.nan),
        event_rating=np.where(kind == "review", rng.integers(1, 6, n_events), np.nan),
        event_discounted=(kind == "order") & (rng.random(n_events) < 0.2),
        product_ids=np.arange(n_products),
        product_category=np.array([f"category {i % 12}" for i in range(n_products)], object),
        customers=np.arange(n_customers + 1000),  # 1000 customers without events
    )
    table = customer_table(log, T0 + 365 * DAY)
    assert table.values.shape == (n_customers + 1000, len(FEATURES))
    assert table.category_shares.shape == (n_customers + 1000, 12)
