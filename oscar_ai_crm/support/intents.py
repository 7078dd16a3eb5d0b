"""What a customer message asks for, when it is not a knowledge-base question.

Rules over English and Chinese phrasings, no model: the intents here decide whose data a
reply may contain, so they must be predictable. Everything else is a knowledge-base
question (:data:`KNOWLEDGE_BASE`). Order numbers are only *read* from the message;
whether the customer may see that order is decided in :mod:`.orders`, never here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HUMAN = "human"
ORDER_STATUS = "order_status"
RECENT_ORDERS = "recent_orders"
KNOWLEDGE_BASE = "knowledge_base"

_HUMAN = re.compile(
    r"\b(human|real person|live (agent|chat|person)|(an?|your) agent|operator|"
    r"representative|someone (real|from your team))\b|"
    r"\b(speak|talk|chat) (to|with) (someone|somebody|a person|a people|staff|support)\b|"
    r"人工|真人|转人工|客服人员|客服专员|找客服",
    re.IGNORECASE,
)
_RECENT = re.compile(
    r"\b(my|recent|last|past|previous|latest) orders\b|\border history\b|"
    r"\bwhat (did|have) i (order|ordered|buy|bought)\b|\bmy (last|latest|previous) order\b(?!.*\b"
    r"(arrive|ship|status|where)\b)|"
    r"最近的订单|最近订单|历史订单|订单记录|我的订单列表|(我)?买过(什么|哪些)|所有订单",
    re.IGNORECASE,
)
_STATUS = re.compile(
    r"\bwhere('?s| is| are)? (my|the) (order|parcel|package|delivery|stuff|items?)\b|"
    r"\b(order|parcel|package|delivery) status\b|\bstatus of (my |the )?(order|parcel|package)\b|"
    r"\btrack(ing)? (my |the )?(order|parcel|package|delivery)\b|"
    r"\b(has|have|is|was) (my|the) (order|parcel|package|items?) (been )?"
    r"(shipped|sent|dispatched|delivered|arrived|processed|left)\b|"
    r"\bwhen (will|does|is) my (order|parcel|package) (arrive|come|ship|be delivered|get here)\b|"
    r"订单状态|订单.{0,8}(到哪|在哪|发货了|发出了|寄出|物流|进度|状态|什么时候到)|"
    r"(我的)?(包裹|快递).{0,6}(到哪|在哪|什么时候到)|物流信息|查(一下)?订单|发货了吗|到哪了",
    re.IGNORECASE,
)
#: Words that ask to see an order when the message names one ("show order 100042").
_SHOW = re.compile(
    r"\b(show|display|print|give|see|view|check|details?|status|where|track|look up|find)\b|"
    r"查看|显示|详情|查询|查一下|状态|到哪|在哪|发货",
    re.IGNORECASE,
)
_ORDER_WORD = re.compile(r"\border\b|\bno\.|订单|单号|#", re.IGNORECASE)
#: A token with at least one digit, 4+ characters of letters, digits and dashes, not
#: glued to other letters or digits (so it works next to Chinese characters too).
_ORDER_NUMBER = re.compile(r"(?<![A-Za-z0-9-])#?([A-Za-z0-9-]*\d[A-Za-z0-9-]*)(?![A-Za-z0-9-])")


@dataclass(frozen=True)
class Intent:
    name: str
    order_numbers: tuple[str, ...] = ()


def order_numbers_in(text: str) -> tuple[str, ...]:
    """Candidate order numbers: tokens of 4+ characters with a digit (``100042``,
    ``#100042``, ``SO-2024-0042``), in order of appearance, without duplicates.
    Money amounts and short numbers ("30 days", "2 items") are not candidates."""
    found: list[str] = []
    for match in _ORDER_NUMBER.finditer(text):
        token = match.group(1).strip("-")
        if len(token) >= 4 and sum(c.isdigit() for c in token) >= 3 and token not in found:
            found.append(token)
    return tuple(found)


def detect_intent(text: str) -> Intent:
    """The intent of one customer message (:data:`KNOWLEDGE_BASE` when none matches)."""
    if _HUMAN.search(text):
        return Intent(HUMAN)
    numbers = order_numbers_in(text) if _ORDER_WORD.search(text) else ()
    if numbers and (_SHOW.search(text) or _STATUS.search(text) or _is_bare_number(text)):
        return Intent(ORDER_STATUS, numbers)
    if _STATUS.search(text):
        return Intent(ORDER_STATUS, numbers)
    if _RECENT.search(text):
        return Intent(RECENT_ORDERS)
    return Intent(KNOWLEDGE_BASE)


def _is_bare_number(text: str) -> bool:
    """True for messages that are little more than an order number ("order #100042?")."""
    words = re.findall(r"\w+", text)
    return len(words) <= 3
