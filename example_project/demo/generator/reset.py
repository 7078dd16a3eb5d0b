"""Guard against filling a shop twice, and empty the database when asked to."""

from __future__ import annotations

from django.core.management import call_command
from oscar.core.loading import get_model

from ..models import HiddenPersona

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")


class DemoDataError(Exception):
    """The demo shop cannot be generated as asked."""


class ShopNotEmpty(DemoDataError):
    """The database already holds products, orders or demo customers."""


def existing_data() -> dict[str, int]:
    """How many products, orders and demo customers the database holds already."""
    return {
        "products": Product.objects.count(),
        "orders": Order.objects.count(),
        "demo customers": HiddenPersona.objects.count(),
    }


def ensure_empty_shop() -> None:
    """Raise :class:`ShopNotEmpty` unless the shop has no products, orders or demo customers."""
    found = {name: count for name, count in existing_data().items() if count}
    if found:
        listed = ", ".join(f"{count} {name}" for name, count in found.items())
        raise ShopNotEmpty(
            f"The database already holds {listed}. The demo generator fills an empty shop: "
            "use a fresh database (e.g. EXAMPLE_SHOP_VAR_DIR=/tmp/shop manage.py migrate) "
            "or pass --flush to empty this one first."
        )


def flush_database() -> None:
    """Empty every table (Django's ``flush``), as a freshly migrated database would be."""
    call_command("flush", interactive=False, verbosity=0)
