"""The customer-service assistant's HTTP edge: the JSON endpoints and a page that needs no JS.

``POST <crm>/support/messages/`` takes ``{"conversation": <id or null>, "message": "..."}``
and answers with the assistant's reply; ``GET <crm>/support/conversations/<id>/`` lists
a conversation's messages for its owner (the widget polls it for staff replies);
``<crm>/support/`` is the same conversation as a plain HTML page with a form. These views
only translate HTTP: the conversation logic lives in :mod:`oscar_ai_crm.support.conversations`.
The interface is documented in docs/support-api.md.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_protect, ensure_csrf_cookie

from ..conf import crm_settings
from ..models import Conversation, ConversationMessage, ConversationStatus
from ..support.conversations import (
    Exchange,
    Owner,
    find_conversation,
    latest_conversation,
    owner_for_request,
    post_customer_message,
)
from ..support.ratelimit import seconds_to_wait

#: Largest id accepted (a 64-bit primary key); larger numbers cannot name a conversation.
MAX_ID = 2**63 - 1


class BadMessage(ValueError):
    """A request body the endpoint cannot accept; the text is the 400's error message."""


def parse_message(body: bytes, max_length: int) -> tuple[int | None, str]:
    """``(conversation id or None, message text)`` from a JSON body, or :class:`BadMessage`."""
    try:
        data = json.loads(body)
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise BadMessage(f"The body is not valid JSON ({error}).") from error
    if not isinstance(data, dict):
        raise BadMessage(
            'The body must be a JSON object: {"conversation": <id or null>, "message": "..."}.'
        )
    message = data.get("message")
    if message is None:
        raise BadMessage('"message" is required.')
    if not isinstance(message, str):
        raise BadMessage('"message" must be a string.')
    text = message.strip()
    if not text:
        raise BadMessage('"message" is blank.')
    if len(text) > max_length:
        raise BadMessage(
            f'"message" is too long: {len(text)} characters, at most {max_length} allowed.'
        )
    conversation = data.get("conversation")
    valid_id = isinstance(conversation, int) and not isinstance(conversation, bool)
    if conversation is not None and not (valid_id and 0 < conversation <= MAX_ID):
        raise BadMessage('"conversation" must be a conversation id (a positive integer) or null.')
    return conversation, text


def error_response(message: str, status: int, **headers: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def rate_limited(owner: Owner) -> int | None:
    """Seconds the visitor must wait before another message, or None."""
    return seconds_to_wait(owner.key)


def message_payload(message: ConversationMessage) -> dict[str, Any]:
    return {
        "id": message.pk,
        "sender": message.sender,
        "text": message.text,
        "articles": message.articles or [],
        "created_at": message.created_at.isoformat(),
    }


def exchange_payload(exchange: Exchange) -> dict[str, Any]:
    answer = exchange.answer
    return {
        "conversation": exchange.conversation.pk,
        "reply": answer.text,
        "articles": answer.articles or [],
        "confidence": answer.confidence,
        "handed_off": answer.handed_off,
        "status": exchange.conversation.status,
        "message_id": answer.pk,
    }


class SupportJsonView(View):
    """Shared by the JSON endpoints: off switch, JSON errors for every refusal."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not crm_settings.SUPPORT["ENABLED"]:
            return error_response(gettext("The support assistant is not available."), 404)
        return super().dispatch(request, *args, **kwargs)

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any):
        allowed = ", ".join(m.upper() for m in self.http_method_names if hasattr(self, m))
        return error_response(f"{request.method} is not allowed here.", 405, Allow=allowed)


@method_decorator(csrf_protect, name="dispatch")
class MessagesView(SupportJsonView):
    """``POST``: a customer message in, the assistant's reply out.

    ``GET`` sets the CSRF cookie and tells a front end the limits and the visitor's
    latest conversation, so a headless client can start with it.
    """

    http_method_names = ["get", "post"]

    @method_decorator(ensure_csrf_cookie)
    def get(self, request: HttpRequest) -> JsonResponse:
        latest = latest_conversation(owner_for_request(request, create_session=False))
        settings = crm_settings.SUPPORT
        return JsonResponse(
            {
                "conversation": latest.pk if latest else None,
                "max_message_length": settings["MAX_MESSAGE_LENGTH"],
                "poll_seconds": settings["POLL_SECONDS"],
            }
        )

    def post(self, request: HttpRequest) -> JsonResponse:
        try:
            conversation_id, text = parse_message(
                request.body, crm_settings.SUPPORT["MAX_MESSAGE_LENGTH"]
            )
        except BadMessage as error:
            return error_response(str(error), 400)
        owner = owner_for_request(request)
        if owner is None:
            return error_response("This endpoint needs Django's session middleware.", 400)
        conversation = None
        if conversation_id is not None:
            conversation = find_conversation(conversation_id, owner)
            if conversation is None:
                return error_response(gettext("No such conversation."), 404)
        if (wait := rate_limited(owner)) is not None:
            text_429 = gettext("Too many messages. Please wait %(s)s seconds.") % {"s": wait}
            return error_response(text_429, 429, Retry_After=str(wait))
        exchange = post_customer_message(owner, text, conversation)
        return JsonResponse(exchange_payload(exchange))


@method_decorator(ensure_csrf_cookie, name="dispatch")
class ConversationView(SupportJsonView):
    """``GET``: a conversation's status and messages (``?after=<message id>``: newer ones)."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        after = request.GET.get("after") or "0"
        if not after.isdigit() or int(after) > MAX_ID:
            return error_response('"after" must be a message id (a non-negative integer).', 400)
        owner = owner_for_request(request, create_session=False)
        conversation = find_conversation(pk, owner)
        if conversation is None:
            return error_response(gettext("No such conversation."), 404)
        messages = conversation.messages.filter(pk__gt=int(after)).order_by("created_at", "pk")
        return JsonResponse(
            {
                "conversation": conversation.pk,
                "status": conversation.status,
                "handed_off": conversation.status == ConversationStatus.HANDED_OFF,
                "messages": [message_payload(m) for m in messages],
                "poll_seconds": crm_settings.SUPPORT["POLL_SECONDS"],
            }
        )


class SupportForm(forms.Form):
    """The widget's and the page's form (what is posted when JavaScript is off)."""

    conversation = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["message"] = forms.CharField(
            label=_("Your question"),
            max_length=crm_settings.SUPPORT["MAX_MESSAGE_LENGTH"],
            widget=forms.Textarea(attrs={"rows": 3}),
        )


@method_decorator(csrf_protect, name="dispatch")
class SupportPageView(View):
    """The conversation as a page: works with JavaScript off (the widget's form posts here).

    A message without a conversation id continues the visitor's latest open conversation.
    """

    template_name = "oscar_ai_crm/support/page.html"
    http_method_names = ["get", "post"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not crm_settings.SUPPORT["ENABLED"]:
            raise Http404("The support assistant is not available.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        conversation = latest_conversation(owner_for_request(request, create_session=False))
        return self.render(request, conversation, SupportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        owner = owner_for_request(request)
        form = SupportForm(request.POST)
        if owner is None or not form.is_valid():
            return self.render(request, latest_conversation(owner), form, status=400)
        conversation_id = form.cleaned_data["conversation"]
        if conversation_id is None:
            conversation = latest_conversation(owner, include_closed=False)
        else:
            conversation = find_conversation(conversation_id, owner)
            if conversation is None:
                raise Http404("No such conversation.")
        if (wait := rate_limited(owner)) is not None:
            form.add_error(
                None, gettext("Too many messages. Please wait %(s)s seconds.") % {"s": wait}
            )
            return self.render(request, conversation, form, status=429)
        post_customer_message(owner, form.cleaned_data["message"], conversation)
        return redirect(reverse("oscar_ai_crm:support") + "#crm-support-latest")

    def render(
        self,
        request: HttpRequest,
        conversation: Conversation | None,
        form: SupportForm,
        status: int = 200,
    ) -> HttpResponse:
        messages = list(conversation.messages.all()) if conversation else []
        context = {
            "conversation": conversation,
            "support_messages": messages,
            "form": form,
            "waiting_for_staff": bool(conversation)
            and conversation.status == ConversationStatus.HANDED_OFF,  # type: ignore[union-attr]
        }
        return TemplateResponse(request, self.template_name, context, status=status)
