"""Catalogue text per product: title, categories, attributes and description, as plain text."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.utils.html import strip_tags
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductAttributeValue = get_model("catalogue", "ProductAttributeValue")

#: Characters of description kept per product (embeddings see ~256 tokens anyway).
MAX_DESCRIPTION_CHARS = 1000


def product_categories(product_ids: Iterable[int]) -> dict[int, list[str]]:
    """Category names per product (a child product uses its parent's categories)."""
    names: dict[int, list[str]] = defaultdict(list)
    rows = ProductCategory.objects.filter(product_id__in=list(product_ids)).values_list(
        "product_id", "category__name"
    )
    for product_id, name in rows.iterator(chunk_size=5000):
        names[product_id].append(name)
    return names


def product_attributes(product_ids: Iterable[int]) -> dict[int, list[str]]:
    """``"name: value"`` strings per product."""
    texts: dict[int, list[str]] = defaultdict(list)
    values = ProductAttributeValue.objects.filter(product_id__in=list(product_ids)).select_related(
        "attribute"
    )
    for value in values.iterator(chunk_size=2000):
        shown = value.value_as_text
        if shown:
            texts[value.product_id].append(f"{value.attribute.name}: {shown}")
    return texts


def product_texts(product_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """``{pk: {"text": ..., "category": ...}}`` for the given products.

    ``text`` is "title. categories. attributes. description" with HTML removed;
    ``category`` is the first category's name ("" when none).
    """
    ids = list(product_ids)
    categories = product_categories(ids)
    attributes = product_attributes(ids)
    rows = Product.objects.filter(pk__in=ids).values_list("pk", "title", "description")
    result: dict[int, dict[str, str]] = {}
    for pk, title, description in rows.iterator(chunk_size=2000):
        plain = " ".join(strip_tags(description or "").split())[:MAX_DESCRIPTION_CHARS]
        parts = [title or "", ", ".join(categories[pk]), "; ".join(attributes[pk]), plain]
        result[pk] = {
            "text": ". ".join(part for part in parts if part),
            "category": categories[pk][0] if categories[pk] else "",
        }
    return result
