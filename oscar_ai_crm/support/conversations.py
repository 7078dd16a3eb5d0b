"""Conversations with the assistant: who owns one, customer messages, staff replies, closing.

A conversation belongs to a customer (``user``) or, for an anonymous visitor, to the salted
hash of their session key, as in the event log. Only the owner can read or continue it:
:func:`find_conversation` answers None for an unknown id and for someone else's alike.
The views are thin; everything that changes a conversation happens here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ..capture.identity import hash_session_key, session_key_for
from ..models import Conversation, ConversationMessage, ConversationStatus, Sender
from .language import detect_language, reply_language
from .types import Reply

logger = logging.getLogger(__name__)

#: Why a conversation was handed off when the assistant itself failed.
REASON_ASSISTANT_ERROR = "the assistant failed"
#: The reply when the assistant failed, by language (as the assistant's own hand-off texts).
_FAILURE_TEXT = {
    "en": "Sorry, I can't answer right now. I've passed your message to our customer-service "
    "team; someone will reply here as soon as possible.",
    "zh-hans": "抱歉，我暂时无法回答。已将您的消息转给人工客服，工作人员会尽快在这里回复您。",
}


@dataclass(frozen=True)
class Owner:
    """Who a conversation belongs to: a customer, or an anonymous session (by its hash)."""

    user: Any = None
    session_hash: str = ""

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def key(self) -> str:
        """A stable, non-secret key for this owner (rate limiting, caching)."""
        return f"user:{self.user_id}" if self.user is not None else f"session:{self.session_hash}"


@dataclass(frozen=True)
class Exchange:
    """One customer message and the assistant's reply, both saved."""

    conversation: Conversation
    question: ConversationMessage
    answer: ConversationMessage


def owner_for_request(request: HttpRequest, *, create_session: bool = True) -> Owner | None:
    """The request's customer, else its anonymous session (created when missing and asked).

    None for an anonymous request without a session (nothing can be theirs yet).
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Owner(user=user)
    key = session_key_for(getattr(request, "session", None), create=create_session)
    return Owner(session_hash=hash_session_key(key)) if key else None


def owned_by(owner: Owner):
    """The conversations of ``owner`` (a queryset)."""
    if owner.user is not None:
        return Conversation.objects.filter(user=owner.user)
    if not owner.session_hash:
        return Conversation.objects.none()
    return Conversation.objects.filter(user__isnull=True, session_hash=owner.session_hash)


def find_conversation(conversation_id: Any, owner: Owner | None) -> Conversation | None:
    """The owner's conversation with this id; None when unknown *or* not theirs."""
    if owner is None or isinstance(conversation_id, bool):
        return None
    try:
        pk = int(conversation_id)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:  # no such primary key (and SQLite cannot even compare it)
        return None
    return owned_by(owner).filter(pk=pk).first()


def latest_conversation(owner: Owner | None, *, include_closed: bool = True) -> Conversation | None:
    """The owner's most recently active conversation, if any."""
    if owner is None:
        return None
    conversations = owned_by(owner)
    if not include_closed:
        conversations = conversations.exclude(status=ConversationStatus.CLOSED)
    return conversations.order_by("-updated_at", "-pk").first()


def start_conversation(owner: Owner, language: str = "en") -> Conversation:
    """A new, empty conversation of ``owner``."""
    return Conversation.objects.create(
        user=owner.user, session_hash="" if owner.user else owner.session_hash, language=language
    )


def post_customer_message(
    owner: Owner, text: str, conversation: Conversation | None = None
) -> Exchange:
    """Save the customer's message, ask the assistant, save its reply, update the status.

    ``conversation`` None starts a new one. The assistant is called outside any
    transaction (it may call a language model); if it raises, the error is logged and
    the reply is a hand-off notice, so the customer still gets an answer and staff see
    the conversation in the inbox.
    """
    text = text.strip()
    with transaction.atomic():
        if conversation is None:
            conversation = start_conversation(owner, detect_language(text))
        question = ConversationMessage.objects.create(
            conversation=conversation, sender=Sender.CUSTOMER, text=text
        )
        _touch(conversation)
    reply = ask_assistant(text, owner.user, conversation.language)
    with transaction.atomic():
        answer = save_reply(conversation, reply)
    return Exchange(conversation, question, answer)


def ask_assistant(text: str, user: Any, language: str = "en") -> Reply:
    """The assistant's reply; a hand-off notice (in ``language``) when the assistant fails."""
    try:
        from .assistant import reply_to  # imported late: it loads the retrieval stack

        return reply_to(text, user=user)
    except Exception:
        logger.exception("oscar_ai_crm: the support assistant failed; handing off to staff")
        return Reply(
            text=_FAILURE_TEXT[reply_language(language)],
            confidence=0.0,
            handed_off=True,
            intent="error",
            backend="",
            handoff_reason=REASON_ASSISTANT_ERROR,
        )


def save_reply(conversation: Conversation, reply: Reply) -> ConversationMessage:
    """Store the assistant's reply and move the conversation on.

    A hand-off puts the conversation in the staff inbox; an answered message keeps a
    conversation that is already waiting for staff there (staff have not replied yet).
    """
    message = ConversationMessage.objects.create(
        conversation=conversation,
        sender=Sender.ASSISTANT,
        text=reply.text,
        confidence=reply.confidence,
        intent=reply.intent[:40],
        articles=[hit.citation() for hit in reply.articles],
        handed_off=reply.handed_off,
        backend=reply.backend[:40],
    )
    if reply.handed_off:
        if conversation.status != ConversationStatus.HANDED_OFF:
            conversation.handed_off_at = timezone.now()
        conversation.status = ConversationStatus.HANDED_OFF
        conversation.handoff_reason = (reply.handoff_reason or reply.intent)[:200]
    elif conversation.status != ConversationStatus.HANDED_OFF:
        conversation.status = ConversationStatus.OPEN
    _touch(conversation, "status", "handoff_reason", "handed_off_at")
    return message


def post_agent_reply(conversation: Conversation, agent: Any, text: str) -> ConversationMessage:
    """A staff member's reply: the customer sees it in the widget; status "answered"."""
    text = text.strip()
    if not text:
        raise ValueError("A reply needs some text.")
    with transaction.atomic():
        message = ConversationMessage.objects.create(
            conversation=conversation, sender=Sender.AGENT, text=text, author=agent
        )
        conversation.status = ConversationStatus.ANSWERED
        if conversation.assigned_to_id is None:
            conversation.assigned_to = agent
        _touch(conversation, "status", "assigned_to")
    return message


def close_conversation(conversation: Conversation) -> None:
    """Out of the inbox for good (a new customer message reopens it)."""
    conversation.status = ConversationStatus.CLOSED
    _touch(conversation, "status")


def reopen_conversation(conversation: Conversation) -> None:
    """Back into the staff inbox, waiting for a reply."""
    conversation.status = ConversationStatus.HANDED_OFF
    conversation.handed_off_at = conversation.handed_off_at or timezone.now()
    _touch(conversation, "status", "handed_off_at")


def adopt_anonymous_conversations(user: Any, old_session_key: str | None) -> int:
    """Give ``user`` the conversations their anonymous session had before login.

    Django gives the session a new key at login; ``old_session_key`` is the one the
    conversations were started under. Returns how many conversations moved.
    """
    session_hash = hash_session_key(old_session_key)
    if not session_hash or user is None or user.pk is None:
        return 0
    anonymous = Conversation.objects.filter(user__isnull=True, session_hash=session_hash)
    return anonymous.update(user=user, session_hash="")


def _touch(conversation: Conversation, *fields: str) -> None:
    """Save ``fields`` and the last-activity time (the inbox's order)."""
    conversation.save(update_fields=[*fields, "updated_at"])
