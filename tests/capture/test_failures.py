"""A failure inside capture is logged and never reaches the shopper."""

import logging

import pytest
from django.db import connection
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test import factories

from oscar_ai_crm.models import Event

Order = get_model("order", "Order")
pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_event_log():
    """Make every write to the event log fail, as a real database fault would."""
    table = Event._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table}_away RENAME TO {table}")


def test_product_page_still_renders_when_capture_fails(broken_event_log, browser, product, caplog):
    with caplog.at_level(logging.ERROR, logger="oscar_ai_crm"):
        response = browser.get(product.get_absolute_url())

    assert response.status_code == 200
    assert product.title in response.content.decode()
    assert "on_product_viewed failed" in caplog.text


def test_basket_and_checkout_survive_a_capture_failure(
    broken_event_log, logged_in, customer, product
):
    response = logged_in.post(reverse("basket:add", args=[product.pk]), {"quantity": 1})
    assert response.status_code == 302

    basket = factories.create_basket(empty=True)
    basket.add_product(product)
    order = factories.create_order(user=customer, basket=basket)

    # the shop's own transaction is intact: the order and its lines are saved
    assert Order.objects.get(pk=order.pk).lines.count() == 1
