"""manage.py crm_evaluate on interaction files and on the shop's own event log."""

import gzip
import json
import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from oscar.test import factories

from oscar_ai_crm.models import Event, EventKind

ROOT = Path(__file__).resolve().parents[2]


def shop_log() -> str:
    """12 customers; in train everyone buys p1, the later half also p2; tests buy p2 / p3."""
    lines = ["user_id,item_id,timestamp,event"]
    for n in range(12):
        lines.append(f"c{n},p1,{100 + n},purchase")
        lines.append(f"c{n},p2,{120 + n},view")
        lines.append(f"c{n},{'p2' if n % 3 else 'p3'},{200 + n},purchase")
    return "\n".join(lines) + "\n"


@pytest.fixture
def log_file(tmp_path) -> Path:
    path = tmp_path / "orders.csv"
    path.write_text(shop_log())
    return path


def file_args(path: Path) -> list[str]:
    """The file and the one model all file tests use; a third of the timeline tested.

    36 rows at t = 100..111, 120..131, 200..211: the 0.66 quantile is t = 200, so training
    is everything before the test purchases of all 12 customers.
    """
    return ["--interactions", str(path), "--models", "popularity", "--test-fraction", "0.34"]


def run(*args: str) -> str:
    out = StringIO()
    call_command("crm_evaluate", *args, stdout=out)
    return out.getvalue()


def test_file_evaluation_prints_the_split_then_the_table(log_file):
    output = run(*file_args(log_file), "--k", "2")
    description, table = output.split("\n", 1)
    assert description.startswith("time split at ")
    assert "12 users with history" in description
    header = table.splitlines()[0]
    assert header.split()[:4] == ["model", "excl.", "bought", "P@2"]
    assert [line.split()[:2] for line in table.splitlines()[2:]] == [
        ["popularity", "yes"],
        ["popularity", "no"],
    ]


def test_json_output_only(log_file, tmp_path):
    compressed = tmp_path / "orders.csv.gz"
    compressed.write_bytes(gzip.compress(log_file.read_bytes()))
    output = run(
        *file_args(compressed),
        "--exclude-purchased",
        "yes",
        "--k",
        "1",
        "--json",
    )
    document = json.loads(output)
    assert document["k"] == 1
    assert document["split"]["n_test_users"] == 12
    [row] = document["rows"]
    assert row["model"] == "popularity" and row["exclude_purchased"] is True
    # Train: p1 bought by all (12 x 5), p2 viewed by all (12 x 1). With p1 excluded everyone
    # gets p2; customers 1, 2, 4, 5, 7, 8, 10, 11 buy p2 in the test period -> 8 of 12 hit.
    assert row["hit_rate"] == pytest.approx(8 / 12)


def test_leave_last_out_and_defaults_from_settings(log_file, settings):
    evaluation = {"K": 3, "TEST_FRACTION": 0.2, "TARGET_EVENTS": ["purchase"]}
    settings.OSCAR_AI_CRM = {"RECOMMENDATIONS": {"EVALUATION": evaluation}}
    output = run(
        "--interactions", str(log_file), "--models", "popularity", "--split", "leave-last-out"
    )
    assert output.startswith("leave-last-out: ")
    assert "P@3" in output


def test_item_text_file_is_read(log_file, tmp_path):
    items = tmp_path / "items.csv"
    items.write_text("item_id,text,available\np1,Shirt,1\np2,Mug,0\np3,Lamp,1\n")
    output = run(
        "--interactions", str(log_file), "--item-text", str(items), "--models", "popularity"
    )
    assert "popularity" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--models", "nosuchmodel"], "No recommender 'nosuchmodel'"),
        (["--k", "0"], "--k must be at least 1"),
        (["--test-fraction", "1.5"], "--test-fraction between 0 and 1"),
    ],
)
def test_bad_arguments(log_file, args, message):
    with pytest.raises(CommandError, match=message):
        run("--interactions", str(log_file), "--models", "popularity", *args)


def test_bad_file_reports_the_readers_message(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("user_id,item_id,timestamp\nu1,p1,5\nu1,p2,yesterday\n")
    with pytest.raises(CommandError, match=r'bad.csv line 3, column "timestamp"'):
        run("--interactions", str(bad), "--models", "popularity")
    with pytest.raises(CommandError, match="--item-text needs --interactions"):
        run("--item-text", str(bad), "--models", "popularity")


def test_a_log_without_test_purchases_is_an_error(tmp_path):
    views = tmp_path / "views.csv"
    views.write_text("user_id,item_id,timestamp,event\nu1,p1,1,view\nu1,p2,2,view\n")
    with pytest.raises(CommandError, match="Nothing to evaluate"):
        run("--interactions", str(views), "--models", "popularity")


def test_command_line_exit_code_and_no_traceback(tmp_path):
    bad = tmp_path / "orders.csv"
    bad.write_text("user_id,item_id\nu1,p1\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "crm_evaluate", "--interactions", str(bad)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "orders.csv: missing required column(s) 'timestamp'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_event_log_evaluation():
    products = [factories.create_product(title=f"Product {n}") for n in range(3)]
    start = timezone.now() - timedelta(days=30)
    events = []
    for n in range(8):
        customer = factories.UserFactory(email=f"c{n}@example.com")
        day = start + timedelta(days=n)
        events.append(
            Event(
                kind=EventKind.PURCHASE,
                user=customer,
                product=products[0],
                created_at=day,
                order_number=f"o{n}a",
            )
        )
        later = day + timedelta(days=20)
        events.append(
            Event(
                kind=EventKind.PURCHASE,
                user=customer,
                product=products[1],
                created_at=later,
                order_number=f"o{n}b",
            )
        )
    Event.objects.bulk_create(events)
    document = json.loads(run("--models", "popularity", "--exclude-purchased", "no", "--json"))
    assert document["split"]["n_test_users"] > 0
    assert document["rows"][0]["model"] == "popularity"
    assert document["rows"][0]["error"] is None
