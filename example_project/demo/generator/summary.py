"""What the generator made, counted from the database after the run."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count, Max, Min
from oscar.core.loading import get_model

from oscar_ai_crm.models import Event

from .customers import ADMIN_EMAIL, ADMIN_PASSWORD, CUSTOMER_PASSWORD

Category = get_model("catalogue", "Category")
Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductReview = get_model("reviews", "ProductReview")


def summarise(
    seed: int,
    personas: list[str],
    replay_stats: Counter[str],
    orders_by_persona: Counter[str],
    seconds: float,
) -> dict[str, Any]:
    """A JSON-serialisable summary of the generated shop."""
    events = Event.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    by_kind = dict(Event.objects.values_list("kind").annotate(n=Count("id")).order_by("kind"))
    customers = Counter(personas)
    return {
        "seed": seed,
        "seconds": round(seconds, 1),
        "products": Product.objects.count(),
        "public_products": Product.objects.filter(is_public=True).count(),
        "categories": Category.objects.count(),
        "product_classes": ProductClass.objects.count(),
        "customers": len(personas),
        "orders": Order.objects.count(),
        "guest_orders": Order.objects.filter(user__isnull=True).count(),
        "voucher_orders": replay_stats["voucher_orders"],
        "reviews": ProductReview.objects.count(),
        "visits": replay_stats["visits"],
        "logins_after_browsing": replay_stats["logins"],
        "events": sum(by_kind.values()),
        "events_by_kind": by_kind,
        "first_event": events["first"].isoformat() if events["first"] else None,
        "last_event": events["last"].isoformat() if events["last"] else None,
        "personas": {
            name: {"customers": customers[name], "orders": orders_by_persona[name]}
            for name in sorted(customers)
        },
        "admin": {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        "customer_password": CUSTOMER_PASSWORD,
    }


def format_summary(summary: dict[str, Any]) -> str:
    """The summary as a few human-readable lines."""
    kinds = ", ".join(f"{kind} {n}" for kind, n in summary["events_by_kind"].items())
    personas = ", ".join(
        f"{name} {row['customers']} ({row['orders']} orders)"
        for name, row in summary["personas"].items()
    )
    return "\n".join(
        [
            f"Demo shop generated with seed {summary['seed']} in {summary['seconds']} s:",
            f"  catalogue: {summary['products']} products ({summary['public_products']} public) "
            f"in {summary['categories']} categories, {summary['product_classes']} product classes",
            f"  customers: {summary['customers']}: {personas}",
            f"  orders: {summary['orders']} ({summary['guest_orders']} guest, "
            f"{summary['voucher_orders']} with voucher), reviews: {summary['reviews']}",
            f"  events: {summary['events']} ({kinds})",
            f"  history: {summary['first_event']} to {summary['last_event']}",
            f"  dashboard login: {summary['admin']['email']} / {summary['admin']['password']}; "
            f"customers log in with their email and password '{summary['customer_password']}'",
        ]
    )
