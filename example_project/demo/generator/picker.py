"""Which product a shopper looks at next: category affinity, popularity and price taste."""

from __future__ import annotations

import bisect
import itertools
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from .catalogue_plan import ProductPlan
from .catalogue_spec import DEPARTMENTS
from .personas import Persona


@dataclass(frozen=True)
class Taste:
    """One shopper's preferences: favourite leaf categories and how price steers them."""

    favourites: tuple[str, ...]
    loyalty: float
    price_taste: float
    key: str  # identifies the price taste in the weight cache


class ProductPicker:
    """Weighted random product choice over the public catalogue."""

    def __init__(self, plans: Sequence[ProductPlan]) -> None:
        self.plans = list(plans)
        self.by_leaf: dict[str, list[ProductPlan]] = {}
        for plan in self.plans:
            if plan.is_public:
                self.by_leaf.setdefault(plan.leaf, []).append(plan)
        self.leaves = list(self.by_leaf)
        if not self.leaves:
            raise ValueError("The catalogue has no public product to browse.")
        self._median = {
            leaf: float(statistics.median(p.price for p in items))
            for leaf, items in self.by_leaf.items()
        }
        self._weights: dict[tuple[str, str], list[float]] = {}

    def taste_for(self, persona: Persona, rng: random.Random) -> Taste:
        """A customer's favourite categories, mostly from the persona's departments."""
        own = [
            leaf.name
            for dept in DEPARTMENTS
            if dept.key in persona.favourite_departments
            for leaf in dept.leaves
            if leaf.name in self.by_leaf
        ] or self.leaves
        first = rng.choice(own)
        rest = [leaf for leaf in own if leaf != first] or self.leaves
        second = rng.choice(rest if rng.random() < 0.7 else self.leaves)
        return Taste((first, second), persona.loyalty, persona.price_taste, persona.name)

    def casual_taste(self, rng: random.Random) -> Taste:
        """An anonymous visitor: one loose interest, no price preference."""
        return Taste((rng.choice(self.leaves),), 0.4, 0.0, "casual")

    def pick_leaf(self, taste: Taste, rng: random.Random) -> str:
        if rng.random() < taste.loyalty:
            if len(taste.favourites) == 1 or rng.random() < 0.65:
                return taste.favourites[0]
            return taste.favourites[1]
        return rng.choice(self.leaves)

    def pick(
        self, taste: Taste, rng: random.Random, leaf: str | None = None, purchasable: bool = False
    ) -> ProductPlan | None:
        """A product from ``leaf`` (or a leaf the taste picks); in stock if asked."""
        for _ in range(6):
            chosen_leaf = leaf or self.pick_leaf(taste, rng)
            cumulative = self._cumulative(chosen_leaf, taste)
            position = rng.random() * cumulative[-1]
            plan = self.by_leaf[chosen_leaf][bisect.bisect_left(cumulative, position)]
            if plan.purchasable or not purchasable:
                return plan
        return None

    def _cumulative(self, leaf: str, taste: Taste) -> list[float]:
        key = (leaf, taste.key)
        if key not in self._weights:
            median = self._median[leaf]
            weights = [
                p.popularity * (float(p.price) / median) ** taste.price_taste
                for p in self.by_leaf[leaf]
            ]
            self._weights[key] = list(itertools.accumulate(weights))
        return self._weights[key]
