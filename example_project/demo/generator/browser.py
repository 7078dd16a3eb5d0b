"""A simulated browser: real requests, sessions and cookies sent through Oscar's signals.

Each method does what the matching Oscar view does after its work is done: it sends
the view's signal with a request built by Django's ``RequestFactory``, so every
receiver (Oscar's analytics, the CRM's capture layer) sees what it would see live.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from oscar.apps.basket.signals import basket_addition
from oscar.apps.catalogue.signals import product_viewed
from oscar.apps.search.signals import user_search

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
_factory = RequestFactory()


@dataclass(eq=False)  # hashable: Django's dispatcher may cache receivers per sender
class SimulatedView:
    """Stands in for the Oscar view sending a signal (receivers read ``request``, ``line``)."""

    request: HttpRequest
    line: Any = None


class Browser:
    """One visitor's browser: a database session, cookies and a User-Agent."""

    def __init__(
        self, user_agent: str, do_not_track: bool = False, user: AbstractBaseUser | None = None
    ) -> None:
        self.headers = {"HTTP_USER_AGENT": user_agent}
        if do_not_track:
            self.headers["HTTP_DNT"] = "1"
        self.user: AbstractBaseUser | AnonymousUser = user if user is not None else AnonymousUser()
        self.session = SessionStore()
        self.session.create()
        self.cookies = {settings.SESSION_COOKIE_NAME: self.session.session_key}

    def request(
        self, path: str, *, params: dict[str, str] | None = None, form: dict[str, str] | None = None
    ) -> HttpRequest:
        """A GET with ``params`` (or a POST of ``form``) carrying this browser's state."""
        if form is None:
            request = _factory.get(path, params, **self.headers)
        else:
            body = urlencode(form)
            request = _factory.post(path, body, content_type=FORM_CONTENT_TYPE, **self.headers)
        request.user = self.user
        request.session = self.session
        request.COOKIES = dict(self.cookies)
        return request

    def view(self, product: Model) -> None:
        """What ``ProductDetailView`` signals after rendering a product page."""
        request = self.request(product.get_absolute_url())
        response = HttpResponse()
        product_viewed.send(
            sender=SimulatedView(request),
            product=product,
            user=self.user,
            request=request,
            response=response,
        )
        for name, morsel in response.cookies.items():  # the "recently viewed" cookie
            self.cookies[name] = morsel.value

    def search(self, query: str) -> None:
        """What Oscar's search view signals for the first results page of ``query``."""
        request = self.request("/search/", params={"q": query})
        user_search.send(
            sender=SimulatedView(request), session=self.session, user=self.user, query=query
        )

    def add_to_basket(self, basket: Model, product: Model, quantity: int = 1) -> Model:
        """Add to a real basket, then signal as ``BasketAddView.form_valid`` does."""
        line, _ = basket.add_product(product, quantity)
        request = self.request(f"/basket/add/{product.pk}/", form={"quantity": str(quantity)})
        basket_addition.send(
            sender=SimulatedView(request, line), product=product, user=self.user, request=request
        )
        return line

    def log_in(self, user: AbstractBaseUser) -> None:
        """Log in: the session key is cycled and Django's ``user_logged_in`` fires.

        The login request still carries the old (anonymous) session cookie, which is how
        the CRM finds the anonymous history to merge.
        """
        request = self.request("/accounts/login/", form={"login-username": user.email})
        self.session.cycle_key()
        self.user = request.user = user
        user_logged_in.send(sender=get_user_model(), request=request, user=user)
        self.cookies[settings.SESSION_COOKIE_NAME] = self.session.session_key
