"""The assistant end to end on the tests' help centre, real MiniLM embeddings, real orders."""

from __future__ import annotations

import pytest
from django.test import override_settings
from oscar.test import factories

from oscar_ai_crm.support.assistant import REASON_ASKED, REASON_LOW_CONFIDENCE, reply_to
from oscar_ai_crm.support.evaluation import evaluate
from oscar_ai_crm.support.retrieval import rebuild_index
from tests.support.kb import create_help_centre, labelled_questions
from tests.support.test_orders import place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles():
    slugs = create_help_centre()
    rebuild_index()
    return slugs


@pytest.fixture
def shop(articles):
    owner = factories.UserFactory(email="owner@example.com")
    stranger = factories.UserFactory(email="stranger@example.com")
    own = place_order(owner, "100041", title="Linen shirt", status="Shipped")
    other = place_order(stranger, "100042", title="Secret telescope", status="Being processed")
    return owner, own, other, articles


def run_labelled_set(shop):
    owner, own, other, articles = shop
    return evaluate(
        labelled_questions(),
        lambda question: reply_to(question, user=owner),
        slugs={article.pk: slug for slug, article in articles.items()},
        own_order=own.number,
        other_order=other.number,
        forbidden=["Secret telescope", "Being processed"],
    )


def test_labelled_set_covers_what_the_issue_asks():
    questions = labelled_questions()
    expects = [q["expect"] for q in questions]
    assert len(questions) >= 60
    assert {"order_status", "recent_orders", "handoff"} <= set(expects)
    assert sum(any("\u4e00" <= c <= "\u9fff" for c in q["q"]) for q in questions) >= 20


def test_labelled_set_with_minilm(shop):
    report = run_labelled_set(shop)
    wrong = [(o.question, o.expect, o.got, round(o.confidence, 2)) for o in report.outcomes
             if not o.correct]  # fmt: skip
    # Measured 0.87 overall, 0.96 English, 0.74 Chinese, hand-off precision 0.62 and
    # recall 1.0 (docs/benchmarks.md); these bounds catch regressions.
    assert report.accuracy >= 0.82, wrong
    assert report.subset("en").accuracy >= 0.9, wrong
    assert report.subset("zh-hans").accuracy >= 0.65, wrong
    assert report.handoff_recall == 1.0, wrong
    assert report.handoff_precision >= 0.55, wrong
    leaks = [o for o in report.outcomes if o.expect == "order_status" and "telescope" in o.got]
    assert not leaks


def test_labelled_set_with_the_tfidf_fallback(shop):
    with override_settings(OSCAR_AI_CRM={"SUPPORT": {"ENCODER": "tfidf"}}):
        rebuild_index()
        report = run_labelled_set(shop)
    wrong = [(o.question, o.expect, o.got) for o in report.outcomes if not o.correct]
    assert report.accuracy >= 0.6, wrong  # measured 0.65
    assert report.handoff_recall == 1.0, wrong


def test_out_of_scope_questions_are_handed_off(articles):
    reply = reply_to("Can you write me a poem about cats?")
    assert reply.handed_off and reply.handoff_reason == REASON_LOW_CONFIDENCE
    assert reply.articles == [] and reply.confidence < 0.5


def test_asking_for_a_person_hands_off_at_once(articles):
    reply = reply_to("I want to speak to a human")
    assert reply.handed_off and reply.intent == "human" and reply.handoff_reason == REASON_ASKED


def test_policy_answer_cites_the_article_and_reaches_the_threshold(articles):
    reply = reply_to("How many days do I have to send something back?")
    assert not reply.handed_off and reply.intent == "knowledge_base"
    assert reply.articles[0].article_id == articles["returns-policy"].pk
    assert reply.confidence >= 0.5
    assert reply.text == articles["returns-policy"].body


def test_chinese_question_is_answered_from_the_chinese_article(articles):
    reply = reply_to("退货运费谁出？")
    assert reply.articles[0].article_id == articles["tui-huo-tui-kuan"].pk
    assert "退货" in reply.text


def test_a_higher_threshold_hands_off_more(articles):
    with override_settings(OSCAR_AI_CRM={"SUPPORT": {"ANSWER_THRESHOLD": 0.99}}):
        assert reply_to("What is your return policy?").handed_off
