"""Batches: product selection, BATCH_SIZE splitting, a thread pool against a real chat
server, one failing product among others, skipping on a second run, the django-q2 task."""

import time

import pytest
from oscar.core.loading import get_model
from oscar.test import factories

from oscar_ai_crm.content.batches import (
    RateLimiter,
    create_batches,
    queue_batches,
    run_batch,
    select_product_ids,
)
from oscar_ai_crm.models import BatchStatus, DescriptionDraft, DraftStatus, PromptTemplate
from tests.llm.fake_openai import FakeOpenAI

from .conftest import OPTIONS, RefusingServer, chat_backend, llm_settings, make_product

Product = get_model("catalogue", "Product")

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    """Five shirts and a scarf; a variant that selections leave out."""
    shirts = [make_product(f"Shirt {n}", colour="White") for n in range(5)]
    scarf = make_product("Wool scarf", category="Accessories > Scarves")
    parent = shirts[0]
    parent.structure = "parent"
    parent.save()
    parent.stockrecords.all().delete()
    variant = Product.objects.create(title="Shirt 0, size M", parent=parent, structure="child")
    factories.create_stockrecord(variant, price="49.00", num_in_stock=1)
    return {"shirts": shirts, "scarf": scarf, "variant": variant}


def ids(products):
    return sorted(product.pk for product in products)


def test_selection_by_ids_category_path_or_all(catalogue):
    shirts, scarf = catalogue["shirts"], catalogue["scarf"]

    assert select_product_ids([scarf.pk, shirts[1].pk]) == [scarf.pk, shirts[1].pk]
    assert select_product_ids(category="shirts") == ids(shirts)
    assert select_product_ids(category="Clothing") == ids(shirts)  # with subcategories
    assert select_product_ids(category="Accessories > Scarves") == [scarf.pk]
    assert select_product_ids(all_products=True) == ids([*shirts, scarf])  # no variants


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "exactly one"),
        ({"ids": [1], "all_products": True}, "exactly one"),
        ({"ids": []}, "No product ids"),
        ({"ids": [999999]}, "No product with id 999999"),
        ({"category": "Hats"}, "No category named 'Hats'"),
        ({"category": "Accessories > Shirts"}, "No category named"),
    ],
)
def test_bad_selections_are_refused(catalogue, arguments, message):
    with pytest.raises(ValueError, match=message):
        select_product_ids(**arguments)


def test_batches_are_split_by_batch_size_and_options_checked(catalogue):
    product_ids = select_product_ids(all_products=True)
    with llm_settings(BATCH_SIZE=4):
        batches = create_batches(product_ids, {**OPTIONS, "keywords": "linen, summer"})
        with pytest.raises(ValueError, match="Unknown backend 'gpt'"):
            create_batches(product_ids, {**OPTIONS, "backend": "gpt"})
        with pytest.raises(ValueError, match="Unknown tone"):
            create_batches(product_ids, {**OPTIONS, "tone": "grumpy"})

    assert [batch.total for batch in batches] == [4, 2]
    assert [pk for batch in batches for pk in batch.product_ids] == product_ids
    assert batches[0].options == {
        **OPTIONS,
        "keywords": ["linen", "summer"],
        "backend": "offline",
        "force": False,
    }
    assert {batch.status for batch in batches} == {BatchStatus.QUEUED}


def test_a_batch_writes_drafts_and_a_second_run_skips_them(catalogue):
    product_ids = select_product_ids(all_products=True)
    with llm_settings():
        (first,) = create_batches(product_ids, OPTIONS)
        run_batch(first.pk)
        (second,) = create_batches(product_ids, OPTIONS)
        run_batch(second.pk)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.summary() == {
        "total": 6, "done": 6, "created": 6, "skipped": 0, "flagged": 0, "failed": 0
    }  # fmt: skip
    assert second.summary()["skipped"] == 6 and second.summary()["created"] == 0
    assert first.status == second.status == BatchStatus.DONE
    assert first.started_at <= first.finished_at
    assert DescriptionDraft.objects.filter(batch=first).count() == 6


def test_one_failing_product_does_not_stop_the_batch(catalogue):
    broken = make_product("Broken kettle", category="Kitchen")
    shirts = catalogue["shirts"][1:]
    with RefusingServer(reply="<p>A fine shirt.</p>") as server:
        backends = {"chat": chat_backend(server)}
        with llm_settings(BACKENDS=backends, CONCURRENCY=3):
            (batch,) = create_batches(
                [shirts[0].pk, broken.pk, *ids(shirts[1:])], {**OPTIONS, "backend": "chat"}
            )
            run_batch(batch.pk)

    batch.refresh_from_db()
    assert (batch.created, batch.failed, batch.done, batch.status) == (4, 1, 5, BatchStatus.DONE)
    assert [error["product"] for error in batch.errors] == [broken.pk]
    assert "500" in batch.errors[0]["error"] and "crashed" in batch.errors[0]["error"]
    failed = DescriptionDraft.objects.get(product=broken)
    assert failed.status == DraftStatus.FAILED and failed.batch == batch
    assert DescriptionDraft.objects.filter(batch=batch, status=DraftStatus.DRAFT).count() == 4


def test_a_prompt_failing_for_one_product_does_not_stop_the_batch(catalogue):
    PromptTemplate.objects.create(
        name="Scarves need an include",
        version=1,
        system_template="Write.",
        user_template="{{ facts.title }}{% if 'Scarves' in facts.categories.0 %}"
        "{% include 'missing.txt' %}{% endif %}",
    )
    scarf = catalogue["scarf"]
    with llm_settings():
        (batch,) = create_batches(select_product_ids(all_products=True), OPTIONS)
        run_batch(batch.pk)

    batch.refresh_from_db()
    assert (batch.created, batch.failed) == (5, 1)
    assert batch.errors[0]["product"] == scarf.pk
    assert "TemplateDoesNotExist" in batch.errors[0]["error"]


def test_workers_call_the_backend_concurrently(catalogue):
    """Six answers that take 0.3 s each come back in well under 6 x 0.3 s with 6 workers."""
    with FakeOpenAI(reply="<p>Shirt.</p>") as server:
        server.delay = 0.3
        with llm_settings(BACKENDS={"chat": chat_backend(server)}, CONCURRENCY=6):
            (batch,) = create_batches(
                select_product_ids(all_products=True), {**OPTIONS, "backend": "chat"}
            )
            started = time.perf_counter()
            run_batch(batch.pk)
            elapsed = time.perf_counter() - started

    batch.refresh_from_db()
    assert batch.created == 6 and len(server.chat_requests()) == 6
    assert elapsed < 1.2, elapsed


def test_an_external_backend_is_held_to_the_rate_limit(catalogue):
    remote = "tests.content.backends.RemoteChatBackend"
    with FakeOpenAI(reply="<p>Shirt.</p>") as server:
        backends = {"remote": chat_backend(server, remote)}
        with llm_settings(BACKENDS=backends, CONCURRENCY=6, REQUESTS_PER_MINUTE=300):
            (batch,) = create_batches(
                select_product_ids(all_products=True), {**OPTIONS, "backend": "remote"}
            )
            started = time.perf_counter()
            run_batch(batch.pk)
            elapsed = time.perf_counter() - started

    assert batch.pk and len(server.chat_requests()) == 6
    assert elapsed >= 5 * 60 / 300 - 0.05  # six requests, 0.2 s apart


def test_rate_limiter_spaces_calls_evenly():
    limiter = RateLimiter(per_minute=1200)  # one call every 50 ms
    started = time.perf_counter()
    for _ in range(5):
        limiter.wait()
    assert time.perf_counter() - started >= 4 * 0.05 - 0.005
    unlimited = RateLimiter(per_minute=0)
    started = time.perf_counter()
    for _ in range(100):
        unlimited.wait()
    assert time.perf_counter() - started < 0.05


def test_a_batch_whose_backend_is_gone_fails_as_a_whole(catalogue):
    with llm_settings():
        (batch,) = create_batches(select_product_ids(all_products=True), OPTIONS)
    batch.options = {**batch.options, "backend": "removed"}
    batch.save()

    with llm_settings():
        run_batch(batch.pk)

    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and batch.done == 0
    assert "removed" in batch.errors[0]["error"] and batch.errors[0]["product"] is None


def test_a_missing_product_is_counted_as_failed(catalogue):
    scarf = catalogue["scarf"]
    scarf_id = scarf.pk
    with llm_settings():
        (batch,) = create_batches(ids(catalogue["shirts"][1:3]) + [scarf_id], OPTIONS)
        scarf.delete()
        run_batch(batch.pk)

    batch.refresh_from_db()
    assert (batch.created, batch.failed) == (2, 1)
    assert batch.errors == [{"product": scarf_id, "error": "The product no longer exists."}]


def test_the_task_runs_each_queued_batch_once(catalogue, django_capture_on_commit_callbacks):
    from oscar_ai_crm.tasks import generate_descriptions

    with llm_settings(BATCH_SIZE=4):
        batches = create_batches(select_product_ids(all_products=True), OPTIONS)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            queue_batches(batches)  # django-q2 runs tasks synchronously in the tests
        again = generate_descriptions(batches[0].pk)

    assert len(callbacks) == 2
    for batch in batches:
        batch.refresh_from_db()
        assert batch.status == BatchStatus.DONE and batch.created == batch.total
    assert again == {"batch": batches[0].pk, "status": "done", **batches[0].summary()}
    assert DescriptionDraft.objects.count() == 6
