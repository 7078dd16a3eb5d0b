"""Business rules: which products may be recommended at all.

Applied twice: at training time (unavailable items become ``filter_items``, so precomputed
lists don't waste slots) and at serve time in SQL (stock changes between trainings).
The default mirrors Oscar's default strategy: a product is recommendable when it is
public, not a variant (children are shown through their parent), and available to buy:
it has a stock record with stock left (or its product class does not track stock); a
parent qualifies when one of its children does. A shop with its own strategy points
``RECOMMENDATIONS["RULES_CLASS"]`` at a subclass.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.module_loading import import_string
from oscar.core.loading import get_model

from ..conf import crm_settings

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")


class AvailabilityRules:
    """Default rules: public, not a child product, available to buy."""

    def in_stock_records(self) -> QuerySet:
        """Stock records a shopper can buy from."""
        return StockRecord.objects.annotate(
            net_stock=Coalesce("num_in_stock", 0) - Coalesce("num_allocated", 0)
        ).filter(Q(net_stock__gt=0) | Q(product__product_class__track_stock=False))

    def recommendable_filter(self, prefix: str = "") -> Q:
        """A ``Q`` on products (reached through ``prefix``, e.g. ``"product__"``)."""
        pk = OuterRef(f"{prefix}pk") if prefix else OuterRef("pk")
        records = self.in_stock_records()
        own_stock = Exists(records.filter(product=pk))
        child_stock = Exists(records.filter(product__parent=pk, product__is_public=True))
        return (
            Q(**{f"{prefix}is_public": True})
            & ~Q(**{f"{prefix}structure": Product.CHILD})
            & (
                (Q(**{f"{prefix}structure": Product.PARENT}) & child_stock)
                | (~Q(**{f"{prefix}structure": Product.PARENT}) & own_stock)
            )
        )

    def recommendable(self, queryset: QuerySet | None = None) -> QuerySet:
        """The products of ``queryset`` (default: all) that may be recommended."""
        queryset = Product.objects.all() if queryset is None else queryset
        return queryset.filter(self.recommendable_filter())

    def recommendable_ids(self, product_ids: Iterable[int] | None = None) -> set[int]:
        queryset = Product.objects.all()
        if product_ids is not None:
            queryset = queryset.filter(pk__in=list(product_ids))
        return set(self.recommendable(queryset).values_list("pk", flat=True))


@cache
def _rules_class(path: str) -> type[AvailabilityRules]:
    return import_string(path)


def get_rules() -> AvailabilityRules:
    """The configured rules (``RECOMMENDATIONS["RULES_CLASS"]``)."""
    return _rules_class(crm_settings.RECOMMENDATIONS["RULES_CLASS"])()


__all__ = ["AvailabilityRules", "get_rules"]
