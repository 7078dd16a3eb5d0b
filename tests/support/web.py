"""Helpers of the support web tests: the endpoints' URLs, JSON posts, forms read from pages."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

from django.test import Client

from tests.conftest import BROWSER_UA

MESSAGES_URL = "/crm/support/messages/"
PAGE_URL = "/crm/support/"


def conversation_url(pk: int, after: int | None = None) -> str:
    url = f"/crm/support/conversations/{pk}/"
    return url if after is None else f"{url}?after={after}"


def new_browser(**kwargs: Any) -> Client:
    return Client(headers={"user-agent": BROWSER_UA}, **kwargs)


def post_json(client: Client, body: Any, **extra: Any):
    """POST ``body`` (an object, or a str/bytes body sent as is) as application/json."""
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(MESSAGES_URL, data=data, content_type="application/json", **extra)


def ask(client: Client, message: str, conversation: int | None = None) -> dict[str, Any]:
    """Send a message through the JSON endpoint; the 200 response's JSON."""
    response = post_json(client, {"conversation": conversation, "message": message})
    assert response.status_code == 200, response.content
    return response.json()


class FormReader(HTMLParser):
    """Every <form> of a page: its attributes and the name/value of its fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({"attrs": attributes, "fields": {}, "field_attrs": {}})
        elif self.forms and tag in ("input", "textarea", "select") and "name" in attributes:
            form = self.forms[-1]
            form["field_attrs"][attributes["name"]] = attributes
            if tag == "input" and attributes.get("type") in ("checkbox", "radio", "submit"):
                return
            form["fields"][attributes["name"]] = attributes.get("value", "")
            if tag == "textarea":
                self._textarea = attributes["name"]

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.forms[-1]["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None


def forms_of(html: str | bytes) -> list[dict[str, Any]]:
    reader = FormReader()
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    return reader.forms


def form_with(html: str | bytes, **attrs: str) -> dict[str, Any]:
    """The page's one form whose attributes include ``attrs``."""
    found = [f for f in forms_of(html) if all(f["attrs"].get(k) == v for k, v in attrs.items())]
    assert len(found) == 1, f"{len(found)} forms with {attrs}"
    return found[0]


VOID_TAGS = {"input", "link", "br", "meta", "img", "hr", "source", "wbr"}


class TreeReader(HTMLParser):
    """A page as a ``{"tag", "attrs", "text", "children"}`` tree (for the JS harness)."""

    def __init__(self) -> None:
        super().__init__()
        self.root: dict[str, Any] = {"tag": "root", "attrs": {}, "text": "", "children": []}
        self._stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = {"tag": tag, "attrs": {k: v or "" for k, v in attrs}, "text": "", "children": []}
        self._stack[-1]["children"].append(node)
        if tag not in VOID_TAGS:
            self._stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._stack) - 1, 0, -1):
            if self._stack[depth]["tag"] == tag:
                del self._stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        node = self._stack[-1]
        if not node["children"]:
            node["text"] += data


def element_with_class(html: str | bytes, css_class: str) -> dict[str, Any]:
    """The first element of the page carrying ``css_class``, as a tree."""
    reader = TreeReader()
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    pending = [reader.root]
    while pending:
        node = pending.pop(0)
        if css_class in node["attrs"].get("class", "").split():
            return node
        pending.extend(node["children"])
    raise AssertionError(f"no element with class {css_class}")
