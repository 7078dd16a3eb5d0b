"""The storefront widget on the example shop's pages, its form and its script, end to end."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.test import override_settings

from oscar_ai_crm.models import Conversation, ConversationStatus
from oscar_ai_crm.support.conversations import post_agent_reply
from oscar_ai_crm.support.retrieval import rebuild_index

from .kb import create_help_centre
from .web import PAGE_URL, element_with_class, form_with, new_browser

WIDGET = "crm-support--widget"
HARNESS = Path(__file__).with_name("widget_harness.js")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def widget_form(html: bytes) -> dict:
    return form_with(html, action=PAGE_URL, **{"class": "crm-support__form"})


@pytest.mark.django_db
def test_widget_on_the_home_and_product_pages(browser, product):
    home = browser.get("/", follow=True)
    page = browser.get(product.get_absolute_url())
    for response in (home, page):
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count(WIDGET) == 1
        form = widget_form(response.content)
        assert form["attrs"]["method"] == "post"
        assert form["fields"]["csrfmiddlewaretoken"] and form["fields"]["message"] == ""
        assert form["field_attrs"]["message"]["maxlength"] == "1000"
        widget = element_with_class(response.content, WIDGET)
        assert widget["tag"] == "details"
        assert widget["attrs"]["data-messages-url"] == "/crm/support/messages/"
        assert widget["attrs"]["data-conversation-url"] == "/crm/support/conversations/0/"
        assert widget["attrs"]["data-poll-seconds"] == "15"
        assert '<script src="/static/oscar_ai_crm/support/widget.js" defer>' in html
        assert 'href="/static/oscar_ai_crm/support/widget.css"' in html
    assert "Linen shirt" in page.content.decode()  # Oscar's page itself still renders


@pytest.mark.django_db
def test_static_files_are_shipped_and_text_is_never_html():
    script = finders.find("oscar_ai_crm/support/widget.js")
    assert script and finders.find("oscar_ai_crm/support/widget.css")
    source = Path(script).read_text()
    assert "innerHTML" not in source.replace("never innerHTML", "")
    assert "textContent" in source


@pytest.mark.django_db
@override_settings(OSCAR_AI_CRM={"SUPPORT": {"ENABLED": False}})
def test_no_widget_when_the_assistant_is_off(browser):
    assert WIDGET not in browser.get("/", follow=True).content.decode()


@pytest.mark.django_db
@override_settings(OSCAR_AI_CRM={"SUPPORT": {"MAX_MESSAGE_LENGTH": 300, "POLL_SECONDS": 30}})
def test_widget_follows_the_settings(browser):
    response = browser.get("/", follow=True)
    assert widget_form(response.content)["field_attrs"]["message"]["maxlength"] == "300"
    assert element_with_class(response.content, WIDGET)["attrs"]["data-poll-seconds"] == "30"


@pytest.mark.django_db
def test_no_widget_on_the_support_page_or_the_dashboard(browser, admin_client):
    assert WIDGET not in browser.get(PAGE_URL).content.decode()
    dashboard = admin_client.get("/dashboard/")
    assert dashboard.status_code == 200 and WIDGET not in dashboard.content.decode()


@pytest.mark.django_db
def test_widget_form_and_json_post_pass_csrf_with_the_page_token():
    """What the script does (JSON + X-CSRFToken from the form) and what the form does."""
    client = new_browser(enforce_csrf_checks=True)
    home = client.get("/", follow=True)
    form = widget_form(home.content)
    messages_url = element_with_class(home.content, WIDGET)["attrs"]["data-messages-url"]
    body = json.dumps({"conversation": None, "message": "Can I talk to a real person?"})
    refused = client.post(messages_url, body, content_type="application/json")
    assert refused.status_code == 403
    token = form["fields"]["csrfmiddlewaretoken"]
    response = client.post(
        messages_url, body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200 and response.json()["handed_off"] is True
    fields = {**form["fields"], "message": "Without JavaScript, please"}
    posted = client.post(form["attrs"]["action"], fields)
    assert posted.status_code == 302 and posted["Location"].startswith(PAGE_URL)
    conversation = Conversation.objects.get()  # the form continued the same conversation
    assert conversation.messages.count() == 4


class Harness:
    """widget_harness.js in a Node process: commands in, widget state out."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            ["node", str(HARNESS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __call__(self, cmd: str, **arguments) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"cmd": cmd, **arguments}) + "\n")
        self.process.stdin.flush()
        reply = json.loads(self.process.stdout.readline())
        assert reply["ok"], reply["error"]
        return reply["state"]

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


def open_page(url: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(url) as response:  # noqa: S310  the live test server
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        return response.read(), {name: morsel.value for name, morsel in cookies.items()}


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run widget.js")
def test_widget_script_against_the_live_endpoints(transactional_db, live_server, admin_user):
    """The real widget.js: answers with sources, hand-off note, staff reply by polling,
    errors shown, history restored on the next page; message text never parsed as HTML."""
    create_help_centre()
    rebuild_index()
    html, cookies = open_page(live_server.url + "/catalogue/")
    start = {
        "base": live_server.url,
        "cookies": cookies,
        "tree": element_with_class(html, WIDGET),
        "script": finders.find("oscar_ai_crm/support/widget.js"),
    }
    harness = Harness()
    try:
        state = harness("start", **start)
        assert state["messages"] == [] and state["note_hidden"] and state["stored"] is None

        state = harness("send", text="How long does standard delivery take?")
        customer, answer = state["messages"]
        assert (customer["sender"], answer["sender"]) == ("You", "Assistant")
        assert "crm-support__message--assistant" in answer["classes"]
        assert "3 to 5 business days" in answer["text"]
        assert "Shipping options and delivery times" in answer["sources"]
        conversation = Conversation.objects.get()
        assert state["stored"] == state["conversation_input"] == str(conversation.pk)
        assert state["note_hidden"] and state["timers"] == [] and state["input"] == ""

        state = harness("send", text="<b>Can I talk to a real person?</b> & <img src=x>")
        assert state["messages"][2]["text"] == "<b>Can I talk to a real person?</b> & <img src=x>"
        assert not state["note_hidden"] and state["timers"] == [15000]
        state = harness("tick")  # no staff reply yet: keeps polling
        assert len(state["messages"]) == 4 and state["timers"] == [15000]

        post_agent_reply(conversation, admin_user, "Hello <i>from</i> our team")
        state = harness("tick")
        staff = state["messages"][-1]
        assert (staff["sender"], staff["text"]) == ("Our team", "Hello <i>from</i> our team")
        assert "crm-support__message--agent" in staff["classes"] and state["unread"]
        assert state["note_hidden"] and state["timers"] == []  # answered: polling stops

        state = harness("send", text="x" * 1001)
        assert not state["error_hidden"] and "at most 1000 allowed" in state["error"]
        assert not state["button_disabled"]

        state = harness("start", **start)  # the next page: history from the endpoint
        assert [m["sender"] for m in state["messages"]] == [
            *("You", "Assistant", "You", "Assistant", "Our team"),
        ]
        assert state["messages"][4]["text"] == "Hello <i>from</i> our team"
        conversation.refresh_from_db()
        assert conversation.status == ConversationStatus.ANSWERED
    finally:
        harness.close()
