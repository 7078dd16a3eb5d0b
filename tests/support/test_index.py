"""Building, storing and refreshing the knowledge-base index (real MiniLM, real django-q2)."""

import logging

import numpy as np
import pytest
from django_q.models import Task

from oscar_ai_crm.models import KnowledgeArticle, KnowledgeIndex
from oscar_ai_crm.support import index_store, retrieval
from oscar_ai_crm.support.index_store import KEEP, embeddings_from_bytes, rebuild_index
from oscar_ai_crm.support.receivers import suppress_index_rebuilds
from oscar_ai_crm.support.retrieval import search
from oscar_ai_crm.tasks import rebuild_support_index

pytestmark = pytest.mark.django_db


def make_article(slug, title, body, language="en", **fields):
    return KnowledgeArticle.objects.create(
        slug=slug, title=title, body=body, language=language, **fields
    )


@pytest.fixture
def two_articles():
    with suppress_index_rebuilds():
        return [
            make_article(
                "returns", "Returns", "Return items within 30 days.\n\nRefunds in 5 days."
            ),
            make_article("draft", "Draft", "Not public yet.", is_published=False),
        ]


def test_rebuild_stores_passages_and_minilm_embeddings(two_articles, settings):
    settings.OSCAR_AI_CRM = {"SUPPORT": {"ENCODER": "minilm"}}

    index = rebuild_index()

    returns = two_articles[0]
    assert index.encoder == "minilm" and index.article_count == 1  # the draft is left out
    assert index.passages == [
        [returns.pk, "en", "Returns"],
        [returns.pk, "en", "Returns\nReturn items within 30 days."],
        [returns.pk, "en", "Returns\nRefunds in 5 days."],
    ]
    vectors = embeddings_from_bytes(index.embeddings)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert len(index.fingerprint) == 64 and index.duration_seconds > 0


def test_tfidf_index_stores_no_vectors(two_articles, settings):
    settings.OSCAR_AI_CRM = {"SUPPORT": {"ENCODER": "tfidf"}}

    index = rebuild_index()

    assert index.encoder == "tfidf" and bytes(index.embeddings) == b""


def test_unchanged_articles_reuse_the_index_and_edits_rebuild_it(two_articles, settings):
    settings.OSCAR_AI_CRM = {"SUPPORT": {"ENCODER": "tfidf"}}
    first = rebuild_index()

    assert rebuild_index().pk == first.pk
    assert rebuild_index(force=True).pk != first.pk

    with suppress_index_rebuilds():
        two_articles[1].is_published = True
        two_articles[1].save()
    changed = rebuild_index()
    assert changed.fingerprint != first.fingerprint and changed.article_count == 2


def test_only_the_last_indexes_are_kept(two_articles, settings):
    settings.OSCAR_AI_CRM = {"SUPPORT": {"ENCODER": "tfidf"}}

    built = [rebuild_index(force=True).pk for _ in range(KEEP + 2)]

    assert sorted(KnowledgeIndex.objects.values_list("pk", flat=True)) == built[-KEEP:]


def test_failed_rebuild_keeps_the_previous_index_serving(two_articles, settings, caplog):
    settings.OSCAR_AI_CRM = {"SUPPORT": {"ENCODER": "tfidf"}}
    served = rebuild_index()
    assert search("refund")[0].title == "Returns"

    settings.OSCAR_AI_CRM = {"SUPPORT": {"ENCODER": "no-such-encoder"}}
    with suppress_index_rebuilds():
        make_article("shipping", "Shipping", "Delivery takes 3 days.")
    with caplog.at_level(logging.ERROR), pytest.raises(ValueError, match="ENCODER"):
        rebuild_index()

    assert "rebuild failed" in caplog.text
    assert list(KnowledgeIndex.objects.values_list("pk", flat=True)) == [served.pk]
    assert search("refund")[0].title == "Returns"


def test_first_search_builds_the_index(two_articles, settings, caplog):
    settings.OSCAR_AI_CRM = {"SUPPORT": {"ENCODER": "tfidf"}}

    with caplog.at_level(logging.INFO, logger="oscar_ai_crm.support"):
        hits = search("how many days to return items")

    assert hits[0].article_id == two_articles[0].pk
    assert KnowledgeIndex.objects.count() == 1
    assert "No knowledge-base index yet" in caplog.text


def test_saving_an_article_rebuilds_through_django_q(settings, django_capture_on_commit_callbacks):
    settings.OSCAR_AI_CRM = {"SUPPORT": {"ENCODER": "tfidf"}}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        article = make_article("warranty", "Warranty", "Two years on every product.")

    assert len(callbacks) == 1
    task = Task.objects.get(func="oscar_ai_crm.tasks.rebuild_support_index")
    assert task.success and task.result["articles"] == 1
    assert search("how long is the warranty")[0].article_id == article.pk

    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert KnowledgeIndex.objects.first().article_count == 0
    assert search("how long is the warranty") == []


def test_suppressed_receivers_queue_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with suppress_index_rebuilds():
            make_article("a", "A", "Text.")
            with suppress_index_rebuilds():  # nested
                make_article("b", "B", "Text.")
            make_article("c", "C", "Text.")

    assert callbacks == [] and not KnowledgeIndex.objects.exists()


def test_a_failing_queue_or_task_never_breaks_the_save(
    settings, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    with monkeypatch.context() as patch, caplog.at_level(logging.ERROR):
        patch.setattr("oscar_ai_crm.queueing.async_task", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            make_article("a", "A", "Text.")
    assert "Could not queue" in caplog.text

    caplog.clear()
    settings.OSCAR_AI_CRM = {"SUPPORT": {"ENCODER": "no-such-encoder"}}
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        make_article("b", "B", "Text.")  # the task fails (run inline by the sync cluster)
    assert "rebuild failed" in caplog.text and "Could not queue (or run)" in caplog.text
    assert KnowledgeArticle.objects.count() == 2 and not KnowledgeIndex.objects.exists()


def test_disabled_support_queues_nothing(settings, django_capture_on_commit_callbacks):
    settings.OSCAR_AI_CRM = {"SUPPORT": {"ENABLED": False}}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_article("a", "A", "Text.")

    assert callbacks == []


def test_task_summary(two_articles, settings):
    settings.OSCAR_AI_CRM = {"SUPPORT": {"ENCODER": "tfidf"}}

    summary = rebuild_support_index()

    assert summary["encoder"] == "tfidf" and summary["articles"] == 1
    assert summary["index"] == KnowledgeIndex.objects.get().pk


def test_a_newer_index_is_loaded_by_the_next_search(two_articles, settings):
    settings.OSCAR_AI_CRM = {"SUPPORT": {"ENCODER": "tfidf"}}
    rebuild_index()
    search("refund")
    first = retrieval.loaded_ranker()

    with suppress_index_rebuilds():
        make_article("shipping", "Shipping", "Delivery takes 3 days.")
    rebuild_index()

    assert search("delivery days")[0].title == "Shipping"
    assert retrieval.loaded_ranker() is not first


def test_a_rebuild_encodes_only_new_or_changed_passages(two_articles, settings, monkeypatch):
    settings.OSCAR_AI_CRM = {"SUPPORT": {"ENCODER": "minilm"}}
    rebuild_index()
    encoded: list[list[str]] = []
    real_encode = index_store.encode_minilm

    def encode_and_record(texts):  # the real encoder, watched
        encoded.append(list(texts))
        return real_encode(texts)

    monkeypatch.setattr(index_store, "encode_minilm", encode_and_record)
    index_store._last_vectors.clear()  # only the stored index can help now
    with suppress_index_rebuilds():
        make_article("delivery", "Delivery", "Parcels arrive in 3 days.")
    index = rebuild_index()

    assert encoded == [["Delivery", "Delivery\nParcels arrive in 3 days."]]
    fresh = real_encode([text for _, _, text in index.passages])
    assert np.allclose(embeddings_from_bytes(index.embeddings), fresh, atol=1e-4)
