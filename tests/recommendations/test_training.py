"""Training runs on the real event log: evaluation, promotion, atomic publishing, failures."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from oscar_ai_crm.conf import DEFAULTS
from oscar_ai_crm.models import ModelRun, ProductRecommendation, Recommendation, RunStatus
from oscar_ai_crm.recommendations.training import train_recommendations

from .conftest import FAST_MODELS_OVERRIDE

MODELS = {**DEFAULTS["RECOMMENDATIONS"]["MODELS"], **FAST_MODELS_OVERRIDE}


def settings_with(**recommendations):
    return override_settings(
        OSCAR_AI_CRM={"RECOMMENDATIONS": {"MODELS": MODELS, **recommendations}}
    )


def top_products(user) -> list[int]:
    return list(
        Recommendation.objects.filter(user=user)
        .order_by("rank")
        .values_list("product_id", flat=True)
    )


@pytest.mark.django_db
def test_a_run_recovers_the_planted_pattern_and_serves(planted_shop):
    with settings_with():
        run = train_recommendations(trigger="test")

    assert run.status == RunStatus.SERVING, run.message
    assert run.n_interactions > 100 and run.duration_seconds > 0
    assert run.peak_memory_mb is not None
    assert top_products(planted_shop.probe)[0] == planted_shop.products["B"].pk
    assert planted_shop.products["A"].pk not in top_products(planted_shop.probe)  # bought
    rows = {row["model"] for row in run.metrics["rows"]}
    assert {"candidate", "popularity"} <= rows
    together = ProductRecommendation.objects.filter(
        kind="bought_together", source=planted_shop.products["A"]
    ).order_by("rank")
    assert together.first().product_id == planted_shop.products["H"].pk


@pytest.mark.django_db
def test_out_of_stock_and_hidden_products_are_never_stored(planted_shop):
    b, e = planted_shop.products["B"], planted_shop.products["E"]
    b.stockrecords.update(num_in_stock=0)
    e.is_public = False
    e.save()
    with settings_with():
        run = train_recommendations(trigger="test")

    assert run.status == RunStatus.SERVING, run.message
    stored = set(Recommendation.objects.values_list("product_id", flat=True))
    stored |= set(ProductRecommendation.objects.values_list("product_id", flat=True))
    assert stored and not stored & {b.pk, e.pk}


@pytest.mark.django_db
def test_a_failing_run_leaves_the_previous_lists_serving(planted_shop):
    with settings_with():
        good = train_recommendations(trigger="test")
    before = top_products(planted_shop.probe)
    broken = {**MODELS, "broken": {"CLASS": "tests.recommendations.models.FailingRecommender"}}

    with override_settings(OSCAR_AI_CRM={"RECOMMENDATIONS": {"MODELS": broken, "SERVE": "broken"}}):
        failed = train_recommendations(trigger="test")

    assert failed.status == RunStatus.FAILED
    assert "training data rejected on purpose" in failed.message
    good.refresh_from_db()
    assert good.status == RunStatus.SERVING
    assert top_products(planted_shop.probe) == before


@pytest.mark.django_db
def test_a_worse_run_is_rejected_and_the_serving_run_stays(planted_shop):
    with settings_with():
        good = train_recommendations(trigger="test")
    before = top_products(planted_shop.probe)
    worse = {
        **MODELS,
        "contrary": {"CLASS": "tests.recommendations.models.NeverSeenRecommender"},
    }

    with override_settings(
        OSCAR_AI_CRM={"RECOMMENDATIONS": {"MODELS": worse, "SERVE": "contrary"}}
    ):
        rejected = train_recommendations(trigger="test")

    assert rejected.status == RunStatus.REJECTED, rejected.message
    assert "rejected" in rejected.message
    rows = {row["model"] for row in rejected.metrics["rows"]}
    assert f"serving run {good.pk}" in rows
    good.refresh_from_db()
    assert good.status == RunStatus.SERVING
    assert top_products(planted_shop.probe) == before


@pytest.mark.django_db
def test_a_better_run_retires_the_serving_one(planted_shop):
    with override_settings(
        OSCAR_AI_CRM={"RECOMMENDATIONS": {"MODELS": MODELS, "SERVE": "popularity"}}
    ):
        first = train_recommendations(trigger="test")
    with settings_with():
        second = train_recommendations(trigger="test")

    first.refresh_from_db()
    assert (first.status, second.status) == (RunStatus.RETIRED, RunStatus.SERVING), second.message
    assert ModelRun.objects.filter(status=RunStatus.SERVING).count() == 1
    assert set(Recommendation.objects.values_list("run_id", flat=True)) == {second.pk}


@pytest.mark.django_db
def test_an_empty_log_fails_with_a_clear_message():
    run = train_recommendations(trigger="test")

    assert run.status == RunStatus.FAILED
    assert "no product interactions" in run.message


@pytest.mark.django_db
def test_crm_train_command_prints_the_run_as_json(planted_shop, capsys):
    with settings_with():
        call_command("crm_train", "--json")
    output = json.loads(capsys.readouterr().out)

    assert output["status"] == RunStatus.SERVING
    assert output["metrics"]["rows"][0]["model"] == "candidate"


@pytest.mark.django_db
def test_training_task_runs_through_django_q(planted_shop):
    from oscar_ai_crm.queueing import enqueue

    with settings_with():
        enqueue("oscar_ai_crm.tasks.train_recommendations", trigger="test")  # sync in tests

    assert ModelRun.objects.get().status == RunStatus.SERVING
