"""search() on the test help centre with real MiniLM embeddings, and with TF-IDF.

The questions here are our own paraphrases, not the labelled set's: the labelled set
(tests/support/data/labelled_questions.json) is scored as a whole at the end.
"""

import time

import numpy as np
import pytest

from oscar_ai_crm.models import KnowledgeArticle
from oscar_ai_crm.support.index_store import rebuild_index
from oscar_ai_crm.support.receivers import suppress_index_rebuilds
from oscar_ai_crm.support.retrieval import search

from .kb import labelled_questions

THRESHOLD = 0.5
ARTICLE_EXPECTED = {"handoff", "order_status", "recent_orders"}

PARAPHRASES = [
    ("How do I return shoes I bought last week?", "returns-policy"),
    ("Which credit cards do you accept?", "payment-methods"),
    ("I can't log in, how do I reset my password?", "account-password"),
    ("Do you ship to Switzerland?", "international-shipping"),
    ("怎么申请退款？", "tui-huo-tui-kuan"),
    ("密码忘了，怎么重置", "zhang-hu-mi-ma"),
    ("优惠码怎么用", "you-hui-ma"),
]
# Found first, but too loosely worded for a confident answer (a person answers them).
HARD = [
    ("My kettle stopped working, is it still under guarantee?", "warranty"),
    ("我想退货", "tui-huo-tui-kuan"),
]
OUT_OF_SCOPE = [
    "What's the weather in Paris?",
    "Write me a poem",
    "Who is the president of France?",
    "Recommend me a good movie",
    "你们老板是谁",
    "推荐一部好看的电影",
    "今天股市怎么样？",
]


@pytest.fixture
def indexed(help_centre, settings, request):
    """The help centre indexed with the encoder named by the test's parameter."""
    settings.OSCAR_AI_CRM = {"SUPPORT": {"ENCODER": getattr(request, "param", "minilm")}}
    rebuild_index()
    return help_centre


def top(question, **kwargs):
    hits = search(question, **kwargs)
    return hits[0] if hits else None


@pytest.mark.parametrize(("question", "slug"), PARAPHRASES)
def test_paraphrases_find_the_article_above_the_threshold(indexed, question, slug):
    hit = top(question)

    assert hit is not None and hit.article_id == indexed[slug].pk
    assert hit.score >= THRESHOLD


@pytest.mark.parametrize(("question", "slug"), HARD)
def test_loose_questions_still_rank_the_right_article_first(indexed, question, slug):
    assert top(question).article_id == indexed[slug].pk


@pytest.mark.parametrize("indexed", ["minilm", "tfidf"], indirect=True)
def test_out_of_scope_questions_score_below_the_threshold(indexed):
    scores = {question: top(question).score if top(question) else 0.0 for question in OUT_OF_SCOPE}

    assert max(scores.values()) < THRESHOLD, scores


def test_tfidf_finds_questions_sharing_the_articles_words(indexed, settings):
    settings.OSCAR_AI_CRM = {"SUPPORT": {"ENCODER": "tfidf"}}
    rebuild_index()

    for question, slug in [
        ("Can I pay by bank transfer?", "payment-methods"),
        ("取消订单", "xiu-gai-qu-xiao-ding-dan"),
    ]:
        hit = top(question)
        assert hit.article_id == indexed[slug].pk and hit.score >= THRESHOLD


def test_hits_are_in_the_question_language_ranked_with_passages(indexed):
    chinese = search("退货运费谁出？", limit=3)
    english = search("Who pays for return shipping?", limit=3)

    assert [hit.language for hit in chinese] == ["zh-hans"] * 3
    assert [hit.language for hit in english] == ["en"] * 3
    for hits in (chinese, english):
        scores = [hit.score for hit in hits]
        assert scores == sorted(scores, reverse=True) and 0 <= scores[-1] <= scores[0] <= 1
    assert "4.95" in chinese[0].passage and "4.95" in english[0].passage
    assert "\n" not in english[0].passage  # the passage text, without the title line
    assert english[0].citation() == {"id": english[0].article_id, "title": "Returns and refunds"}
    overridden = search("PayPal 退货", language="en")  # detected as Chinese; caller says en
    assert overridden and {hit.language for hit in overridden} == {"en"}


def test_a_title_match_quotes_the_first_paragraph(indexed):
    hit = top("Gift cards and gift wrapping")

    assert hit.article_id == indexed["gift-cards"].pk
    assert hit.passage == indexed["gift-cards"].body.split("\n\n")[0]


def test_questions_in_a_language_without_articles_search_all(db, settings):
    settings.OSCAR_AI_CRM = {"SUPPORT": {"ENCODER": "minilm"}}
    with suppress_index_rebuilds():
        article = KnowledgeArticle.objects.create(
            slug="pay", title="Payment methods", body="We accept PayPal and cards.", language="en"
        )

    hits = search("可以用PayPal付款吗？")  # no Chinese article: the English one is searched

    assert [hit.article_id for hit in hits] == [article.pk]


def test_deleted_and_unpublished_articles_leave_the_results_at_once(indexed):
    with suppress_index_rebuilds():  # the index still holds both articles
        indexed["returns-policy"].delete()
        KnowledgeArticle.objects.filter(slug="exchanges").update(is_published=False)

    hits = search("Can I return or exchange an item?", limit=5)

    found = {hit.article_id for hit in hits}
    assert hits and not found & {indexed["returns-policy"].pk, indexed["exchanges"].pk}


def test_empty_questions_and_limits(indexed):
    assert search("") == [] and search("   ") == [] and search("refund", limit=0) == []
    assert len(search("refund", limit=1)) == 1


@pytest.mark.parametrize("indexed", ["minilm", "tfidf"], indirect=True)
def test_labelled_set(indexed, request):
    """Top-article accuracy per language, and no out-of-scope question answered."""
    results: dict[tuple[str, str], list[tuple[bool, float]]] = {}
    for item in labelled_questions():
        question = item["q"].format(own_order="100042", other_order="100043")
        hit = top(question)
        score = hit.score if hit else 0.0
        correct = bool(hit) and hit.article_id == getattr(indexed.get(item["expect"]), "pk", None)
        kind = "handoff" if item["expect"] == "handoff" else "article"
        if item["expect"] in ARTICLE_EXPECTED - {"handoff"}:
            continue  # order questions are the assistant's intents, not retrieval's
        language = (
            "zh" if hit and hit.language.startswith("zh") or "\u4e00" <= question[0] else "en"
        )
        results.setdefault((language, kind), []).append((correct, score))

    accuracy = {
        key: np.mean([c for c, _ in rows]) for key, rows in results.items() if key[1] == "article"
    }
    worst_handoff = max(
        score for key, rows in results.items() if key[1] == "handoff" for _, score in rows
    )
    minimum = {"minilm": {"en": 0.9, "zh": 0.7}, "tfidf": {"en": 0.75, "zh": 0.7}}[
        request.node.callspec.params["indexed"]
    ]
    assert accuracy[("en", "article")] >= minimum["en"]
    assert accuracy[("zh", "article")] >= minimum["zh"]
    assert worst_handoff < THRESHOLD


def test_search_latency_with_minilm(indexed):
    """p95 under 50 ms per question (wall time, the index and the model loaded)."""
    questions = [item["q"] for item in labelled_questions()]
    search(questions[0])  # loads the index and the model once per process

    durations = []
    for question in questions:
        started = time.perf_counter()
        search(question)
        durations.append(time.perf_counter() - started)

    assert np.percentile(durations, 95) < 0.050
