"""read_interactions_file: formats, defaults, item files and error messages."""

import gzip
import time
from datetime import UTC, datetime

import numpy as np
import pytest

from oscar_ai_crm.features.interaction_files import (
    InteractionFileError,
    read_interactions_file,
)

ORDERS = """user_id,item_id,timestamp,event,weight,rating,basket,price
u2,p1,1609459200,view,,,,9.99
u1,p2,2021-01-02,purchase,,,o1,5
u1,p3,2021-01-02T10:30:00Z,purchase,2.5,,o1,5
u2,p2,2021-01-03T00:00:00+01:00,review,,4,,
u3,p1,2021-01-04 08:00:00,,,,,
"""


def write(tmp_path, name, text, compress=False):
    path = tmp_path / name
    if compress:
        with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def epoch(*args):
    return int(datetime(*args, tzinfo=UTC).timestamp())


def external(data, name):
    """Column ``name`` of each row as external ids."""
    ids = data.user_ids if name == "user" else data.item_ids
    index = data.user_index if name == "user" else data.item_index
    return [ids[i] for i in index]


def test_reads_every_column(tmp_path):
    data = read_interactions_file(write(tmp_path, "orders.csv", ORDERS))
    assert len(data) == 5
    assert list(data.user_ids) == ["u1", "u2", "u3"]
    assert list(data.item_ids) == ["p1", "p2", "p3"]
    assert external(data, "user") == ["u2", "u1", "u1", "u2", "u3"]
    assert external(data, "item") == ["p1", "p2", "p3", "p2", "p1"]
    assert list(data.timestamp) == [
        1609459200,
        epoch(2021, 1, 2),  # a date is midnight UTC
        epoch(2021, 1, 2, 10, 30),
        epoch(2021, 1, 2, 23, 0),  # +01:00 honoured
        epoch(2021, 1, 4, 8),  # no offset: UTC
    ]
    # An empty event is a purchase; an empty weight is the event's default weight.
    assert list(data.event) == ["view", "purchase", "purchase", "review", "purchase"]
    np.testing.assert_allclose(data.weight, [1.0, 5.0, 2.5, 2.0, 5.0])
    assert data.rating[3] == 4 and np.isnan(data.rating[[0, 1, 2, 4]]).all()
    # The two purchases of order o1 form one basket; views are in none.
    assert data.basket[1] == data.basket[2] != -1
    assert data.basket[0] == -1 and data.basket[4] not in (-1, data.basket[1])


def test_event_weights_apply_where_no_weight_is_given(tmp_path):
    path = write(tmp_path, "orders.csv", ORDERS)
    data = read_interactions_file(path, event_weights={"view": 0.5, "purchase": 10})
    np.testing.assert_allclose(data.weight, [0.5, 10.0, 2.5, 1.0, 10.0])  # review: unknown -> 1


def test_minimal_file_crlf_bom_and_blank_lines(tmp_path):
    text = "\ufeffUser_ID, item_id ,timestamp\r\nu1,p1,10\r\n\r\nu2,p1,20\r\n"
    data = read_interactions_file(write(tmp_path, "min.csv", text))
    assert list(data.user_ids) == ["u1", "u2"] and list(data.timestamp) == [10, 20]
    assert set(data.event) == {"purchase"}
    assert np.isnan(data.rating).all()


@pytest.mark.parametrize("name", ["orders.csv.gz", "orders.export"])
def test_gzip_detected_by_content(tmp_path, name):
    data = read_interactions_file(write(tmp_path, name, ORDERS, compress=True))
    assert len(data) == 5 and list(data.item_ids) == ["p1", "p2", "p3"]


def test_item_file_adds_text_category_availability_and_new_items(tmp_path):
    items = write(
        tmp_path,
        "items.csv",
        'item_id,text,category,available\np2,"Blue mug, large",Kitchen,0\np9,New lamp,Home,\n'
        "p1,Red shirt,Clothes,yes\n",
    )
    data = read_interactions_file(write(tmp_path, "orders.csv", ORDERS), item_text_path=items)
    # p9 has no interactions but joins the catalogue after the known items.
    assert list(data.item_ids) == ["p1", "p2", "p3", "p9"]
    assert list(data.items.text) == ["Red shirt", "Blue mug, large", "", "New lamp"]
    assert list(data.items.category) == ["Clothes", "Kitchen", "", "Home"]
    assert list(data.items.available) == [True, False, True, True]
    assert data.user_items.shape == (3, 4)


def test_error_names_file_line_and_column(tmp_path):
    text = "user_id,item_id,timestamp\nu1,p1,2021-01-01\nu2,p1,2021-13-01\n"
    with pytest.raises(InteractionFileError) as error:
        read_interactions_file(write(tmp_path, "orders.csv", text))
    assert str(error.value) == (
        'orders.csv line 3, column "timestamp": "2021-13-01" is not a date or epoch seconds'
    )


def test_line_numbers_count_blank_lines_and_multiline_fields(tmp_path):
    text = 'user_id,item_id,timestamp,note\nu1,p1,1,"two\nlines"\n\nu2,p1,x,\n'
    with pytest.raises(InteractionFileError, match=r'orders.csv line 5, column "timestamp"'):
        read_interactions_file(write(tmp_path, "orders.csv", text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"orders.csv: the file is empty"),
        ("user_id,item_id,timestamp\n", r"orders.csv: no interactions after the header"),
        ("user,item_id\nu1,p1\n", r"missing required column\(s\) 'user_id', 'timestamp'"),
        ("user_id,item_id,timestamp\nu1,,5\n", r'line 2, column "item_id": no value'),
        ("user_id,item_id,timestamp\nu1,p1\n", r'line 2, column "timestamp": no value'),
        (
            "user_id,item_id,timestamp,weight\nu1,p1,5,1\nu1,p1,5,-2\n",
            r'line 3, column "weight": "-2" is not a non-negative number',
        ),
        (
            "user_id,item_id,timestamp,weight\nu1,p1,5,nan\n",
            r'line 2, column "weight": "nan" is not a non-negative number',
        ),
        (
            "user_id,item_id,timestamp,weight\nu1,p1,5,heavy\n",
            r'line 2, column "weight": "heavy" is not a number',
        ),
        (
            "user_id,item_id,timestamp,rating\nu1,p1,5,five\n",
            r'line 2, column "rating": "five" is not a number',
        ),
    ],
)
def test_bad_files(tmp_path, text, message):
    with pytest.raises(InteractionFileError, match=message):
        read_interactions_file(write(tmp_path, "orders.csv", text))


def test_bad_item_files_and_missing_paths(tmp_path):
    orders = write(tmp_path, "orders.csv", ORDERS)
    twice = write(tmp_path, "items.csv", "item_id,text\np1,a\np1,b\n")
    with pytest.raises(InteractionFileError, match=r'items.csv line 3, column "item_id": "p1"'):
        read_interactions_file(orders, item_text_path=twice)
    flag = write(tmp_path, "flags.csv", "item_id,text,available\np1,a,maybe\n")
    with pytest.raises(InteractionFileError, match=r'flags.csv line 2, column "available"'):
        read_interactions_file(orders, item_text_path=flag)
    with pytest.raises(InteractionFileError, match="missing required column"):
        read_interactions_file(orders, item_text_path=write(tmp_path, "x.csv", "item_id\np1\n"))
    with pytest.raises(InteractionFileError, match="nowhere.csv: cannot open"):
        read_interactions_file(tmp_path / "nowhere.csv")
    truncated = tmp_path / "cut.csv.gz"
    truncated.write_bytes(gzip.compress(ORDERS.encode())[:-12])
    with pytest.raises(InteractionFileError, match="cut.csv.gz: cannot be read"):
        read_interactions_file(truncated)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("user_id,item_id,timestamp\nJosé,p1,5\n".encode("latin-1"))
    with pytest.raises(InteractionFileError, match="latin.csv: is not UTF-8"):
        read_interactions_file(latin)


@pytest.mark.slow
def test_a_large_file_streams_in_seconds(tmp_path):
    n = 250_000
    rng = np.random.default_rng(0)
    users, items = rng.integers(0, 20_000, n), rng.integers(0, 3_000, n)
    kinds = np.array(["view", "basket_add", "purchase"])[rng.integers(0, 3, n)]
    lines = (
        f"c{u},p{i},{1_600_000_000 + row},{kind}\n"
        for row, (u, i, kind) in enumerate(zip(users, items, kinds, strict=True))
    )
    path = tmp_path / "big.csv.gz"
    with gzip.open(path, "wt", compresslevel=1) as handle:
        handle.write("user_id,item_id,timestamp,event\n")
        handle.writelines(lines)
    started = time.process_time()
    data = read_interactions_file(path)
    seconds = time.process_time() - started
    assert len(data) == n and data.n_items == len(np.unique(items))
    assert data.item_ids[data.item_index[123]] == f"p{items[123]}"
    assert data.event[-1] == kinds[-1] and data.timestamp[-1] == 1_600_000_000 + n - 1
    # A generous bound (a few seconds is normal) that still catches a per-row regression.
    assert seconds < 20, f"{n:,} rows took {seconds:.1f} s of CPU"
