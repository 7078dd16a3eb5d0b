"""Segment -> persona: size, feature means against the shop, top categories, name, text.

Names come from the RFM rules in :data:`NAMING_RULES` (docs/segments.md shows them as a
table); a ``namer`` callable (the LLM layer) can replace them. Plain numpy, no Django.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..features.customer_table import FEATURES, CustomerTable

logger = logging.getLogger(__name__)

TOP_CATEGORIES = 3


@dataclass
class Persona:
    """What one segment looks like.

    Attributes
    ----------
    label : the segment's label in the clustering.
    size, share : members, and members / all customers.
    means : mean of every :data:`FEATURES` column over the members, in the table's units;
        ``days_between_orders`` is averaged over the members with 2+ orders only.
    relative : segment mean / shop mean per feature (1.0 = like the average customer;
        1.0 too when the whole shop has 0 for that feature).
    top_categories : up to three (category, share) pairs: the members' category shares
        summed and normalised, largest first, zero shares left out.
    name, description : short name, and one or two sentences with figures.
    """

    label: int
    size: int
    share: float
    means: dict[str, float]
    relative: dict[str, float]
    top_categories: list[tuple[str, float]] = field(default_factory=list)
    name: str = ""
    description: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (categories as ``[name, share]`` lists)."""
        data = asdict(self)
        data["top_categories"] = [[name, share] for name, share in self.top_categories]
        return data


@dataclass(frozen=True)
class NamingRule:
    """A persona name chosen when ``applies(persona)`` holds; rules are tried in order."""

    name: str
    condition: str  # the rule in words, for the docs and the admin
    applies: Callable[[Persona], bool]
    summary: str  # first sentence of the description


def _rel(persona: Persona, feature: str) -> float:
    return persona.relative[feature]


#: First matching rule names the segment. "x shop" means x times the shop average.
NAMING_RULES: tuple[NamingRule, ...] = (
    NamingRule(
        "New customers",
        "tenure <= 0.4x shop",
        lambda p: _rel(p, "tenure_days") <= 0.4,
        "Joined recently.",
    ),
    NamingRule(
        "Browsers / window shoppers",
        "< 0.5 orders each, views or basket adds >= 1x shop",
        lambda p: (
            p.means["frequency"] < 0.5 and max(_rel(p, "views"), _rel(p, "basket_adds")) >= 1.0
        ),
        "Look around and fill baskets, but rarely buy.",
    ),
    NamingRule(
        "Hibernating",
        "recency >= 1.5x shop, frequency < 1x shop",
        lambda p: _rel(p, "recency_days") >= 1.5 and _rel(p, "frequency") < 1.0,
        "Bought a little, long ago, and have gone quiet.",
    ),
    NamingRule(
        "At risk",
        "recency >= 1.5x shop (frequency >= 1x shop)",
        lambda p: _rel(p, "recency_days") >= 1.5,
        "Used to buy often, but not for a long time.",
    ),
    NamingRule(
        "Champions",
        "recency <= 1x shop, frequency and monetary >= 1.5x shop",
        lambda p: (
            _rel(p, "recency_days") <= 1.0
            and _rel(p, "frequency") >= 1.5
            and _rel(p, "monetary") >= 1.5
        ),
        "Bought recently, buy often and spend the most.",
    ),
    NamingRule(
        "Bargain hunters",
        "discount share >= 0.3 and >= 1.5x shop",
        lambda p: p.means["discount_share"] >= 0.3 and _rel(p, "discount_share") >= 1.5,
        "Buy mostly with vouchers and discounts.",
    ),
    NamingRule(
        "Big spenders",
        "average order value >= 1.5x shop",
        lambda p: _rel(p, "avg_order_value") >= 1.5,
        "Order less often, but large baskets.",
    ),
    NamingRule(
        "Loyal customers",
        "frequency >= 1.2x shop",
        lambda p: _rel(p, "frequency") >= 1.2,
        "Come back and order regularly.",
    ),
    NamingRule(
        "Inactive",
        "< 0.5 orders each",
        lambda p: p.means["frequency"] < 0.5,
        "Registered, but hardly browse or buy.",
    ),
    NamingRule(
        "Occasional customers",
        "anything else",
        lambda p: True,
        "Order now and then, close to the shop average.",
    ),
)

Namer = Callable[[Persona], tuple[str, str]]


def describe_segments(
    table: CustomerTable, labels: np.ndarray, *, namer: Namer | None = None
) -> list[Persona]:
    """One persona per segment, by ascending label, with unique names.

    Parameters
    ----------
    table : the clustered customers' features.
    labels : int (n,) segment of each table row (e.g. ``Clustering.labels``).
    namer : optional ``persona -> (name, description)``, e.g. the LLM layer. It receives
        the persona already named by the rules; an error or an empty name keeps the
        rule's name and description (logged), so segmentation never fails on naming.
    """
    labels = np.asarray(labels)
    if labels.shape != (len(table),):
        raise ValueError(f"labels has shape {labels.shape}; expected ({len(table)},).")
    personas = _measure(table, labels)
    for persona in personas:
        persona.name, persona.description = name_by_rules(persona)
        if namer is not None:
            _apply_namer(namer, persona)
    _make_names_unique(personas)
    return personas


def name_by_rules(persona: Persona) -> tuple[str, str]:
    """(name, description) from the first :data:`NAMING_RULES` entry that applies."""
    rule = next(rule for rule in NAMING_RULES if rule.applies(persona))
    return rule.name, f"{rule.summary} {_figures(persona)}"


def _measure(table: CustomerTable, labels: np.ndarray) -> list[Persona]:
    segments, index = np.unique(labels, return_inverse=True)
    sizes = np.bincount(index, minlength=len(segments))
    sums = np.column_stack([np.bincount(index, weights=col) for col in table.values.T])
    means = sums / sizes[:, None]
    shop = table.values.mean(axis=0)
    relative = np.divide(means, shop, out=np.ones_like(means), where=shop != 0)
    personas = []
    for row, label in enumerate(segments.tolist()):
        personas.append(
            Persona(
                label=int(label),
                size=int(sizes[row]),
                share=float(sizes[row] / len(table)),
                means=dict(zip(FEATURES, means[row].tolist(), strict=True)),
                relative=dict(zip(FEATURES, relative[row].tolist(), strict=True)),
                top_categories=_top_categories(table, index == row),
            )
        )
    _add_order_gaps(table, index, personas)
    return personas


def _top_categories(table: CustomerTable, members: np.ndarray) -> list[tuple[str, float]]:
    totals = table.category_shares[members].sum(axis=0)
    if not totals.size or totals.sum() <= 0:
        return []
    shares = totals / totals.sum()
    order = np.argsort(-shares, kind="stable")[:TOP_CATEGORIES]
    return [(table.categories[i], round(float(shares[i]), 4)) for i in order if shares[i] > 0]


def _add_order_gaps(table: CustomerTable, index: np.ndarray, personas: list[Persona]) -> None:
    """Mean gap between orders over the members with 2+ orders (others have no gap).

    Stored in ``means["days_between_orders"]`` in place of the plain mean, which would
    average in the values filled for customers without a gap.
    """
    repeat = table.column("frequency") >= 2
    gaps = np.bincount(index[repeat], weights=table.column("days_between_orders")[repeat])
    counts = np.bincount(index[repeat], minlength=len(personas))
    for row, persona in enumerate(personas):
        gap = gaps[row] / counts[row] if row < len(gaps) and counts[row] else 0.0
        persona.means["days_between_orders"] = float(gap)


def _figures(persona: Persona) -> str:
    means, parts = persona.means, []
    if means["days_between_orders"] > 0 and means["frequency"] >= 2:
        parts.append(f"order every {means['days_between_orders']:.0f} days on average")
    else:
        parts.append(f"{means['frequency']:.1f} orders each on average")
    if means["frequency"] > 0:
        parts.append(f"last order {means['recency_days']:.0f} days ago")
        parts.append(f"spend {persona.relative['monetary']:.1f}x the shop average")
    text = f"{persona.size} customers ({persona.share:.0%}); " + ", ".join(parts)
    if persona.top_categories:
        text += f", mostly {persona.top_categories[0][0]}"
    return text + "."


def _apply_namer(namer: Namer, persona: Persona) -> None:
    try:
        name, description = namer(persona)
    except Exception:  # naming is decoration: keep the rules' name
        logger.exception(
            "Persona namer failed for segment %s; keeping %r", persona.label, persona.name
        )
        return
    if str(name).strip():
        persona.name = str(name).strip()
        persona.description = str(description).strip() or persona.description


def _make_names_unique(personas: list[Persona]) -> None:
    """Colliding names get their top category ("Loyal customers · Books"), then a number."""
    counts = Counter(persona.name for persona in personas)
    for persona in personas:
        if counts[persona.name] > 1 and persona.top_categories:
            persona.name = f"{persona.name} · {persona.top_categories[0][0]}"
    used: set[str] = set()
    for persona in personas:
        name, number = persona.name, 1
        while name in used:
            number += 1
            name = f"{persona.name} ({number})"
        persona.name = name
        used.add(name)
