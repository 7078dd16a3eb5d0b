"""A small shop with a planted pattern: customers who buy A go on to buy B."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.test import factories

from oscar_ai_crm.models import Event, EventKind

#: Fast settings for training tests: TF-IDF text similarity (MiniLM has its own tests).
FAST_MODELS_OVERRIDE = {
    "text": {
        "CLASS": "oscar_ai_crm.recommenders.content.TextSimilarityRecommender",
        "OPTIONS": {"encoder": "tfidf"},
    }
}


@dataclass
class PlantedShop:
    products: dict[str, object]
    probe: object  # a customer who bought only A
    customers: list


def _stocked(title: str, num_in_stock: int = 50):
    product = factories.create_product(title=title)
    factories.create_stockrecord(product, price=Decimal("10.00"), num_in_stock=num_in_stock)
    return product


def _event(kind: str, user, product, when, order: str = "") -> Event:
    return Event(kind=kind, user=user, product=product, created_at=when, order_number=order)


@pytest.fixture
def planted_shop(db) -> PlantedShop:
    names = ["A", "B", "C", "D", "E", "F", "G", "H", "Z"]  # nobody touches Z
    products = {name: _stocked(f"Product {name}") for name in names}
    start = timezone.now() - timedelta(days=60)
    events: list[Event] = []
    customers = []
    for n in range(24):
        customer = factories.UserFactory(email=f"c{n}@example.com")
        customers.append(customer)
        first, second = ("A", "B") if n % 2 == 0 else ("D", "E")
        day = start + timedelta(days=n)
        events.append(_event(EventKind.VIEW, customer, products[first], day))
        events.append(_event(EventKind.PURCHASE, customer, products[first], day, f"o{n}a"))
        events.append(_event(EventKind.VIEW, customer, products["C"], day))
        if first == "A":  # H goes in the same basket as A
            events.append(_event(EventKind.PURCHASE, customer, products["H"], day, f"o{n}a"))
        later = day + timedelta(days=20 + n % 5)
        events.append(_event(EventKind.VIEW, customer, products[second], later))
        events.append(_event(EventKind.PURCHASE, customer, products[second], later, f"o{n}b"))
        for name in ("F", "G"):  # popular-ish noise everyone views
            events.append(_event(EventKind.VIEW, customer, products[name], day))
    probe = factories.UserFactory(email="probe@example.com")
    events.append(_event(EventKind.PURCHASE, probe, products["A"], start, "probe"))
    Event.objects.bulk_create(events)
    return PlantedShop(products=products, probe=probe, customers=customers)
