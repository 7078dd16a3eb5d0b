"""The staff inbox and the knowledge-base admin: hand-off -> inbox -> staff reply -> customer."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from oscar_ai_crm.models import (
    Conversation,
    ConversationMessage,
    ConversationStatus,
    KnowledgeIndex,
    Sender,
)
from oscar_ai_crm.support.index_store import newest_index
from oscar_ai_crm.support.retrieval import rebuild_index

from .web import ask, conversation_url, form_with, new_browser

pytestmark = pytest.mark.django_db

INBOX = "/admin/oscar_ai_crm/conversation/"
ARTICLES = "/admin/oscar_ai_crm/knowledgearticle/"
OFF_TOPIC = "Do you know a good pizza restaurant near the Eiffel Tower?"
DELIVERY = "How long does standard delivery take?"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def indexed(help_centre):
    rebuild_index()
    return help_centre


def change_url(conversation_id: int) -> str:
    return f"{INBOX}{conversation_id}/change/"


def reply_through_admin(admin_client, conversation_id: int, text: str):
    """Fill in the change form as a browser would (every field of the page's form)."""
    page = admin_client.get(change_url(conversation_id))
    assert page.status_code == 200
    form = form_with(page.content, id="conversation_form")
    fields = {**form["fields"], "reply": text, "_continue": "1"}
    return admin_client.post(change_url(conversation_id), fields)


def test_low_confidence_question_reaches_the_inbox_and_the_staff_reply_the_customer(
    indexed, browser, admin_client, admin_user
):
    asked = ask(browser, OFF_TOPIC)
    assert asked["handed_off"] is True and asked["confidence"] < 0.5
    answered = ask(new_browser(), DELIVERY)
    assert answered["handed_off"] is False

    inbox = admin_client.get(INBOX)
    html = inbox.content.decode()
    assert inbox.status_code == 200
    assert "Customer-service inbox: 1 waiting for staff" in html
    assert change_url(asked["conversation"]) in html
    assert change_url(answered["conversation"]) not in html  # answered by the assistant
    assert "no confident answer in the knowledge base" in html and "pizza restaurant" in html
    everything = admin_client.get(INBOX + "?status=all").content.decode()
    assert change_url(answered["conversation"]) in everything

    thread = admin_client.get(change_url(asked["conversation"])).content.decode()
    assert "pizza restaurant near the Eiffel Tower" in thread
    assert "Reply to the customer" in thread

    response = reply_through_admin(
        admin_client, asked["conversation"], "Try Le Jules Verne, it's in the tower itself."
    )
    assert response.status_code == 302
    conversation = Conversation.objects.get(pk=asked["conversation"])
    assert conversation.status == ConversationStatus.ANSWERED
    assert conversation.assigned_to == admin_user
    staff = conversation.messages.get(sender=Sender.AGENT)
    assert staff.author == admin_user

    polled = browser.get(conversation_url(asked["conversation"], after=asked["message_id"]))
    assert polled.status_code == 200
    data = polled.json()
    assert data["status"] == "answered" and data["handed_off"] is False
    assert [(m["sender"], m["text"]) for m in data["messages"]] == [
        ("agent", "Try Le Jules Verne, it's in the tower itself.")
    ]
    assert "Customer-service inbox: 0 waiting for staff" in admin_client.get(INBOX).content.decode()
    page = browser.get("/crm/support/").content.decode()
    assert "Le Jules Verne" in page and "Our team" in page


def test_saving_without_a_reply_sends_nothing(browser, admin_client):
    asked = ask(browser, "Can I talk to a real person?")
    response = reply_through_admin(admin_client, asked["conversation"], "   ")
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert conversation.status == ConversationStatus.HANDED_OFF
    assert not conversation.messages.filter(sender=Sender.AGENT).exists()


def test_close_and_reopen_actions(browser, admin_client):
    ids = [ask(new_browser(), "Can I talk to a real person?")["conversation"] for _ in range(2)]
    response = admin_client.post(
        INBOX, {"action": "close_selected", "_selected_action": ids}, follow=True
    )
    assert "Closed 2 conversation(s)." in response.content.decode()
    assert set(Conversation.objects.values_list("status", flat=True)) == {"closed"}
    admin_client.post(
        INBOX + "?status=closed", {"action": "reopen_selected", "_selected_action": ids[:1]}
    )
    assert Conversation.objects.get(pk=ids[0]).status == ConversationStatus.HANDED_OFF
    assert Conversation.objects.get(pk=ids[1]).status == ConversationStatus.CLOSED


def test_inbox_lists_customers_and_visitors(logged_in, customer, admin_client):
    ask(logged_in, "Can I talk to a real person?")
    ask(new_browser(), "Can I talk to a real person?")
    html = admin_client.get(INBOX).content.decode()
    assert customer.email in html and "visitor " in html
    assert "Customer-service inbox: 2 waiting for staff" in html


def test_messages_inline_is_read_only(browser, admin_client):
    asked = ask(browser, "Can I talk to a real person?")
    page = admin_client.get(change_url(asked["conversation"])).content.decode()
    assert "Message details" in page
    assert 'name="messages-0-text"' not in page  # shown, not editable
    assert admin_client.get(f"{INBOX}add/").status_code == 403


def test_article_admin_shows_the_index_and_queues_a_rebuild(indexed, admin_client):
    index = newest_index()
    page = admin_client.get(ARTICLES).content.decode()
    assert f"{index.article_count} articles" in page and index.encoder in page
    assert "Returns and refunds" in page
    response = admin_client.post(ARTICLES + "rebuild-index/", follow=True)
    assert "Search index rebuild queued" in response.content.decode()
    assert newest_index().pk != index.pk  # Q_CLUSTER sync: built now, forced
    article = indexed["returns-policy"]
    action = admin_client.post(
        ARTICLES, {"action": "rebuild_index", "_selected_action": [article.pk]}, follow=True
    )
    assert "Search index rebuild queued" in action.content.decode()


def test_article_admin_before_any_index(help_centre, admin_client):
    page = admin_client.get(ARTICLES).content.decode()
    assert "Search index: not built yet" in page


def test_index_admin_is_read_only(indexed, admin_client):
    index = KnowledgeIndex.objects.first()
    listing = admin_client.get("/admin/oscar_ai_crm/knowledgeindex/")
    assert listing.status_code == 200 and index.encoder in listing.content.decode()
    detail = admin_client.get(f"/admin/oscar_ai_crm/knowledgeindex/{index.pk}/change/")
    assert detail.status_code == 200 and 'name="encoder"' not in detail.content.decode()
    assert admin_client.get("/admin/oscar_ai_crm/knowledgeindex/add/").status_code == 403


def test_search_the_inbox_by_message_text(browser, admin_client):
    asked = ask(browser, "Can I talk to a real person about my parcel?")
    ask(new_browser(), "Can I talk to a real person?")
    found = admin_client.get(INBOX + "?status=all&q=parcel").content.decode()
    assert change_url(asked["conversation"]) in found
    assert found.count("/change/") == 1
    assert ConversationMessage.objects.count() == 4
