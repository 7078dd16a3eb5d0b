"""Our tasks run through a real django-q2 cluster, on the ORM broker and on Redis."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/15"
# The example shop on a SQLite file (the runner's own settings use an in-memory database).
SHOP_SETTINGS = {"DJANGO_SETTINGS_MODULE": "example_project.settings", "Q_SYNC": "0"}


def run(args: list[str], env: dict[str, str]) -> str:
    env = {**env, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def migrated_shop(tmp_path_factory) -> Path:
    """The example shop migrated once into a SQLite file, copied for each test."""
    var_dir = tmp_path_factory.mktemp("shop")
    env = {**os.environ, "EXAMPLE_SHOP_VAR_DIR": str(var_dir), **SHOP_SETTINGS}
    env.pop("DATABASE_URL", None)
    run(["manage.py", "migrate", "--noinput", "-v", "0"], env)
    return var_dir


def shop_env(migrated_shop: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    shutil.copy(migrated_shop / "example_shop.sqlite3", tmp_path / "example_shop.sqlite3")
    env = {
        **os.environ,
        "EXAMPLE_SHOP_VAR_DIR": str(tmp_path),
        **SHOP_SETTINGS,
        "Q_CLUSTER_NAME": f"crm-test-{uuid.uuid4().hex[:8]}",
        **extra,
    }
    env.pop("DATABASE_URL", None)
    return env


def run_job(env: dict[str, str], job: str = "backfill") -> dict:
    output = run(["tests/integration/broker_job.py", job], env)
    return json.loads(output.strip().splitlines()[-1])


def test_backfill_task_through_the_orm_broker(migrated_shop, tmp_path):
    job = run_job(shop_env(migrated_shop, tmp_path))

    assert job["broker"] == "ORM"
    assert job["summary"]["inserted"]["orders"] == 4  # 2 orders + 2 lines
    assert job["profile"] == {"order_count": 2}


@pytest.mark.redis
def test_backfill_task_through_redis(migrated_shop, tmp_path):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}; the CI machine runs one there.")

    job = run_job(shop_env(migrated_shop, tmp_path, Q_REDIS_URL=REDIS_URL))

    assert job["broker"] == "Redis"
    assert job["summary"]["inserted"]["orders"] == 4
    assert job["profile"] == {"order_count": 2}


def test_training_task_through_the_orm_broker(migrated_shop, tmp_path):
    job = run_job(shop_env(migrated_shop, tmp_path), "train")

    assert job["broker"] == "ORM"
    assert job["summary"]["status"] == "serving", job["summary"]
    assert job["runs"] == ["serving"]
    assert job["recommendations"] > 0


@pytest.mark.redis
def test_training_task_through_redis(migrated_shop, tmp_path):
    job = run_job(shop_env(migrated_shop, tmp_path, Q_REDIS_URL=REDIS_URL), "train")

    assert job["broker"] == "Redis"
    assert job["summary"]["status"] == "serving", job["summary"]
    assert job["recommendations"] > 0


def test_segmentation_task_through_the_orm_broker(migrated_shop, tmp_path):
    job = run_job(shop_env(migrated_shop, tmp_path), "segment")

    assert job["broker"] == "ORM"
    assert job["summary"]["status"] == "serving", job["summary"]
    assert job["summary"]["k"] >= 1
    assert job["profiles"] == 20  # every customer who bought got features


@pytest.mark.parametrize("broker", ["ORM", pytest.param("Redis", marks=pytest.mark.redis)])
def test_article_changes_rebuild_the_support_index_through_a_broker(
    migrated_shop, tmp_path, broker
):
    extra = {"Q_REDIS_URL": REDIS_URL} if broker == "Redis" else {}
    job = run_job(shop_env(migrated_shop, tmp_path, **extra), "support_index")

    assert job["broker"] == broker
    assert job["queued"] >= 1  # the saves queued the rebuild; nothing ran it before the cluster
    assert job["indexes"] >= 1 and job["articles"] == 2
    assert job["top"] == "Delivery"
