"""Baskets and orders through Oscar's own code, so that ``order_placed`` fires.

Orders are placed with ``oscar.test.factories.create_order`` (Oscar's ``OrderCreator``
with its shipping and total calculators), dated in the past with ``date_placed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model
from django.utils import timezone
from oscar.core.loading import get_class, get_model
from oscar.test.factories import create_order

Applicator = get_class("offer.applicator", "Applicator")
Basket = get_model("basket", "Basket")
Benefit = get_model("offer", "Benefit")
Condition = get_model("offer", "Condition")
ConditionalOffer = get_model("offer", "ConditionalOffer")
FixedPrice = get_class("shipping.methods", "FixedPrice")
Free = get_class("shipping.methods", "Free")
Range = get_model("offer", "Range")
Selector = get_class("partner.strategy", "Selector")
Voucher = get_model("voucher", "Voucher")

VOUCHER_CODE = "SAVE10"
FREE_SHIPPING_FROM = Decimal("40.00")
STANDARD_SHIPPING = Decimal("3.95")


def create_voucher(valid_from: datetime) -> Model:
    """A multi-use 10%-off voucher on everything, valid for the whole history and a year on."""
    everything = Range.objects.create(name="Everything", includes_all_products=True)
    offer = ConditionalOffer.objects.create(
        name="10% off with SAVE10",
        offer_type=ConditionalOffer.VOUCHER,
        condition=Condition.objects.create(range=everything, type=Condition.COUNT, value=1),
        benefit=Benefit.objects.create(range=everything, type=Benefit.PERCENTAGE, value=10),
    )
    voucher = Voucher.objects.create(
        name="Ten percent off",
        code=VOUCHER_CODE,
        usage=Voucher.MULTI_USE,
        start_datetime=valid_from,
        end_datetime=timezone.now() + timedelta(days=365),
    )
    voucher.offers.add(offer)
    return voucher


def open_basket(owner: AbstractBaseUser | None, created: datetime) -> Model:
    """A new, empty basket with the shop's pricing strategy, dated ``created``."""
    basket = Basket.objects.create(owner=owner)
    Basket.objects.filter(pk=basket.pk).update(date_created=created)
    basket.strategy = Selector().strategy()
    return basket


@dataclass(frozen=True)
class CheckoutDetails:
    """Who checks out, when, and with what; ``subtotal`` is before discounts."""

    number: str
    placed_at: datetime
    subtotal: Decimal
    user: AbstractBaseUser | None = None
    guest_email: str = ""
    voucher: Model | None = None


def place_order(basket: Model, details: CheckoutDetails) -> Model:
    """Check ``basket`` out as an order placed at ``details.placed_at``; returns the order.

    With a voucher, Oscar's offer applicator discounts the basket first. Orders under
    £40 (before discounts) pay standard shipping.
    """
    if details.voucher is not None:
        basket.vouchers.add(details.voucher)
        Applicator().apply(basket, details.user)
    if details.subtotal >= FREE_SHIPPING_FROM:
        shipping = Free()
    else:
        shipping = FixedPrice(STANDARD_SHIPPING, STANDARD_SHIPPING)
    order = create_order(
        number=details.number,
        basket=basket,
        user=details.user,
        shipping_method=shipping,
        date_placed=details.placed_at,
        guest_email=details.guest_email,
    )
    Basket.objects.filter(pk=basket.pk).update(date_submitted=details.placed_at)
    return order
