"""Answers from the asking customer's own orders.

Authorisation lives here, in the queries: every lookup is filtered by ``user=customer``,
so no wording of a message can reach another customer's order. An order number that is
not the customer's gets the same reply as one that does not exist (nothing is revealed
about which). Texts are composed from the order data without a language model.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils import formats, timezone, translation
from oscar.core.loading import get_model

from ..conf import crm_settings
from .intents import ORDER_STATUS, RECENT_ORDERS
from .language import reply_language
from .types import Reply

Order = get_model("order", "Order")
ShippingEvent = get_model("order", "ShippingEvent")

LOGIN_REQUIRED = "login_required"

_TEXTS = {
    "en": {
        "login": "Please log in to your account, then ask again: I can only show a customer "
        "their own orders. You can also ask for a person.",
        "not_found": "I can't find an order {number} in your account. Please check the "
        "number, or ask for a person.",
        "no_orders": "There are no orders in your account yet.",
        "order": "Order {number}, placed on {date}: {status}. Total {total}.",
        "items": "Items: {items}.",
        "event": "{event} on {date}.",
        "no_events": "It has not been dispatched yet.",
        "recent": "Your most recent orders:",
        "recent_line": "- {number} ({date}): {status}, {total}",
    },
    "zh-hans": {
        "login": "请先登录您的账户后再询问：我只能为顾客查询其本人的订单。您也可以要求转人工客服。",
        "not_found": "您的账户中没有找到订单 {number}。请核对订单号，或要求转人工客服。",
        "no_orders": "您的账户中还没有订单。",
        "order": "订单 {number}（下单日期 {date}）：{status}。合计 {total}。",
        "items": "商品：{items}。",
        "event": "{date}：{event}。",
        "no_events": "订单尚未发货。",
        "recent": "您最近的订单：",
        "recent_line": "- {number}（{date}）：{status}，{total}",
    },
}


def texts_for(language: str) -> dict[str, str]:
    return _TEXTS[reply_language(language)]


def customer_orders(customer: Any):
    """The customer's orders, newest first, with lines and shipping events loaded."""
    events = ShippingEvent.objects.select_related("event_type").order_by("date_created")
    return (
        Order._default_manager.filter(user=customer)
        .order_by("-date_placed", "-pk")
        .prefetch_related("lines", Prefetch("shipping_events", queryset=events))
    )


def answer_order_status(customer: Any, numbers: tuple[str, ...], language: str) -> Reply:
    """Status of the order named in the message, else of the customer's latest order."""
    texts = texts_for(language)
    if customer is None or not customer.is_authenticated:
        return _reply(texts["login"], LOGIN_REQUIRED)
    orders = customer_orders(customer)
    if numbers:
        found = [o for o in orders.filter(number__in=numbers)]
        if not found:
            return _reply(texts["not_found"].format(number=numbers[0]), ORDER_STATUS)
        return _reply("\n\n".join(describe_order(o, language) for o in found), ORDER_STATUS)
    latest = orders.first()
    if latest is None:
        return _reply(texts["no_orders"], ORDER_STATUS)
    return _reply(describe_order(latest, language), ORDER_STATUS)


def answer_recent_orders(customer: Any, language: str) -> Reply:
    """The customer's last ``SUPPORT["RECENT_ORDERS"]`` orders, one line each."""
    texts = texts_for(language)
    if customer is None or not customer.is_authenticated:
        return _reply(texts["login"], LOGIN_REQUIRED)
    recent = list(customer_orders(customer)[: crm_settings.SUPPORT["RECENT_ORDERS"]])
    if not recent:
        return _reply(texts["no_orders"], RECENT_ORDERS)
    lines = [texts["recent"]]
    with translation.override(language):
        for order in recent:
            lines.append(texts["recent_line"].format(**_order_fields(order)))
    return _reply("\n".join(lines), RECENT_ORDERS)


def describe_order(order: Any, language: str) -> str:
    """Status, lines and shipping events of one order, in ``language``."""
    texts = texts_for(language)
    with translation.override(language):
        parts = [texts["order"].format(**_order_fields(order))]
        items = ", ".join(f"{line.quantity} × {line.title}" for line in order.lines.all())
        if items:
            parts.append(texts["items"].format(items=items))
        events = list(order.shipping_events.all())
        for event in events:
            parts.append(
                texts["event"].format(event=event.event_type.name, date=_date(event.date_created))
            )
        if not events:
            parts.append(texts["no_events"])
    return " ".join(parts)


def _order_fields(order: Any) -> dict[str, str]:
    return {
        "number": order.number,
        "date": _date(order.date_placed),
        "status": order.status or "-",
        "total": f"{order.total_incl_tax} {order.currency}",
    }


def _date(value: Any) -> str:
    if not value:
        return "-"
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATE_FORMAT")


def _reply(text: str, intent: str) -> Reply:
    return Reply(text=text, confidence=1.0, handed_off=False, intent=intent, backend="orders")
