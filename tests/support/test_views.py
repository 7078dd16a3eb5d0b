"""The JSON endpoints and the no-JS support page: validation, ownership, limits, CSRF."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from oscar_ai_crm.models import Conversation, ConversationMessage, ConversationStatus, Sender
from oscar_ai_crm.support import assistant

from .web import (
    MESSAGES_URL,
    PAGE_URL,
    ask,
    conversation_url,
    form_with,
    new_browser,
    post_json,
)

pytestmark = pytest.mark.django_db

#: A message the assistant hands off at once (an explicit request for a person).
PERSON = "Can I talk to a real person please?"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # the rate limit's counters
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "not valid JSON"),
        (b"", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('"hello"', "must be a JSON object"),
        ({"conversation": None}, '"message" is required'),
        ({"message": None}, '"message" is required'),
        ({"message": 42}, '"message" must be a string'),
        ({"message": ["hi"]}, '"message" must be a string'),
        ({"message": "   \n\t"}, '"message" is blank'),
        ({"message": "hi", "conversation": "7"}, '"conversation" must be'),
        ({"message": "hi", "conversation": 1.5}, '"conversation" must be'),
        ({"message": "hi", "conversation": True}, '"conversation" must be'),
        ({"message": "hi", "conversation": 0}, '"conversation" must be'),
        ({"message": "hi", "conversation": -4}, '"conversation" must be'),
        ({"message": "hi", "conversation": 10**30}, '"conversation" must be'),
        ({"message": "hi", "conversation": {"id": 1}}, '"conversation" must be'),
    ],
)
def test_malformed_requests_get_a_clear_400_and_save_nothing(browser, body, error):
    response = post_json(browser, body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert error in response.json()["error"]
    assert not Conversation.objects.exists() and not ConversationMessage.objects.exists()


@override_settings(OSCAR_AI_CRM={"SUPPORT": {"MAX_MESSAGE_LENGTH": 40}})
def test_oversize_message_400_and_the_limit_itself_is_accepted(browser):
    too_long = PERSON + "x" * (41 - len(PERSON))
    response = post_json(browser, {"message": too_long})
    assert response.status_code == 400
    assert response.json()["error"] == ('"message" is too long: 41 characters, at most 40 allowed.')
    assert not ConversationMessage.objects.exists()
    assert post_json(browser, {"message": too_long[:40]}).status_code == 200


def test_default_limit_is_the_setting(browser):
    response = post_json(browser, {"message": "a" * 1001})
    assert response.status_code == 400 and "at most 1000" in response.json()["error"]


def test_reply_shape_and_unknown_keys_ignored(browser):
    data = ask(browser, PERSON)
    response = post_json(
        browser, {"conversation": data["conversation"], "message": PERSON, "extra": [1]}
    )
    again = response.json()
    assert set(data) == {
        *("conversation", "reply", "articles", "confidence", "handed_off", "status"),
        "message_id",
    }
    assert again["conversation"] == data["conversation"]
    assert data["handed_off"] is True and data["status"] == ConversationStatus.HANDED_OFF
    assert isinstance(data["confidence"], float) and data["articles"] == []
    message = ConversationMessage.objects.get(pk=data["message_id"])
    assert message.sender == Sender.ASSISTANT and message.text == data["reply"]
    assert Conversation.objects.get().messages.count() == 4


def test_another_visitors_conversation_is_404_like_an_unknown_one(browser):
    mine = ask(browser, PERSON)["conversation"]
    stranger = new_browser()
    stranger.get(PAGE_URL)  # a session of their own
    for response in (
        post_json(stranger, {"conversation": mine, "message": "show me"}),
        post_json(stranger, {"conversation": mine + 1000, "message": "show me"}),
        stranger.get(conversation_url(mine)),
        stranger.get(conversation_url(mine + 1000)),
    ):
        assert response.status_code == 404
        assert response.json() == {"error": "No such conversation."}
    assert ConversationMessage.objects.count() == 2  # the owner's two, nothing added
    assert browser.get(conversation_url(mine)).status_code == 200


def test_another_customers_conversation_is_404(logged_in, customer):
    theirs = ask(logged_in, PERSON)["conversation"]
    other = new_browser()
    other.force_login(type(customer).objects.create_user("bob", "bob@example.com", "pw"))
    assert post_json(other, {"conversation": theirs, "message": "hi"}).status_code == 404
    assert other.get(conversation_url(theirs)).status_code == 404
    anonymous = new_browser()
    assert anonymous.get(conversation_url(theirs)).status_code == 404
    assert Conversation.objects.get().user == customer


@override_settings(OSCAR_AI_CRM={"SUPPORT": {"RATE_LIMIT_MESSAGES": 2}})
def test_rate_limited_after_the_limit_with_retry_after(browser):
    first = ask(browser, PERSON)
    ask(browser, PERSON, first["conversation"])
    response = post_json(browser, {"conversation": first["conversation"], "message": PERSON})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    assert "Too many messages" in response.json()["error"]
    assert ConversationMessage.objects.count() == 4  # the refused message was not saved
    assert post_json(new_browser(), {"message": PERSON}).status_code == 200  # someone else


def test_csrf_is_enforced():
    client = new_browser(enforce_csrf_checks=True)
    assert post_json(client, {"message": PERSON}).status_code == 403
    start = client.get(MESSAGES_URL)
    assert start.status_code == 200
    assert start.json() == {"conversation": None, "max_message_length": 1000, "poll_seconds": 15}
    token = client.cookies["csrftoken"].value
    wrong = post_json(client, {"message": PERSON}, headers={"X-CSRFToken": "x" * 32})
    assert wrong.status_code == 403
    response = post_json(client, {"message": PERSON}, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert client.get(MESSAGES_URL).json()["conversation"] == response.json()["conversation"]


def test_conversation_endpoint_sets_the_csrf_cookie_even_on_404():
    client = new_browser(enforce_csrf_checks=True)
    assert client.get(conversation_url(12345)).status_code == 404
    token = client.cookies["csrftoken"].value
    response = post_json(client, {"message": PERSON}, headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_conversation_messages_after_an_id(browser):
    first = ask(browser, PERSON)
    second = ask(browser, "And one more thing: I want to speak to someone", first["conversation"])
    everything = browser.get(conversation_url(first["conversation"])).json()
    assert [m["sender"] for m in everything["messages"]] == ["customer", "assistant"] * 2
    assert everything["status"] == "handed_off" and everything["handed_off"] is True
    newer = browser.get(conversation_url(first["conversation"], after=first["message_id"]))
    messages = newer.json()["messages"]
    assert [m["text"] for m in messages][0].startswith("And one more thing")
    assert messages[-1]["id"] == second["message_id"]
    assert set(messages[0]) == {"id", "sender", "text", "articles", "created_at"}
    assert messages[0]["created_at"].startswith("20")
    for bad in ("-1", "abc", "1.5", str(10**30)):
        response = browser.get(f"{conversation_url(first['conversation'])}?after={bad}")
        assert response.status_code == 400 and '"after"' in response.json()["error"]


def test_other_methods_get_a_json_405(browser):
    response = browser.put(MESSAGES_URL, data="{}", content_type="application/json")
    assert response.status_code == 405 and response["Allow"] == "GET, POST"
    assert "not allowed" in response.json()["error"]
    assert browser.post(conversation_url(1)).status_code == 405


@override_settings(OSCAR_AI_CRM={"SUPPORT": {"ENABLED": False}})
def test_everything_404_when_the_assistant_is_off(browser):
    response = post_json(browser, {"message": PERSON})
    assert response.status_code == 404 and "not available" in response.json()["error"]
    assert browser.get(MESSAGES_URL).status_code == 404
    assert browser.get(conversation_url(1)).status_code == 404
    assert browser.get(PAGE_URL).status_code == 404
    assert browser.post(PAGE_URL, {"message": PERSON}).status_code == 404
    assert not Conversation.objects.exists()


def test_assistant_failure_becomes_a_handoff_not_a_500(browser, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("index exploded")

    monkeypatch.setattr(assistant, "reply_to", broken)
    with caplog.at_level(logging.ERROR, logger="oscar_ai_crm.support.conversations"):
        data = ask(browser, "What is your return policy?")
    assert data["handed_off"] is True and data["status"] == "handed_off"
    assert "customer-service team" in data["reply"]
    conversation = Conversation.objects.get(pk=data["conversation"])
    assert conversation.handoff_reason == "the assistant failed"
    assert "index exploded" in caplog.text
    chinese = ask(new_browser(), "你们的退货政策是什么？")
    assert chinese["handed_off"] is True and "人工客服" in chinese["reply"]


def test_page_works_without_javascript(browser):
    page = browser.get(PAGE_URL)
    assert page.status_code == 200
    form = form_with(page.content, action=PAGE_URL)
    assert form["fields"]["conversation"] == "" and form["fields"]["csrfmiddlewaretoken"]
    form["fields"]["message"] = PERSON
    response = browser.post(PAGE_URL, form["fields"])
    assert response.status_code == 302 and response["Location"].startswith(PAGE_URL)
    page = browser.get(PAGE_URL)
    conversation = Conversation.objects.get()
    assert PERSON in page.content.decode()
    assert "handed your question to our team" in page.content.decode()
    form = form_with(page.content, action=PAGE_URL)
    assert form["fields"]["conversation"] == str(conversation.pk)
    browser.post(PAGE_URL, {"message": "Still there?"})  # no id: continues the latest
    assert Conversation.objects.count() == 1 and conversation.messages.count() == 4


def test_page_form_errors(browser):
    blank = browser.post(PAGE_URL, {"message": "  "})
    assert blank.status_code == 400 and "This field is required" in blank.content.decode()
    long = browser.post(PAGE_URL, {"message": "x" * 1001})
    assert long.status_code == 400 and "at most 1000 characters" in long.content.decode()
    bad_id = browser.post(PAGE_URL, {"message": "hi", "conversation": "abc"})
    assert bad_id.status_code == 400 and "Enter a whole number" in bad_id.content.decode()
    someone_elses = ask(new_browser(), PERSON)["conversation"]
    stolen = browser.post(PAGE_URL, {"message": "hi", "conversation": someone_elses})
    assert stolen.status_code == 404
    assert Conversation.objects.count() == 1


@override_settings(OSCAR_AI_CRM={"SUPPORT": {"RATE_LIMIT_MESSAGES": 1}})
def test_page_rate_limited(browser):
    assert browser.post(PAGE_URL, {"message": PERSON}).status_code == 302
    refused = browser.post(PAGE_URL, {"message": PERSON})
    assert refused.status_code == 429 and "Too many messages" in refused.content.decode()


def test_anonymous_without_session_middleware_cookie_gets_one(browser):
    """The first message of a visitor without a session creates it (and its cookie)."""
    assert "sessionid" not in browser.cookies
    data = ask(browser, PERSON)
    assert browser.cookies["sessionid"].value
    assert browser.get(conversation_url(data["conversation"])).status_code == 200
    cookieless = Client()
    assert cookieless.get(conversation_url(data["conversation"])).status_code == 404
