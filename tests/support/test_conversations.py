"""Conversations: ownership, the assistant's replies and hand-offs, staff replies, login."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from oscar_ai_crm.capture.identity import hash_session_key
from oscar_ai_crm.models import Conversation, ConversationMessage, ConversationStatus, Sender
from oscar_ai_crm.support import login as support_login
from oscar_ai_crm.support.assistant import REASON_ASKED, REASON_LOW_CONFIDENCE
from oscar_ai_crm.support.conversations import (
    Owner,
    close_conversation,
    find_conversation,
    latest_conversation,
    owner_for_request,
    post_agent_reply,
    post_customer_message,
    reopen_conversation,
)
from oscar_ai_crm.support.retrieval import rebuild_index
from tests.conftest import PASSWORD

from .web import PAGE_URL, ask, conversation_url, new_browser

pytestmark = pytest.mark.django_db

PERSON = "I'd like to talk to a real person"
DELIVERY = "How long does standard delivery take?"
OFF_TOPIC = "Which football team won the league in 1987?"


@pytest.fixture
def visitor() -> Owner:
    return Owner(session_hash=hash_session_key("visitor-session-key"))


@pytest.fixture
def indexed_help_centre(help_centre):
    rebuild_index()
    return help_centre


def anonymous_request(session_key: str | None = None):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.session = SessionStore(session_key)
    return request


def test_owner_of_an_anonymous_request_creates_the_session_when_asked():
    request = anonymous_request()
    assert owner_for_request(request, create_session=False) is None
    owner = owner_for_request(request)
    assert request.session.session_key and request.session.modified
    assert owner == Owner(session_hash=hash_session_key(request.session.session_key))
    assert owner.key == f"session:{owner.session_hash}" and owner.user_id is None


def test_owner_of_a_customer_request_is_the_customer(customer):
    request = anonymous_request()
    request.user = customer
    owner = owner_for_request(request)
    assert owner.user == customer and owner.session_hash == ""
    assert owner.key == f"user:{customer.pk}"
    assert request.session.session_key is None  # no session needed


def test_find_conversation_never_tells_unknown_from_not_yours(visitor, customer):
    mine = post_customer_message(visitor, PERSON).conversation
    theirs = post_customer_message(Owner(customer), PERSON).conversation
    assert find_conversation(mine.pk, visitor) == mine
    assert find_conversation(str(mine.pk), visitor) == mine
    other_session = Owner(session_hash=hash_session_key("another-key"))
    for conversation_id, owner in [
        (mine.pk, other_session),
        (mine.pk, Owner(customer)),
        (theirs.pk, visitor),
        (theirs.pk, Owner(session_hash="")),
        (mine.pk, None),
        (999999, visitor),
        (True, visitor),
        ("abc", visitor),
        (None, visitor),
        (10**30, visitor),
        (-mine.pk, visitor),
    ]:
        assert find_conversation(conversation_id, owner) is None
    assert find_conversation(theirs.pk, Owner(customer)) == theirs


def test_handoff_puts_the_conversation_in_the_inbox(visitor):
    exchange = post_customer_message(visitor, f"  {PERSON}\n")
    conversation = Conversation.objects.get(pk=exchange.conversation.pk)
    assert conversation.status == ConversationStatus.HANDED_OFF
    assert conversation.handoff_reason == REASON_ASKED and conversation.handed_off_at
    assert conversation.session_hash == visitor.session_hash and conversation.user is None
    question, answer = conversation.messages.all()
    assert (question.sender, question.text) == (Sender.CUSTOMER, PERSON)
    assert (answer.sender, answer.handed_off, answer.intent) == (Sender.ASSISTANT, True, "human")
    assert answer.confidence == 1.0 and answer.articles == []


def test_answered_question_cites_articles(indexed_help_centre, visitor):
    exchange = post_customer_message(visitor, DELIVERY)
    answer = ConversationMessage.objects.get(pk=exchange.answer.pk)
    shipping = indexed_help_centre["shipping-times"]
    assert not answer.handed_off and answer.intent == "knowledge_base"
    assert {"id": shipping.pk, "title": shipping.title} in answer.articles
    assert answer.confidence >= 0.5 and answer.backend == "retrieval"
    assert "3 to 5 business days" in answer.text
    assert exchange.conversation.status == ConversationStatus.OPEN
    assert exchange.conversation.language == "en"


def test_low_confidence_hands_off(indexed_help_centre, visitor):
    exchange = post_customer_message(visitor, OFF_TOPIC)
    assert exchange.answer.handed_off and exchange.answer.confidence < 0.5
    assert exchange.conversation.status == ConversationStatus.HANDED_OFF
    assert exchange.conversation.handoff_reason == REASON_LOW_CONFIDENCE


def test_stays_in_the_inbox_until_staff_reply(indexed_help_centre, visitor, admin_user):
    conversation = post_customer_message(visitor, OFF_TOPIC).conversation
    handed_off_at = conversation.handed_off_at
    exchange = post_customer_message(visitor, DELIVERY, conversation)
    assert not exchange.answer.handed_off  # answered, yet staff still owe a reply
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.HANDED_OFF
    assert conversation.handed_off_at == handed_off_at
    message = post_agent_reply(conversation, admin_user, "  Leeds United, I believe.  ")
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.ANSWERED
    assert conversation.assigned_to == admin_user
    assert (message.sender, message.author, message.text) == (
        Sender.AGENT,
        admin_user,
        "Leeds United, I believe.",
    )
    post_customer_message(visitor, DELIVERY, conversation)  # answered by the assistant
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.OPEN
    post_customer_message(visitor, PERSON, conversation)
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.HANDED_OFF
    assert conversation.handed_off_at > handed_off_at


def test_blank_staff_reply_is_refused(visitor, admin_user):
    conversation = post_customer_message(visitor, PERSON).conversation
    with pytest.raises(ValueError, match="needs some text"):
        post_agent_reply(conversation, admin_user, " \n ")
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.HANDED_OFF
    assert conversation.messages.count() == 2


def test_close_reopen_and_a_new_message_after_closing(visitor):
    conversation = post_customer_message(visitor, PERSON).conversation
    close_conversation(conversation)
    assert Conversation.objects.get().status == ConversationStatus.CLOSED
    assert latest_conversation(visitor, include_closed=False) is None
    assert latest_conversation(visitor) == conversation
    reopen_conversation(conversation)
    assert Conversation.objects.get().status == ConversationStatus.HANDED_OFF
    close_conversation(conversation)
    post_customer_message(visitor, PERSON, conversation)
    assert Conversation.objects.get().status == ConversationStatus.HANDED_OFF


def login_through_oscar(client, email: str):
    client.get("/accounts/login/")
    return client.post(
        "/accounts/login/",
        {"login-username": email, "login-password": PASSWORD, "login_submit": "1"},
    )


def test_anonymous_conversation_follows_the_visitor_into_their_account(browser, customer):
    data = ask(browser, PERSON)
    someone_else = ask(new_browser(), PERSON)["conversation"]
    anonymous = Conversation.objects.get(pk=data["conversation"])
    assert anonymous.user is None and anonymous.session_hash
    response = login_through_oscar(browser, customer.email)
    assert response.status_code == 302
    anonymous.refresh_from_db()
    assert anonymous.user == customer and anonymous.session_hash == ""
    assert Conversation.objects.get(pk=someone_else).user is None
    thread = browser.get(conversation_url(data["conversation"]))
    assert thread.status_code == 200 and len(thread.json()["messages"]) == 2
    more = ask(browser, PERSON, data["conversation"])  # the widget carries on
    assert more["conversation"] == data["conversation"]
    assert new_browser().get(conversation_url(data["conversation"])).status_code == 404


def test_conversation_follows_at_registration(browser):
    data = ask(browser, PERSON)
    browser.get("/accounts/login/")
    response = browser.post(
        "/accounts/login/",
        {
            "registration-email": "new@example.com",
            "registration-password1": "a-Long-pass-9",
            "registration-password2": "a-Long-pass-9",
            "registration_submit": "1",
        },
    )
    assert response.status_code == 302
    conversation = Conversation.objects.get(pk=data["conversation"])
    assert conversation.user is not None and conversation.user.email == "new@example.com"


def test_a_failure_while_moving_conversations_never_breaks_login(
    browser, customer, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    ask(browser, PERSON)
    monkeypatch.setattr(support_login, "adopt_anonymous_conversations", broken)
    with caplog.at_level(logging.ERROR, logger="oscar_ai_crm.support.login"):
        response = login_through_oscar(browser, customer.email)
    assert response.status_code == 302
    assert browser.get("/accounts/profile/").status_code == 200  # logged in
    assert "database hiccup" in caplog.text
    assert Conversation.objects.get().user is None


def test_page_of_a_customer_shows_their_latest_conversation(logged_in, customer):
    ask(logged_in, PERSON)
    page = logged_in.get(PAGE_URL).content.decode()
    assert "I&#x27;d like to talk to a real person" in page  # escaped
