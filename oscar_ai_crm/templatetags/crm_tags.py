"""Storefront recommendation tags: ``{% load crm_tags %}``.

Each tag returns a lazy :class:`~oscar_ai_crm.recommendations.blocks.RecommendationBlock`:
``{% similar_products product %}`` prints a titled grid of Oscar product cards (cached),
``{% similar_products product as recs %}`` gives a list of suggestions to loop over.
See docs/templatetags.md.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template import Context
from django.utils.translation import gettext as _

from ..conf import crm_settings
from ..recommendations.blocks import (
    DEFAULT_LIMIT,
    BlockOptions,
    RecommendationBlock,
    products_of,
    visitor_for_request,
)
from ..recommendations.serving import (
    bought_together as bought_together_lookup,
)
from ..recommendations.serving import (
    recently_viewed as recently_viewed_lookup,
)
from ..recommendations.serving import (
    recommended_for,
    similar_to,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def recommended_for_you(
    context: Context,
    limit: Any = DEFAULT_LIMIT,
    title: str | None = None,
    template: str | None = None,
) -> RecommendationBlock:
    """The customer's (or anonymous session's) stored list, popular products as fallback."""
    options = BlockOptions.build(
        "recommended_for_you", limit, title or _("Recommended for you"), template
    )
    who = visitor_for_request(context.get("request"))
    return RecommendationBlock(
        context, options, who.subject, lambda n: recommended_for(who.visitor, n)
    )


@register.simple_tag(takes_context=True)
def similar_products(
    context: Context,
    product: Any,
    limit: Any = DEFAULT_LIMIT,
    title: str | None = None,
    template: str | None = None,
) -> RecommendationBlock:
    """Products similar to ``product`` (popular ones when there are too few)."""
    options = BlockOptions.build(
        "similar_products", limit, title or _("Similar products"), template
    )
    if product is None:
        return RecommendationBlock.empty(context, options)
    return RecommendationBlock(
        context, options, f"product:{product.pk}", lambda n: similar_to(product, n)
    )


@register.simple_tag(takes_context=True)
def bought_together(
    context: Context,
    product_or_basket: Any,
    limit: Any = DEFAULT_LIMIT,
    title: str | None = None,
    template: str | None = None,
) -> RecommendationBlock:
    """Products frequently bought with a product, or with the lines of a basket."""
    title = title or _("Frequently bought together")
    options = BlockOptions.build("bought_together", limit, title, template)
    products = products_of(product_or_basket)
    if not products:
        return RecommendationBlock.empty(context, options)
    subject = "products:" + ",".join(str(pk) for pk in sorted({p.pk for p in products}))
    return RecommendationBlock(
        context, options, subject, lambda n: bought_together_lookup(products, n)
    )


@register.simple_tag(takes_context=True)
def recently_viewed(
    context: Context,
    limit: Any = DEFAULT_LIMIT,
    exclude: Any = None,
    title: str | None = None,
    template: str | None = None,
) -> RecommendationBlock:
    """The visitor's last viewed products, newest first; ``exclude`` a product (or several).

    Never cached: the list changes with every product page the visitor opens.
    """
    title = title or _("Recently viewed")
    options = BlockOptions.build("recently_viewed", limit, title, template, cached=False)
    who = visitor_for_request(context.get("request"))
    excluded = {pk for p in products_of(exclude) for pk in (p.pk, p.parent_id) if pk}
    return RecommendationBlock(
        context, options, who.subject, lambda n: recently_viewed_lookup(who.visitor, n, excluded)
    )


@register.inclusion_tag("oscar_ai_crm/tags/support_widget.html", takes_context=True)
def crm_support_widget(context: Context) -> dict[str, Any]:
    """The customer-service chat widget (nothing when ``SUPPORT["ENABLED"]`` is off).

    Not shown on the support page itself, which is the same conversation. See
    docs/support-api.md.
    """
    support = crm_settings.SUPPORT
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    on_support_page = getattr(match, "view_name", "") == "oscar_ai_crm:support"
    return {
        "show": bool(support["ENABLED"]) and not on_support_page,
        "max_length": support["MAX_MESSAGE_LENGTH"],
        "poll_seconds": support["POLL_SECONDS"],
    }
