"""What a description may say about a product: its facts, read from Oscar, and their hash.

The facts dict is the single input of prompts, of the offline backend and of the
grounding check, so everything a draft claims can be traced to it. It is JSON-ready
(strings, numbers, lists, dicts), as :class:`~oscar_ai_crm.llm.types.GenerationRequest`
requires.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.utils.html import strip_tags
from oscar.core.loading import get_class, get_model

Product = get_model("catalogue", "Product")
ProductReview = get_model("reviews", "ProductReview")
Selector = get_class("partner.strategy", "Selector")

#: Characters of the current description passed on (a prompt needs a gist, not a book).
MAX_DESCRIPTION_CHARS = 2000

#: Facts left out of the input hash. The current description is often the previous
#: draft's own text once published (hashing it would regenerate every published product
#: on the next run), and the reviews summary changes with every review.
UNHASHED_FACTS = ("description", "reviews")


def product_facts(product: Any) -> dict[str, Any]:
    """The facts of an Oscar product (a child product adds its parent's class, categories
    and attributes, as Oscar's own pages do).

    Keys: ``title``, ``product_class``, ``categories`` (full paths, e.g.
    "Clothing > Shirts"), ``attributes`` ({name: value as text}), ``price`` (a decimal
    string, or None when the product has no price), ``currency``, ``description`` (the
    current description as plain text) and ``reviews`` ({"count", "average"}).
    """
    price, currency = product_price(product)
    product_class = product.get_product_class()
    return {
        "title": product.get_title(),
        "product_class": product_class.name if product_class else "",
        "categories": sorted(category.full_name for category in product.get_categories()),
        "attributes": product_attributes(product),
        "price": price,
        "currency": currency,
        "description": plain_text(product.description or "")[:MAX_DESCRIPTION_CHARS],
        "reviews": review_summary(product),
    }


def product_attributes(product: Any) -> dict[str, str]:
    """``{attribute name: value as text}``, in attribute name order; empty values left out."""
    rows = product.get_attribute_values()  # a list when Oscar's prefetch helpers ran
    if hasattr(rows, "select_related"):
        rows = rows.select_related("attribute")
    values = {}
    for value in rows:
        shown = value.value_as_text
        if shown not in (None, ""):
            values[value.attribute.name] = str(shown)
    return dict(sorted(values.items()))


def product_price(product: Any) -> tuple[str | None, str]:
    """The price the default strategy shows (incl. tax when known) and its currency."""
    strategy = Selector().strategy()
    if product.is_parent:
        price = strategy.fetch_for_parent(product).price
    else:
        price = strategy.fetch_for_product(product).price
    if not price.exists:
        return None, ""
    amount = price.incl_tax if price.is_tax_known else price.excl_tax
    return str(Decimal(amount).quantize(Decimal("0.01"))), price.currency or ""


def review_summary(product: Any) -> dict[str, Any]:
    """Approved reviews: how many and their average score (None without reviews)."""
    count = ProductReview.objects.filter(product=product, status=ProductReview.APPROVED).count()
    average = round(product.rating, 2) if count and product.rating is not None else None
    return {"count": count, "average": average}


def plain_text(html: str) -> str:
    """HTML reduced to its words, whitespace collapsed."""
    return " ".join(strip_tags(html).split())


def input_hash(facts: dict[str, Any], options: dict[str, Any], prompt_version: int) -> str:
    """A SHA-256 of what determines a draft: the hashed facts, the options, the prompt.

    Two generations with the same hash would be asked the same thing, so the second is
    skipped. Keys are sorted, so the order facts were read in does not matter.
    """
    hashed = {key: value for key, value in facts.items() if key not in UNHASHED_FACTS}
    payload = {"facts": hashed, "options": options, "prompt_version": prompt_version}
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()
