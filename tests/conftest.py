"""Shared fixtures: a browser-like test client, Oscar products and customers."""

from decimal import Decimal

import pytest
from django.test import Client
from oscar.test import factories

from oscar_ai_crm.capture.writer import inline_writes

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PASSWORD = "skelebrain"  # Oscar's UserFactory password


@pytest.fixture(autouse=True)
def _write_events_inline():
    """Capture writes inline in tests, so assertions see events at once.

    The background writer (the production default) has its own tests in
    tests/capture/test_writer.py.
    """
    with inline_writes():
        yield


@pytest.fixture
def browser() -> Client:
    """A test client that identifies as a desktop browser (capture ignores empty UAs)."""
    return Client(headers={"user-agent": BROWSER_UA})


@pytest.fixture
def product(db):
    """A public product in stock at 12.50."""
    item = factories.create_product(title="Linen shirt", upc="LS-1")
    factories.create_stockrecord(item, price=Decimal("12.50"), num_in_stock=20)
    return item


@pytest.fixture
def customer(db):
    return factories.UserFactory(email="ann@example.com")


@pytest.fixture
def logged_in(browser, customer) -> Client:
    browser.force_login(customer)
    return browser
