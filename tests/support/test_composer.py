"""Grounded answers through a real OpenAI-compatible server; the article when the model fails."""

from __future__ import annotations

import pytest
from django.test import override_settings
from oscar.test import factories

from oscar_ai_crm.support.assistant import reply_to
from oscar_ai_crm.support.composer import NO_ANSWER
from oscar_ai_crm.support.retrieval import rebuild_index
from tests.content.conftest import OFFLINE, chat_backend
from tests.llm.fake_openai import Answer, FakeOpenAI
from tests.support.kb import create_help_centre

pytestmark = pytest.mark.django_db

QUESTION = "How long does delivery take?"


@pytest.fixture
def articles():
    slugs = create_help_centre()
    rebuild_index()
    return slugs


def support_llm(server: FakeOpenAI, privacy: bool = False):
    """The support answers written by ``server``, treated as an external service."""
    chat = chat_backend(server, external=True)
    return override_settings(
        OSCAR_AI_CRM={
            "LLM": {"BACKENDS": {"offline": OFFLINE, "chat": chat}},
            "SUPPORT": {"LLM_BACKEND": "chat"},
            "PRIVACY": {"SEND_PII_TO_EXTERNAL_LLM": privacy},
        }
    )


def test_without_a_backend_the_best_article_is_quoted(articles):
    reply = reply_to(QUESTION)
    assert not reply.handed_off and reply.backend == "retrieval"
    assert reply.articles[0].article_id == articles["shipping-times"].pk
    assert reply.text == articles["shipping-times"].body


def test_grounded_answer_cites_the_articles_it_used(articles):
    answer = "Standard delivery takes 3 to 5 business days [1]; express arrives the next day [1]."
    with FakeOpenAI(reply=answer) as server, support_llm(server):
        reply = reply_to(QUESTION)
    assert reply.text == answer and reply.backend == "openai"
    assert [hit.article_id for hit in reply.articles] == [articles["shipping-times"].pk]
    sent = server.requests[0].body["messages"]
    assert sent[0]["role"] == "system" and NO_ANSWER in sent[0]["content"]
    assert "3 to 5 business days" in sent[1]["content"] and QUESTION in sent[1]["content"]


def test_no_answer_from_the_model_hands_off(articles):
    with FakeOpenAI(reply=NO_ANSWER) as server, support_llm(server):
        reply = reply_to(QUESTION)
    assert reply.handed_off and reply.text and not reply.articles


def test_a_number_no_article_states_falls_back_to_the_article(articles):
    with FakeOpenAI(reply="Delivery takes 12 business days [1].") as server, support_llm(server):
        reply = reply_to(QUESTION)
    assert reply.backend == "retrieval"
    assert reply.text == articles["shipping-times"].body


def test_model_html_is_reduced_to_plain_text(articles):
    reply_html = "<script>alert(1)</script><b>Standard delivery</b> takes 3 to 5 business days [1]"
    with FakeOpenAI(reply=reply_html) as server, support_llm(server):
        reply = reply_to(QUESTION)
    assert "<" not in reply.text and "alert" not in reply.text
    assert reply.text.startswith("Standard delivery")


def test_a_failing_backend_falls_back_to_the_article(articles):
    with FakeOpenAI() as server, support_llm(server):
        server.script(Answer(status=500))
        reply = reply_to(QUESTION)
    assert not reply.handed_off and reply.backend == "retrieval"
    assert reply.articles[0].article_id == articles["shipping-times"].pk


@pytest.mark.parametrize("allowed", [False, True])
def test_customer_personal_data_is_redacted_for_external_backends(articles, allowed):
    customer = factories.UserFactory(email="olive.grove@example.com", first_name="Olive")
    question = "I'm olive.grove@example.com, how long does delivery take?"
    with FakeOpenAI(reply="3 to 5 business days [1].") as server, support_llm(server, allowed):
        reply_to(question, user=customer)
    sent = str(server.requests[0].body["messages"])
    assert ("olive.grove@example.com" in sent) is allowed
