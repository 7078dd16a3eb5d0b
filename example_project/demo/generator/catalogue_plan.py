"""Plan the demo catalogue as plain values: titles, descriptions, prices, stock, attributes.

Pure and deterministic for a given random generator; :mod:`.catalogue` writes the plan
to Oscar's models.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.text import slugify

from .catalogue_spec import DEPARTMENTS, AttributeSpec, DepartmentSpec, LeafSpec
from .vocabulary import CLOSERS, OPENERS

MIN_PRODUCTS = sum(len(dept.leaves) for dept in DEPARTMENTS)  # one per leaf category
OUT_OF_STOCK_SHARE = 0.03
HIDDEN_SHARE = 0.02


@dataclass(frozen=True)
class ProductPlan:
    """One product to create, and what the behaviour simulation needs to know about it."""

    index: int
    department: str  # DepartmentSpec.key
    leaf: str  # child category name
    title: str
    slug: str
    upc: str
    description: str
    price: Decimal
    num_in_stock: int
    is_public: bool
    attributes: dict[str, Any]
    item: str  # the item noun, e.g. "Shirt"
    keyword: str  # a distinctive title word used in searches
    popularity: float  # relative chance of being picked within its category
    quality: float  # shifts review scores

    @property
    def purchasable(self) -> bool:
        return self.is_public and self.num_in_stock > 0


def plan_catalogue(count: int, rng: random.Random) -> list[ProductPlan]:
    """``count`` products spread over every leaf category in proportion to its weight."""
    leaves = [(dept, leaf) for dept in DEPARTMENTS for leaf in dept.leaves]
    sizes = _split(count, [leaf.weight for _, leaf in leaves])
    plans: list[ProductPlan] = []
    titles: set[str] = set()
    for (dept, leaf), size in zip(leaves, sizes, strict=True):
        for _ in range(size):
            plans.append(_plan_product(len(plans), dept, leaf, titles, rng))
    return plans


def _split(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of ``total`` in proportion to ``weights``."""
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    sizes = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (sizes[i] - exact[i], i))
    for i in order[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes


def _plan_product(
    index: int, dept: DepartmentSpec, leaf: LeafSpec, titles: set[str], rng: random.Random
) -> ProductPlan:
    item = rng.choice(leaf.items)
    title, words = _unique_title(dept, item, titles, rng)
    attributes = {spec.code: _attribute_value(spec, words, rng) for spec in dept.attributes}
    stock = 0 if rng.random() < OUT_OF_STOCK_SHARE else rng.randint(60, 600)
    return ProductPlan(
        index=index,
        department=dept.key,
        leaf=leaf.name,
        title=title,
        slug=slugify(title)[:120] or f"product-{index}",
        upc=_ean13(index),
        description=_description(dept, item, title, attributes, rng),
        price=_price(leaf.price, rng),
        num_in_stock=stock,
        is_public=rng.random() >= HIDDEN_SHARE,
        attributes=attributes,
        item=item,
        keyword=_keyword(title, item),
        popularity=rng.lognormvariate(0.0, 0.9),
        quality=rng.gauss(0.0, 0.6),
    )


def _unique_title(
    dept: DepartmentSpec, item: str, titles: set[str], rng: random.Random
) -> tuple[str, dict[str, str]]:
    for attempt in range(12):
        words = {key: rng.choice(pool) for key, pool in dept.words.items()}
        title = rng.choice(dept.patterns).format(item=item, **words)
        if attempt >= 8:
            title = f"{title} ({rng.choice(('Edition', 'Series', 'Mk'))} {attempt - 6})"
        if title not in titles:
            titles.add(title)
            return title, words
    titles.add(title)
    return title, words


def _attribute_value(spec: AttributeSpec, words: dict[str, str], rng: random.Random) -> Any:
    if spec.code in words:  # keep "Linen Shirt" made of linen
        return words[spec.code]
    if spec.type == "integer":
        return rng.randint(int(spec.bounds[0]), int(spec.bounds[1]))
    if spec.type == "float":
        return round(rng.uniform(*spec.bounds), 1)
    return rng.choice(spec.values)


def _price(bounds: tuple[float, float], rng: random.Random) -> Decimal:
    """Log-uniform within ``bounds``, ending in .99/.49/.00 like shop prices."""
    low, high = bounds
    raw = low * (high / low) ** rng.random()
    if raw < 20:
        pounds, pence = int(raw), rng.choice(("0.99", "0.49"))
        return Decimal(pounds) + Decimal(pence) - 1 if pounds >= 1 else Decimal(pence)
    return Decimal(int(raw)) + Decimal(rng.choice(("0.99", "0.00", "0.00")))


def _description(
    dept: DepartmentSpec, item: str, title: str, attributes: dict[str, Any], rng: random.Random
) -> str:
    adjective = rng.choice(dept.words.get("adj", ("lovely",))).lower()
    opener = rng.choice(OPENERS).format(item=item.lower(), adj=adjective, title=title)
    feature = rng.choice(dept.features) if dept.features else ""
    closer = rng.choice(CLOSERS)
    if rng.random() < 0.3:  # some merchants write plain text
        return " ".join(part for part in (opener, feature, closer) if part)
    specs = "".join(f"<li>{spec.name}: {attributes[spec.code]}</li>" for spec in dept.attributes)
    return f"<p>{opener} {feature}</p><ul>{specs}</ul><p>{closer}</p>"


def _keyword(title: str, item: str) -> str:
    words = [w for w in re.findall(r"[A-Za-z]+", title) if w not in item.split()]
    words = [w for w in words if len(w) > 3 and w not in ("The", "Edition", "Series")]
    return words[0].lower() if words else item.lower()


def _ean13(index: int) -> str:
    """A valid-looking EAN-13 (prefix 50, the UK range) unique per product index."""
    body = f"50{index + 1:010d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)
