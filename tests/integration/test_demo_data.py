"""The demo data generator: a small seeded shop, driven through Oscar's real signals.

The module fixture generates the same small shop twice on an empty database (rolling
the first run back), so every test reads the second run and the determinism test
compares it with the first.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone
from oscar.core.loading import get_model

from example_project.demo.generator import ShopNotEmpty, generate_demo_shop
from example_project.demo.models import HiddenPersona
from oscar_ai_crm.models import Event, EventKind

Category = get_model("catalogue", "Category")
Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
ProductReview = get_model("reviews", "ProductReview")
StockRecord = get_model("partner", "StockRecord")

SEED = 7
SMALL = {"customers": 40, "products": 60, "months": 3}


def shop_signature() -> dict[str, Any]:
    """What must be identical between two runs with the same seed (no ids, no clock)."""
    persona_of = dict(HiddenPersona.objects.values_list("user_id", "persona"))
    buyers = Order.objects.filter(user__isnull=False).values_list("user_id", flat=True)
    return {
        "products": list(Product.objects.order_by("upc").values_list("title", "upc")),
        "prices": list(StockRecord.objects.order_by("partner_sku").values_list("price", flat=True)),
        "customers": sorted(HiddenPersona.objects.values_list("user__email", "persona")),
        "orders_by_persona": Counter(persona_of[user_id] for user_id in buyers),
        "orders": sorted(Order.objects.values_list("number", "total_incl_tax")),
        "events": dict(Event.objects.values_list("kind").annotate(n=Count("id")).order_by()),
    }


@pytest.fixture(scope="module")
def shop(django_db_setup, django_db_blocker):
    """(summary, signature of an earlier identical run); the shop stays for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        with transaction.atomic():
            generate_demo_shop(seed=SEED, **SMALL)
            first = shop_signature()
            transaction.set_rollback(True)
        summary = generate_demo_shop(seed=SEED, **SMALL)
        yield summary, first
        transaction.set_rollback(True)


def per_persona(kind: str) -> dict[str, float]:
    """Mean number of ``kind`` events per customer, by hidden persona."""
    personas = dict(HiddenPersona.objects.values_list("user_id", "persona"))
    counts = Counter(
        personas[user_id]
        for user_id in Event.objects.filter(kind=kind, user__in=personas).values_list(
            "user_id", flat=True
        )
    )
    customers = Counter(personas.values())
    return {name: counts[name] / customers[name] for name in customers}


@pytest.mark.django_db
def test_the_catalogue_has_categories_classes_and_stock(shop):
    assert Product.objects.count() == 60
    assert Category.objects.count() >= 10
    assert Category.objects.filter(depth=1).count() >= 5  # departments with children
    assert Product.objects.values("product_class").distinct().count() >= 5
    assert StockRecord.objects.filter(price__gt=0).count() == 60
    assert Product.objects.exclude(upc="").exclude(description="").count() == 60


@pytest.mark.django_db
def test_every_customer_has_a_hidden_persona(shop):
    customers = get_user_model().objects.filter(is_staff=False)
    assert customers.count() == 40
    assert HiddenPersona.objects.filter(user__in=customers, seed=SEED).count() == 40
    assert HiddenPersona.objects.values("persona").distinct().count() == 5
    assert get_user_model().objects.get(email="admin@example.com").is_superuser


@pytest.mark.django_db
def test_behaviour_is_recorded_as_events_spread_over_the_months(shop):
    summary, _ = shop
    kinds = set(Event.objects.values_list("kind", flat=True))
    wanted = {
        EventKind.ORDER,
        EventKind.PURCHASE,
        EventKind.VIEW,
        EventKind.SEARCH,
        EventKind.BASKET_ADD,
        EventKind.REVIEW,
    }
    assert wanted <= kinds
    assert Order.objects.count() == summary["orders"] > 0
    assert Event.objects.filter(kind=EventKind.ORDER).count() == Order.objects.count()
    assert Event.objects.filter(kind=EventKind.REVIEW).count() == ProductReview.objects.count()
    span = Event.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    now = timezone.now()
    assert span["first"] < now - timedelta(days=70)
    assert span["last"] > now - timedelta(days=7)
    months = {at.strftime("%Y-%m") for at in Event.objects.values_list("created_at", flat=True)}
    assert len(months) >= 3


@pytest.mark.django_db
def test_personas_behave_differently(shop):
    orders = per_persona(EventKind.ORDER)
    adds = per_persona(EventKind.BASKET_ADD)
    searches = per_persona(EventKind.SEARCH)
    assert orders["loyal_big_spender"] > 2 * orders["window_shopper"]
    assert orders["new_customer"] == 1.0
    assert adds["window_shopper"] > 2 * orders["window_shopper"]  # baskets left behind
    assert searches["bargain_hunter"] > searches["loyal_big_spender"]
    lapsed = HiddenPersona.objects.filter(persona="lapsed").values("user_id")
    recent = timezone.now() - timedelta(days=35)
    assert not Event.objects.filter(user__in=lapsed, created_at__gte=recent).exists()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_shop(shop):
    _, first = shop
    assert shop_signature() == first


@pytest.mark.django_db
def test_a_shop_with_data_is_refused(shop):
    with pytest.raises(ShopNotEmpty):
        generate_demo_shop(seed=SEED, **SMALL)
    with pytest.raises(CommandError, match="--flush"):
        call_command("crm_demo_data", "--customers", "5", "--products", "30")
