"""Events describing Oscar's own records (orders, reviews), shared by capture and backfill."""

from __future__ import annotations

from decimal import Decimal

from ..models import EventKind
from .recorder import EventData


def order_events(order, lines, discounts) -> list[EventData]:
    """One ORDER event for ``order`` followed by one PURCHASE event per order line.

    ``lines`` and ``discounts`` are the order's lines and discounts, passed in so that
    callers can prefetch them.
    """
    discount_total = sum((d.amount for d in discounts), Decimal("0.00"))
    voucher_codes = sorted({d.voucher_code for d in discounts if d.voucher_code})
    when = order.date_placed
    head = EventData(
        kind=EventKind.ORDER,
        quantity=sum(line.quantity for line in lines),
        value=order.total_incl_tax,
        currency=order.currency,
        order_number=order.number,
        dedupe_key=f"order:{order.number}"[:64],
        created_at=when,
        extra={
            "lines": len(lines),
            "discount": str(discount_total),
            "vouchers": voucher_codes,
            "guest": order.user_id is None,
        },
    )
    return [head, *(_purchase_event(order, line) for line in lines)]


def _purchase_event(order, line) -> EventData:
    return EventData(
        kind=EventKind.PURCHASE,
        product_id=line.product_id,
        quantity=line.quantity,
        value=line.line_price_incl_tax,
        currency=order.currency,
        order_number=order.number,
        dedupe_key=f"orderline:{line.pk}",
        created_at=order.date_placed,
    )


def review_event(review) -> EventData:
    """The REVIEW event for an Oscar product review (rating = its 0-5 score)."""
    return EventData(
        kind=EventKind.REVIEW,
        product_id=review.product_id,
        rating=review.score,
        dedupe_key=f"review:{review.pk}",
        created_at=review.date_created,
    )
