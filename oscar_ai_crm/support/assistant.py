"""One customer message in, one :class:`~.types.Reply` out.

Order: an explicit request for a person hands off at once; order questions are answered
from the asking customer's own orders (:mod:`.orders`); everything else is searched in
the knowledge base. A knowledge-base answer is given when the best article's score
reaches ``SUPPORT["ANSWER_THRESHOLD"]``; below it, or when the LLM backend finds no
answer in the articles, the conversation is handed off to staff.
"""

from __future__ import annotations

from typing import Any

from ..conf import crm_settings
from . import intents, orders
from .composer import compose_answer
from .language import detect_language, reply_language
from .retrieval import search
from .types import Reply

#: Why a conversation was handed off, stored on it for the staff inbox.
REASON_ASKED = "asked for a person"
REASON_LOW_CONFIDENCE = "no confident answer in the knowledge base"
REASON_NO_ANSWER = "the articles found do not answer it"

_HANDOFF_TEXT = {
    "en": "I'm not sure I can answer that correctly, so I've passed your message to our "
    "customer-service team. Someone will reply here as soon as possible.",
    "zh-hans": "这个问题我无法确定正确答案，已为您转给人工客服，工作人员会尽快在这里回复您。",
}
_HUMAN_TEXT = {
    "en": "Of course. I've passed your conversation to our customer-service team; "
    "someone will reply here as soon as possible.",
    "zh-hans": "好的，已为您转接人工客服，工作人员会尽快在这里回复您。",
}


def reply_to(question: str, *, user: Any = None, language: str | None = None) -> Reply:
    """The assistant's reply to ``question`` from ``user`` (None or anonymous allowed)."""
    question = question.strip()
    language = language or detect_language(question)
    intent = intents.detect_intent(question)
    if intent.name == intents.HUMAN:
        return handoff(language, REASON_ASKED, intent=intents.HUMAN, confidence=1.0)
    if intent.name == intents.ORDER_STATUS:
        return orders.answer_order_status(user, intent.order_numbers, language)
    if intent.name == intents.RECENT_ORDERS:
        return orders.answer_recent_orders(user, language)
    return answer_from_knowledge_base(question, language, user)


def answer_from_knowledge_base(question: str, language: str, user: Any = None) -> Reply:
    """Search the articles; answer when confident enough, else hand off."""
    settings = crm_settings.SUPPORT
    hits = search(question, language=language, limit=settings["MAX_ARTICLES"])
    threshold = float(settings["ANSWER_THRESHOLD"])
    confident = [hit for hit in hits if hit.score >= threshold]
    top_score = hits[0].score if hits else 0.0
    if not confident:
        return handoff(language, REASON_LOW_CONFIDENCE, confidence=top_score)
    composition = compose_answer(question, confident, language=language, customer=user)
    if composition.no_answer:
        reply = handoff(language, REASON_NO_ANSWER, confidence=top_score)
        reply.backend = composition.backend
        return reply
    return Reply(
        text=composition.text,
        confidence=top_score,
        handed_off=False,
        intent=intents.KNOWLEDGE_BASE,
        articles=composition.used,
        backend=composition.backend,
    )


def handoff(
    language: str, reason: str, *, intent: str = "out_of_scope", confidence: float = 0.0
) -> Reply:
    """A hand-off notice: the conversation goes to the staff inbox."""
    texts = _HUMAN_TEXT if intent == intents.HUMAN else _HANDOFF_TEXT
    text = texts[reply_language(language)]
    return Reply(
        text=text,
        confidence=confidence,
        handed_off=True,
        intent=intent,
        backend="",
        handoff_reason=reason,
    )
