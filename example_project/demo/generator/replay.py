"""Replay planned visits against the shop: browsers, baskets, orders and reviews.

Every action runs inside ``oscar_ai_crm.capture.clock.recorded_at`` so the events
the CRM captures carry the planned (historic) time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model

from oscar_ai_crm.capture.clock import recorded_at

from .browser import Browser
from .catalogue_plan import ProductPlan
from .orders import CheckoutDetails, open_basket, place_order
from .reviews import review_text, write_review
from .visits import Action, Step, Visit

SESSION_LIFETIME = timedelta(days=14)  # Django's default SESSION_COOKIE_AGE
FIRST_ORDER_NUMBER = 100001


class Replayer:
    """Replays visits in time order, keeping each customer's browser and open basket."""

    def __init__(
        self,
        plans: Sequence[ProductPlan],
        products: Sequence[Model],
        users: Sequence[AbstractBaseUser],
        personas: Sequence[str],
        voucher: Model | None = None,
    ) -> None:
        self.plans, self.products, self.users = plans, products, users
        self.personas, self.voucher = personas, voucher
        self.browsers: dict[int, tuple[Browser, datetime]] = {}
        self.baskets: dict[int, Model] = {}
        self.stats: Counter[str] = Counter()
        self.orders_by_persona: Counter[str] = Counter()
        self.subtotal = Decimal("0.00")

    def replay(self, visit: Visit) -> None:
        """Do everything the visit does, each action at its planned time."""
        browser = self._browser_for(visit)
        basket = None
        self.subtotal = Decimal("0.00")  # of this visit's basket additions
        for action in visit.actions:
            with recorded_at(action.at):
                basket = self._do(action, visit, browser, basket)
        self.stats["visits"] += 1

    def _browser_for(self, visit: Visit) -> Browser:
        """A customer keeps their session for two weeks, unless they start logged out."""
        starts_anonymous = any(a.step is Step.LOGIN for a in visit.actions)
        if visit.customer is None or starts_anonymous:
            return Browser(visit.user_agent, visit.do_not_track)
        browser, last_seen = self.browsers.get(visit.customer, (None, visit.start))
        if browser is None or visit.start - last_seen > SESSION_LIFETIME:
            browser = Browser(visit.user_agent, user=self.users[visit.customer])
        self.browsers[visit.customer] = (browser, visit.start)
        return browser

    def _do(
        self, action: Action, visit: Visit, browser: Browser, basket: Model | None
    ) -> Model | None:
        """Perform one action; returns the visit's basket (opened by a first addition)."""
        if action.step is Step.VIEW:
            browser.view(self.products[action.product])
        elif action.step is Step.SEARCH:
            browser.search(action.query)
            self.stats["searches"] += 1
        elif action.step is Step.LOGIN:
            browser.log_in(self.users[visit.customer])
            self.browsers[visit.customer] = (browser, visit.start)
            self.stats["logins"] += 1
        elif action.step is Step.BASKET_ADD:
            basket = basket or self._basket_for(visit, browser)
            browser.add_to_basket(basket, self.products[action.product], action.quantity)
            self.subtotal += self.plans[action.product].price * action.quantity
        elif action.step is Step.CHECKOUT:
            self._checkout(action, visit, browser, basket)
        elif action.step is Step.REVIEW:
            self._review(action, visit, browser)
        return basket

    def _basket_for(self, visit: Visit, browser: Browser) -> Model:
        """The customer's open basket, emptied of what they left in it last time."""
        if visit.customer is None:
            return open_basket(None, visit.start)
        basket = self.baskets.get(visit.customer)
        if basket is None:
            basket = self.baskets[visit.customer] = open_basket(browser.user, visit.start)
        elif basket.num_lines:
            basket.flush()
        return basket

    def _checkout(self, action: Action, visit: Visit, browser: Browser, basket: Model) -> None:
        details = CheckoutDetails(
            number=str(FIRST_ORDER_NUMBER + self.stats["orders"]),
            placed_at=action.at,
            subtotal=self.subtotal,
            user=None if visit.customer is None else browser.user,
            guest_email=visit.guest_email,
            voucher=self.voucher if action.voucher else None,
        )
        place_order(basket, details)
        self.stats["orders"] += 1
        if visit.customer is None:
            self.stats["guest_orders"] += 1
            return
        self.baskets.pop(visit.customer, None)
        self.orders_by_persona[self.personas[visit.customer]] += 1
        self.stats["voucher_orders"] += details.voucher is not None

    def _review(self, action: Action, visit: Visit, browser: Browser) -> None:
        text = review_text(
            action.score, self.plans[action.product].item, variant=action.product + visit.customer
        )
        write_review(browser, self.products[action.product], action.score, text, action.at)
        self.stats["reviews"] += 1
