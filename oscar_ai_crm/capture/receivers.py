"""One thin receiver per Oscar signal: translate, then call the recorder. Never raises."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.signals import user_logged_in as django_user_logged_in
from django.dispatch import receiver
from oscar.apps.basket.signals import basket_addition
from oscar.apps.catalogue.reviews.signals import review_added
from oscar.apps.catalogue.signals import product_viewed
from oscar.apps.customer.signals import user_logged_in as oscar_user_logged_in
from oscar.apps.order.signals import order_placed
from oscar.apps.search.signals import user_search

from ..conf import crm_settings
from ..models import EventKind
from .filters import skip_reason
from .identity import Visitor, visitor_for_request
from .merge import merge_anonymous_history
from .oscar_records import order_events, review_event
from .recorder import EventData, record_events
from .writer import write_events

logger = logging.getLogger(__name__)


def capture_safely(handler: Callable[..., None]) -> Callable[..., None]:
    """Run ``handler`` only when capture is on, and log (never raise) any error in it."""

    @functools.wraps(handler)
    def receiver_function(sender, **kwargs) -> None:
        if kwargs.get("raw", False):
            return
        try:
            if crm_settings.CAPTURE["ENABLED"]:
                handler(sender, **kwargs)
        except Exception:
            logger.exception(
                "oscar_ai_crm: %s failed; the event was not recorded", handler.__name__
            )

    return receiver_function


def _record_request(request, user, data: EventData, *, off_request: bool = False) -> None:
    """Record ``data`` for the request's visitor; ``off_request`` allows background writing."""
    if request is None or skip_reason(request):
        return
    visitor = visitor_for_request(request, user)
    if visitor is None:
        return
    if off_request:
        write_events(visitor, [data])
    else:
        record_events(visitor, [data])


@receiver(product_viewed, dispatch_uid="oscar_ai_crm.product_viewed")
@capture_safely
def on_product_viewed(sender, product, user, request, **kwargs) -> None:
    _record_request(
        request, user, EventData(EventKind.VIEW, product_id=product.pk), off_request=True
    )


@receiver(user_search, dispatch_uid="oscar_ai_crm.user_search")
@capture_safely
def on_user_search(sender, session, user, query, **kwargs) -> None:
    request = getattr(sender, "request", None)  # the sender is Oscar's search view
    query = (query or "").strip()
    if not query or request is None or request.GET.get("page", "1") != "1":
        return  # an empty search box, or a further page of the same search
    query = query[: crm_settings.CAPTURE["MAX_QUERY_LENGTH"]]
    _record_request(request, user, EventData(EventKind.SEARCH, query=query), off_request=True)


@receiver(basket_addition, dispatch_uid="oscar_ai_crm.basket_addition")
@capture_safely
def on_basket_addition(sender, product, user, request, **kwargs) -> None:
    quantity = _posted_quantity(request)
    line = getattr(sender, "line", None)  # the sender is Oscar's BasketAddView
    unit_price = getattr(line, "unit_price_incl_tax", None)
    data = EventData(
        EventKind.BASKET_ADD,
        product_id=product.pk,
        quantity=quantity,
        value=unit_price * quantity if isinstance(unit_price, Decimal) else None,
        currency=getattr(line, "price_currency", "") or "",
    )
    _record_request(request, user, data, off_request=True)


def _posted_quantity(request) -> int:
    try:
        return max(1, int(request.POST.get("quantity", 1)))
    except (TypeError, ValueError):
        return 1


@receiver(order_placed, dispatch_uid="oscar_ai_crm.order_placed")
@capture_safely
def on_order_placed(sender, order, user, **kwargs) -> None:
    # Orders are the shop's own records: recorded whatever the request's headers said,
    # but never for a customer who opted out (record_events checks the profile).
    events = order_events(order, list(order.lines.all()), list(order.discounts.all()))
    record_events(Visitor(order.user_id), events)


@receiver(review_added, dispatch_uid="oscar_ai_crm.review_added")
@capture_safely
def on_review_added(sender, review, user, request, **kwargs) -> None:
    _record_request(request, review.user or user, review_event(review))


@receiver(oscar_user_logged_in, dispatch_uid="oscar_ai_crm.oscar_user_logged_in")
@capture_safely
def on_oscar_login(sender, request, user, old_session_key=None, **kwargs) -> None:
    merge_anonymous_history(user.pk, old_session_key)


@receiver(django_user_logged_in, dispatch_uid="oscar_ai_crm.django_user_logged_in")
@capture_safely
def on_login(sender, request, user, **kwargs) -> None:
    """Every login path (Oscar, admin, allauth...): record it, merge the anonymous history.

    The session key was cycled by login; the request's cookie still holds the old one.
    """
    if request is None:
        return
    merge_anonymous_history(user.pk, request.COOKIES.get(settings.SESSION_COOKIE_NAME))
    _record_request(request, user, EventData(EventKind.LOGIN))
