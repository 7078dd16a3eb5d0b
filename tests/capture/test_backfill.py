"""crm_backfill: a shop's existing history becomes events, once."""

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test import factories

from oscar_ai_crm.models import CustomerProfile, Event, EventKind, EventSource

UserProductView = get_model("analytics", "UserProductView")
UserSearch = get_model("analytics", "UserSearch")
ProductReview = get_model("reviews", "ProductReview")
pytestmark = pytest.mark.django_db


@pytest.fixture
def history(settings, customer, product):
    """Orders, reviews and Oscar analytics rows made before the plugin was installed."""
    settings.OSCAR_AI_CRM = {"CAPTURE": {"ENABLED": False}}
    last_year = timezone.now() - timedelta(days=365)
    orders = []
    for days in (300, 200):
        basket = factories.create_basket(empty=True)
        basket.add_product(product, quantity=2)
        orders.append(
            factories.create_order(
                user=customer, basket=basket, date_placed=last_year + timedelta(days=days)
            )
        )
    guest_basket = factories.create_basket(empty=True)
    guest_basket.add_product(product)
    factories.create_order(basket=guest_basket, date_placed=last_year)
    ProductReview.objects.create(
        product=product, user=customer, score=5, title="Great", body="Really good."
    )
    UserProductView.objects.create(product=product, user=customer)
    UserSearch.objects.create(user=customer, query="linen")
    settings.OSCAR_AI_CRM = {}
    return orders


def run_backfill(*args) -> dict:
    out = StringIO()
    call_command("crm_backfill", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_backfill_imports_orders_reviews_and_analytics(history, customer):
    summary = run_backfill()

    assert summary["inserted"] == {"orders": 3 + 3, "reviews": 1, "product_views": 1, "searches": 1}
    assert set(Event.objects.values_list("source", flat=True)) == {EventSource.BACKFILL}
    order_times = set(
        Event.objects.filter(kind=EventKind.ORDER, user=customer).values_list(
            "created_at", flat=True
        )
    )
    assert order_times == {order.date_placed for order in history}
    profile = CustomerProfile.objects.get(user=customer)
    assert (profile.order_count, profile.review_count, profile.view_count) == (2, 1, 1)
    assert profile.total_spent == Decimal("50.00")
    assert profile.last_order_at == max(order.date_placed for order in history)


def test_backfill_twice_creates_no_duplicates(history, customer):
    first = run_backfill()
    total = Event.objects.count()
    profile_before = CustomerProfile.objects.values().get(user=customer)

    second = run_backfill()

    assert second["total_inserted"] == 0
    assert Event.objects.count() == total
    assert CustomerProfile.objects.values().get(user=customer) == profile_before
    assert first["total_inserted"] == total == 9


def test_backfill_skips_analytics_rows_already_captured_live(history, customer, browser, product):
    browser.force_login(customer)
    browser.get(product.get_absolute_url())  # live capture starts now...
    UserProductView.objects.filter(user=customer).update(
        date_created=timezone.now()
    )  # ...Oscar saw it too

    summary = run_backfill()

    assert summary["inserted"]["product_views"] == 0
    assert Event.objects.filter(kind=EventKind.VIEW).count() == 1


def test_backfill_respects_opt_out_and_since(history, customer):
    CustomerProfile.objects.create(user=customer, tracking_opted_out=True)

    summary = run_backfill(
        "--since", (history[1].date_placed - timedelta(days=1)).date().isoformat()
    )

    assert (
        summary["inserted"]["orders"] == 0
    )  # the customer's orders are skipped; the guest's is older
    assert not Event.objects.filter(user=customer).exists()


def test_backfill_rejects_a_bad_date():
    with pytest.raises(CommandError, match="not a date"):
        call_command("crm_backfill", "--since", "last tuesday")
