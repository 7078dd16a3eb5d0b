"""Read the serving run's lists for a visitor or a product: what the template tags show.

Every function costs at most two queries: the stored rows are joined to their products
in SQL, with the business rules (:mod:`oscar_ai_crm.recommenders.rules`) applied there
too, so stock that ran out since training is never shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..conf import crm_settings
from ..models import (
    Event,
    EventKind,
    ProductLinkKind,
    ProductRecommendation,
    ReasonKind,
    Recommendation,
)
from ..recommenders.rules import get_rules

REASONS = {kind.value for kind in ReasonKind}
#: Events that make a product part of a visitor's recent history.
HISTORY_EVENTS = (EventKind.VIEW, EventKind.BASKET_ADD, EventKind.PURCHASE)
#: How far back a visitor's history feeds session-based recommendations.
HISTORY_DAYS = 30
#: Popular rows fetched beyond ``limit``, to make up for ones excluded in Python.
POPULAR_SLACK = 20


@dataclass(frozen=True)
class Suggestion:
    """A product to show, and why."""

    product: Any
    reason: str = ""
    reason_product: Any = None
    category: str = ""

    @property
    def explanation(self) -> str:
        title = self.reason_product.get_title() if self.reason_product is not None else ""
        if self.reason == ReasonKind.SIMILAR and title:
            return _("Because you viewed %(title)s") % {"title": title}
        if self.reason == ReasonKind.BOUGHT_TOGETHER and title:
            return _("Bought together with %(title)s") % {"title": title}
        if self.reason == ReasonKind.POPULAR and self.category:
            return _("Popular in %(category)s") % {"category": self.category}
        return (
            {
                ReasonKind.POPULAR: _("Popular right now"),
                ReasonKind.HISTORY: _("You bought this before"),
                ReasonKind.RATED: _("Liked by customers with similar taste"),
                ReasonKind.SIMILAR: _("Similar to products you looked at"),
                ReasonKind.BOUGHT_TOGETHER: _("Frequently bought together"),
            }.get(ReasonKind(self.reason), "")
            if self.reason in REASONS
            else ""
        )


@dataclass(frozen=True)
class Visitor:
    """Who the lists are for: a customer pk and/or an anonymous session hash."""

    user_id: int | None = None
    session_hash: str = ""

    def events(self) -> QuerySet:
        if self.user_id:
            return Event.objects.filter(user_id=self.user_id)
        if self.session_hash:
            return Event.objects.filter(user__isnull=True, session_hash=self.session_hash)
        return Event.objects.none()


def recommended_for(visitor: Visitor, limit: int) -> list[Suggestion]:
    """A customer's stored list; topped up from recent history and popularity."""
    chosen: list[Suggestion] = []
    if visitor.user_id:
        rows = Recommendation.objects.filter(user_id=visitor.user_id)
        rows = rows.filter(get_rules().recommendable_filter("product__"))
        rows = _not_bought_since(rows, visitor)
        rows = rows.select_related("product", "reason_product").order_by("rank")[:limit]
        chosen = [Suggestion(r.product, r.reason, r.reason_product) for r in rows]
    if len(chosen) < limit:
        chosen += _from_history(visitor, limit - len(chosen), {s.product.pk for s in chosen})
    return chosen


def similar_to(product, limit: int) -> list[Suggestion]:
    """Products similar to ``product`` (a variant counts as its parent), popular ones after."""
    source = product.parent_id or product.pk
    rows = _links(
        Q(kind=ProductLinkKind.SIMILAR, source_id=source, rank__lt=limit + 1)
        | Q(kind=ProductLinkKind.POPULAR, rank__lt=limit + POPULAR_SLACK)
    ).exclude(product_id=source)
    ordered = sorted(rows, key=lambda r: (r.kind != ProductLinkKind.SIMILAR, r.rank))
    return _distinct(
        (
            Suggestion(
                r.product,
                ReasonKind.SIMILAR if r.source_id else ReasonKind.POPULAR,
                product if r.source_id else None,
                r.category,
            )
            for r in ordered
        ),
        limit,
        exclude={source},
    )


def bought_together(products: Iterable, limit: int) -> list[Suggestion]:
    """Products often bought with any of ``products`` (not those themselves)."""
    by_id = {p.parent_id or p.pk: p for p in products}
    if not by_id:
        return []
    rows = _links(
        Q(kind=ProductLinkKind.BOUGHT_TOGETHER, source_id__in=list(by_id), rank__lt=limit)
    )
    ordered = sorted(rows, key=lambda r: (r.rank, -r.score))
    return _distinct(
        (
            Suggestion(r.product, ReasonKind.BOUGHT_TOGETHER, by_id.get(r.source_id))
            for r in ordered
        ),
        limit,
        exclude=set(by_id),
    )


def recently_viewed(visitor: Visitor, limit: int, exclude: Iterable[int] = ()) -> list[Suggestion]:
    """The visitor's last viewed products, newest first (variants shown as their parent)."""
    rows = (
        visitor.events()
        .filter(kind=EventKind.VIEW, product__isnull=False, product__is_public=True)
        .select_related("product", "product__parent")
        .order_by("-created_at")[: limit * 5]
    )
    products = (row.product.parent if row.product.parent_id else row.product for row in rows)
    return _distinct((Suggestion(p) for p in products), limit, exclude=set(exclude))


def _from_history(visitor: Visitor, limit: int, exclude: set[int]) -> list[Suggestion]:
    """Similar to what the visitor touched lately, then popular: one query."""
    recent = visitor.events().filter(
        kind__in=HISTORY_EVENTS,
        created_at__gte=timezone.now() - timedelta(days=HISTORY_DAYS),
    )
    touched = recent.filter(
        Q(product_id=OuterRef("source_id")) | Q(product__parent_id=OuterRef("source_id"))
    )
    condition = Q(kind=ProductLinkKind.POPULAR, rank__lt=limit + POPULAR_SLACK)
    if visitor.user_id or visitor.session_hash:
        condition |= Q(kind=ProductLinkKind.SIMILAR, rank__lt=limit) & Q(Exists(touched))
    rows = _links(condition).select_related("source")
    rows = _not_bought_since(rows, visitor)
    votes: dict[int, tuple[float, Suggestion]] = {}
    for row in rows:
        weight = 1.0 / (row.rank + 1) + (1.0 if row.kind == ProductLinkKind.SIMILAR else 0.0)
        reason = ReasonKind.SIMILAR if row.source_id else ReasonKind.POPULAR
        suggestion = Suggestion(row.product, reason, row.source, row.category)
        total = votes.get(row.product_id, (0.0, suggestion))[0] + weight
        votes[row.product_id] = (total, suggestion)
    ranked = sorted(votes.values(), key=lambda pair: -pair[0])
    return _distinct((s for _, s in ranked), limit, exclude=exclude)


def _links(condition: Q) -> QuerySet:
    return (
        ProductRecommendation.objects.filter(condition)
        .filter(get_rules().recommendable_filter("product__"))
        .select_related("product")
    )


def _not_bought_since(rows: QuerySet, visitor: Visitor) -> QuerySet:
    """Drop products the customer bought after the lists were computed."""
    if not (visitor.user_id and crm_settings.RECOMMENDATIONS["EXCLUDE_PURCHASED"]):
        return rows
    bought = Event.objects.filter(user_id=visitor.user_id, kind=EventKind.PURCHASE).filter(
        Q(product_id=OuterRef("product_id")) | Q(product__parent_id=OuterRef("product_id"))
    )
    return rows.filter(~Exists(bought))


def _distinct(suggestions: Iterable[Suggestion], limit: int, exclude: set[int]) -> list[Suggestion]:
    seen = set(exclude)
    result = []
    for suggestion in suggestions:
        if suggestion.product.pk in seen:
            continue
        seen.add(suggestion.product.pk)
        result.append(suggestion)
        if len(result) >= limit:
            break
    return result


__all__ = [
    "Suggestion",
    "Visitor",
    "bought_together",
    "recently_viewed",
    "recommended_for",
    "similar_to",
]
