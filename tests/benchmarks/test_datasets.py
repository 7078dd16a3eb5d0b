"""The benchmark data loaders, on tiny files in the real formats (and once on the real files)."""

from __future__ import annotations

import gzip
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from benchmarks.datasets import (
    SHARED_DATA_ENV,
    DatasetMissing,
    SaleLine,
    load_movielens_ratings,
    load_online_retail,
    movielens_interactions,
    sale_line_problem,
    shared_data_dir,
)

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
RETAIL_LINES = [
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,UK",
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,UK",
    "536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,17850,UK",
    '536367,84879,"ASSORTED COLOUR BIRD ORNAMENT, LARGE",32,2010-12-01 08:34:00,1.69,13047,UK',
    "536367,85123a,WHITE HANGING HEART T-LIGHT HOLDER,2,2010-12-01 08:34:00,2.55,13047,UK",
    "536368,71053,white metal lantern ,1,2010-12-02 10:00:00,3.39,13047,UK",
    # not purchases of a product:
    "536369,22633,HAND WARMER UNION JACK,6,2010-12-02 11:00:00,1.85,,UK",
    "C536370,22633,HAND WARMER UNION JACK,-6,2010-12-02 12:00:00,1.85,17850,UK",
    "536371,22633,HAND WARMER UNION JACK,-3,2010-12-02 12:00:00,1.85,17850,UK",
    "536372,22633,HAND WARMER UNION JACK,3,2010-12-02 12:00:00,0.0,17850,UK",
    "536373,POST,POSTAGE,1,2010-12-02 13:00:00,18.0,13047,FR",
    "536373,BANK CHARGES,Bank Charges,1,2010-12-02 13:00:00,15.0,13047,FR",
    "536373,M,Manual,1,2010-12-02 13:00:00,0.85,13047,FR",
]


def write_retail(folder: Path, zipped: bool = True) -> Path:
    text = HEADER + "\n".join(RETAIL_LINES) + "\n"
    if zipped:
        path = folder / "online_retail.csv.gz"
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path = folder / "online_retail.csv"
        path.write_text(text)
    return path


def line(**values: str) -> SaleLine:
    base = {
        "InvoiceNo": "1",
        "StockCode": "10002",
        "Description": "x",
        "Quantity": "1",
        "InvoiceDate": "2011-01-01 10:00:00",
        "UnitPrice": "1.0",
        "CustomerID": "1",
    }
    return SaleLine(**(base | values))


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({}, None),
        ({"StockCode": "85123A"}, None),
        ({"CustomerID": " "}, "no_customer"),
        ({"InvoiceNo": "C536379", "Quantity": "-1"}, "cancellation"),
        ({"Quantity": "0"}, "quantity_not_positive"),
        ({"Quantity": "-2"}, "quantity_not_positive"),
        ({"UnitPrice": "0"}, "price_not_positive"),
        ({"InvoiceNo": "A563185", "UnitPrice": "-11062.06"}, "price_not_positive"),
        ({"UnitPrice": "abc"}, "price_not_positive"),
        ({"StockCode": "POST"}, "not_a_product_code"),
        ({"StockCode": "C2"}, "not_a_product_code"),
        ({"StockCode": "AMAZONFEE"}, "not_a_product_code"),
    ],
)
def test_sale_line_rules(values, problem):
    assert sale_line_problem(line(**values)) == problem


@pytest.mark.parametrize("zipped", [True, False])
def test_online_retail_keeps_purchases_of_products(tmp_path, zipped):
    data = load_online_retail(write_retail(tmp_path, zipped))
    report, interactions = data.report, data.interactions
    assert report.rows == 13 and report.kept == 6
    assert report.dropped == {
        "no_customer": 1,
        "cancellation": 1,
        "quantity_not_positive": 1,
        "price_not_positive": 1,
        "not_a_product_code": 3,
    }
    assert sorted(interactions.user_ids) == ["13047", "17850"]
    # "85123a" and "85123A" are one product; service codes are not items.
    assert sorted(interactions.item_ids) == ["22633", "71053", "84879", "85123A"]
    assert set(interactions.event) == {"purchase"}
    assert np.all(interactions.weight == 1.0)
    # One basket per invoice: 536365 (2 lines), 536366, 536367 (2 lines), 536368.
    assert len(set(interactions.basket.tolist())) == 4
    first = datetime(2010, 12, 1, 8, 26, tzinfo=UTC).timestamp()
    assert interactions.timestamp.min() == first
    purchased = interactions.purchased.toarray()
    assert purchased.sum() == 6


def test_online_retail_item_text_is_the_most_frequent_description(tmp_path):
    interactions = load_online_retail(write_retail(tmp_path)).interactions
    text = dict(zip(interactions.item_ids, interactions.items.text, strict=True))
    assert text["71053"] == "WHITE METAL LANTERN"  # a tie: the first seen wins
    assert text["84879"] == "ASSORTED COLOUR BIRD ORNAMENT, LARGE"


def test_online_retail_log1p_quantity_weighting(tmp_path):
    interactions = load_online_retail(write_retail(tmp_path), "log1p_quantity").interactions
    assert sorted(np.round(interactions.weight, 5)) == sorted(
        np.round(np.log1p([6, 6, 6, 32, 2, 1]), 5).astype(np.float32)
    )
    with pytest.raises(ValueError, match="weighting"):
        load_online_retail(write_retail(tmp_path), "quantity")


def write_movielens(folder: Path) -> Path:
    folder.mkdir()
    (folder / "u.data").write_text(
        "1\t10\t5\t881250949\n1\t20\t3\t881250950\n2\t10\t4\t881250951\n"
        "2\t30\t1\t881250952\n3\t30\t4\t881250953\n"
    )
    flags = ["0"] * 19
    action, drama = list(flags), list(flags)
    action[1], drama[8] = "1", "1"
    items = [
        ["10", "Toy Story (1995)", "01-Jan-1995", "", "http://x", *action],
        ["20", "Misérables, Les (1995)", "01-Jan-1995", "", "http://x", *drama],
        ["30", "Heat (1995)", "01-Jan-1995", "", "http://x", *flags],
    ]
    text = "\n".join("|".join(fields) for fields in items) + "\n"
    (folder / "u.item").write_bytes(text.encode("latin-1"))
    return folder


def test_movielens_ratings_and_titles(tmp_path):
    data = load_movielens_ratings(write_movielens(tmp_path / "ml"))
    assert len(data) == 5
    assert data.users.tolist() == [1, 1, 2, 2, 3]
    assert data.ratings.tolist() == [5.0, 3.0, 4.0, 1.0, 4.0]
    assert data.timestamps[0] == 881250949
    assert data.titles[20] == "Misérables, Les (1995)"  # latin-1 decoded
    assert data.genres == {10: ["Action"], 20: ["Drama"], 30: []}


def test_movielens_positives_are_ratings_of_four_or_more(tmp_path):
    interactions = movielens_interactions(load_movielens_ratings(write_movielens(tmp_path / "ml")))
    assert len(interactions) == 3
    pairs = {
        (interactions.user_ids[u], interactions.item_ids[i])
        for u, i in zip(interactions.user_index, interactions.item_index, strict=True)
    }
    assert pairs == {(1, 10), (2, 10), (3, 30)}
    assert interactions.n_items == 3  # movie 20 stays in the catalogue, without positives
    text = dict(zip(interactions.item_ids, interactions.items.text, strict=True))
    assert text[10] == "Toy Story (1995) Action"
    assert not math.isnan(float(interactions.rating[0]))


def test_shared_data_dir_override_and_missing_files(tmp_path, monkeypatch):
    monkeypatch.setenv(SHARED_DATA_ENV, str(tmp_path))
    assert shared_data_dir() == tmp_path
    with pytest.raises(DatasetMissing, match=SHARED_DATA_ENV):
        load_online_retail()
    with pytest.raises(DatasetMissing):
        load_movielens_ratings()
    monkeypatch.delenv(SHARED_DATA_ENV)
    assert shared_data_dir().parts[-2:] == ("shared", "data")


@pytest.mark.slow
def test_real_files_match_their_documented_counts():
    folder = shared_data_dir()
    if not (folder / "online-retail").is_dir() or not (folder / "ml-100k").is_dir():
        pytest.skip(f"no shared data in {folder}")
    retail = load_online_retail()
    report = retail.report
    assert report.rows == 541_909  # README: all rows
    assert report.dropped["no_customer"] == 135_080
    # README: 397,924 lines with a customer, not cancelled, quantity > 0.
    first_three = report.dropped["no_customer"] + report.dropped["cancellation"]
    first_three += report.dropped["quantity_not_positive"]
    assert report.rows - first_three == 397_924
    assert report.kept == len(retail.interactions)
    assert retail.interactions.n_users <= 4_372
    movielens = load_movielens_ratings()
    assert len(movielens) == 100_000
    assert len(np.unique(movielens.users)) == 943
    assert len(np.unique(movielens.items)) == 1_682 == len(movielens.titles)
    counts = dict(zip(*np.unique(movielens.ratings, return_counts=True), strict=True))
    assert counts == {1: 6_110, 2: 11_370, 3: 27_145, 4: 34_174, 5: 21_201}
    assert movielens.timestamps.min() == 874_724_710
    assert movielens.timestamps.max() == 893_286_638


def test_online_retail_names_a_missing_column(tmp_path):
    path = tmp_path / "lines.csv"
    path.write_text("InvoiceNo,StockCode,Quantity\n1,10002,1\n")
    with pytest.raises(ValueError, match="Description, InvoiceDate, UnitPrice, CustomerID"):
        load_online_retail(path)
