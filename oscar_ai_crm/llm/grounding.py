"""Grounding check: numbers, units and attribute values a description states vs the facts.

:func:`unsupported_claims` reads the plain text of a generated description, extracts
numeric claims ("500 ml", "2.5kg", "3-year", "40%", "£19.99", "500毫升", "3年", ranges and
"30 x 40 cm" dimensions), normalises them (decimal comma, thousands separators, unit
aliases and conversions: 0.5 l = 500 ml, 2 years = 24 months) and looks for the same
quantity in the product's facts, extracted the same way. Numbers written as words ("two
pockets") are not claims; a number in the title is never flagged. Colour and material
words are checked conservatively (see :func:`_attribute_claims`). Plain Python, no Django.
See docs/llm-safety.md.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .sanitize import plain_text

#: canonical unit -> (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, float]] = {
    "ml": ("volume", 1), "cl": ("volume", 10), "l": ("volume", 1000), "fl oz": ("volume", 29.5735),
    "mg": ("mass", 0.001), "g": ("mass", 1), "kg": ("mass", 1000), "jin": ("mass", 500),
    "lb": ("mass", 453.592), "oz": ("mass", 28.3495),
    "mm": ("length", 1), "cm": ("length", 10), "m": ("length", 1000), "km": ("length", 1e6),
    "inch": ("length", 25.4), "ft": ("length", 304.8),
    "year": ("months", 12), "month": ("months", 1), "week": ("days", 7), "day": ("days", 1),
    "hour": ("minutes", 60), "minute": ("minutes", 1),
    "%": ("percent", 1), "w": ("power", 1), "kw": ("power", 1000), "mah": ("charge", 1),
    "v": ("voltage", 1), "mb": ("storage", 0.001), "gb": ("storage", 1), "tb": ("storage", 1000),
    "°c": ("temperature", 1), "piece": ("count", 1), "zhe": ("discount", 1),
}  # fmt: skip

#: canonical unit -> the ways it is written (matched case-insensitively, longest first).
UNIT_ALIASES: dict[str, tuple[str, ...]] = {
    "ml": ("ml", "mls", "millilitre", "millilitres", "milliliter", "milliliters", "毫升"),
    "cl": ("cl", "centilitre", "centilitres", "centiliter", "centiliters"),
    "l": ("l", "ltr", "litre", "litres", "liter", "liters", "升", "公升"),
    "fl oz": ("fl oz", "fl. oz", "fl.oz", "fluid ounce", "fluid ounces"),
    "mg": ("mg", "milligram", "milligrams", "毫克"),
    "g": ("g", "gram", "grams", "gramme", "grammes", "克"),
    "kg": ("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "千克", "公斤"),
    "jin": ("斤",),
    "lb": ("lb", "lbs"),
    "oz": ("oz", "ounce", "ounces"),
    "mm": ("mm", "millimetre", "millimetres", "millimeter", "millimeters", "毫米"),
    "cm": ("cm", "centimetre", "centimetres", "centimeter", "centimeters", "厘米", "公分"),
    "m": ("m", "metre", "metres", "meter", "meters", "米"),
    "km": ("km", "kilometre", "kilometres", "kilometer", "kilometers", "公里"),
    "inch": ("inch", "inches", "英寸"),
    "ft": ("ft", "foot", "feet"),
    "year": ("year", "years", "yr", "yrs", "年"),
    "month": ("month", "months", "个月"),
    "week": ("week", "weeks", "周", "星期"),
    "day": ("day", "days", "天"),
    "hour": ("hour", "hours", "hr", "hrs", "h", "小时"),
    "minute": ("minute", "minutes", "min", "mins", "分钟"),
    "%": ("%", "percent", "per cent"),
    "w": ("w", "watt", "watts", "瓦"),
    "kw": ("kw", "kilowatt", "kilowatts", "千瓦"),
    "mah": ("mah", "毫安时"),
    "v": ("v", "volt", "volts", "伏"),
    "mb": ("mb",), "gb": ("gb",), "tb": ("tb",),
    "°c": ("°c", "° c", "degrees c", "摄氏度"),
    "piece": ("piece", "pieces", "pcs", "pc", "件", "片", "只"),
    "zhe": ("折",),  # 8折: a Chinese discount (pay 80%)
}  # fmt: skip
_ALIAS_TO_UNIT = {a: unit for unit, aliases in UNIT_ALIASES.items() for a in aliases}

#: how a currency is written -> the ISO codes it may stand for.
CURRENCIES: dict[str, frozenset[str]] = {
    "£": frozenset({"GBP"}), "€": frozenset({"EUR"}), "¥": frozenset({"CNY", "JPY"}),
    "$": frozenset({"USD", "CAD", "AUD", "NZD", "HKD", "SGD"}), "us$": frozenset({"USD"}),
    "元": frozenset({"CNY"}), "块": frozenset({"CNY"}), "rmb": frozenset({"CNY"}),
    **{code.lower(): frozenset({code}) for code in ("GBP", "EUR", "USD", "CNY", "JPY")},
}  # fmt: skip


def _alternation(words: Any) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUM = r"[0-9]+(?:[.,][0-9]+)*"
_SEP = r"\s*(?:-|–|—|~|to|x|×|\*|至|到)\s*"
_CLAIM = re.compile(
    r"(?<![A-Za-z0-9_./:#])(?<![A-Za-z]-)"
    rf"(?:(?P<cur>{_alternation(CURRENCIES)})\s?)?"
    rf"(?P<nums>{_NUM}(?:{_SEP}{_NUM})*)"
    rf"(?:\s?-?\s?(?P<unit>{_alternation(_ALIAS_TO_UNIT)})(?![A-Za-z])"
    rf"|\s?(?P<post>{_alternation(CURRENCIES)})(?![A-Za-z]))?"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_SPLIT_NUMS = re.compile(_SEP, re.IGNORECASE)
_LIST_MARKER = re.compile(r"^\s*[0-9]{1,2}[.)]\s+", re.MULTILINE)
_RATING_SCALE = re.compile(r"(?:/|\bout of)\s*(?:5|10)\b(?!\.[0-9])", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    """One number stated in a text, with its unit or currency when it has one."""

    text: str
    value: float
    unit: str | None = None
    currencies: frozenset[str] | None = None

    @property
    def dimension(self) -> str | None:
        return UNITS[self.unit][0] if self.unit else None

    @property
    def base(self) -> float:
        return self.value * UNITS[self.unit][1] if self.unit else self.value


def parse_number(text: str) -> list[float]:
    """The numbers a matched number token stands for.

    ``"1,299.50"`` -> [1299.5]; ``"2,5"`` -> [2.5]; ``"1.299,5"`` -> [1299.5];
    ``"1,500"`` -> [1500.0]; ``"8,10,12"`` (a list) -> [8.0, 10.0, 12.0].
    """
    if "," in text and "." in text:
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        return [float(text.replace(thousands, "").replace(decimal, "."))]
    for mark in (",", "."):
        groups = text.split(mark)
        if len(groups) == 2:
            if mark == "," and len(groups[1]) == 3:
                return [float("".join(groups))]  # 1,500: thousands
            return [float(".".join(groups))]  # 2,5 / 2.5: decimal
        if len(groups) > 2:
            if all(len(g) == 3 for g in groups[1:]):
                return [float("".join(groups))]  # 1,000,000 / 1.000.000
            return [float(g) for g in groups]  # a list: 8,10,12
    return [float(text)]


def extract_quantities(text: str) -> list[Quantity]:
    """Every number stated in a plain text, with its unit or currency (see the module doc)."""
    text = unicodedata.normalize("NFKC", text)
    text = _RATING_SCALE.sub(" ", _LIST_MARKER.sub("", text))
    quantities: list[Quantity] = []
    for match in _CLAIM.finditer(text):
        symbol = (match["cur"] or match["post"] or "").lower()
        unit = _ALIAS_TO_UNIT[match["unit"].lower()] if match["unit"] else None
        parts = _SPLIT_NUMS.split(match["nums"])
        values = [v for part in parts for v in parse_number(part)]
        if unit == "year" and len(values) == 1 and 1900 <= values[0] <= 2100:
            unit = None  # "2024年" is a calendar year, not a duration
        whole = " ".join(match.group(0).split())
        for value in values:
            label = whole if len(values) == 1 else f"{value:g} {match['unit'] or ''}".strip()
            quantities.append(Quantity(label, value, unit, CURRENCIES.get(symbol)))
    return quantities


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        yield str(value)


@dataclass
class _Support:
    """What the facts state: quantities, and the bare numbers of the title and attributes."""

    quantities: list[Quantity]
    title_numbers: set[float]
    attribute_numbers: set[float]
    currency: str | None

    @classmethod
    def from_facts(cls, facts: Mapping[str, Any]) -> _Support:
        quantities = [q for s in _strings(facts) for q in extract_quantities(s)]
        attributes = facts.get("attributes") or {}
        unitless = [q for s in _strings(attributes) for q in extract_quantities(s) if not q.unit]
        # "Air Max 90": a bare number in the title supports any claim; "470ml" in the title
        # is a quantity like any other (so "470 g" is still a wrong unit).
        title = extract_quantities(str(facts.get("title") or ""))
        title_numbers = {q.value for q in title if not q.unit and not q.currencies}
        currency = str(facts.get("currency") or "").upper() or None
        return cls(quantities, title_numbers, {q.value for q in unitless}, currency)


def _same(a: float, b: float, rel_tol: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-9)


def _check(claim: Quantity, support: _Support) -> dict[str, str] | None:
    """A flag for ``claim``, or None when the facts support it."""
    if any(_same(claim.value, n) for n in support.title_numbers):
        return None
    stated = [q for q in support.quantities if _same(q.value, claim.value)]
    if claim.currencies:
        amounts = [q for q in stated if not q.unit]  # "£5" is not supported by "5 years"
        if amounts and support.currency and support.currency not in claim.currencies:
            reason = f"the product's price is in {support.currency}"
            return {"claim": claim.text, "kind": "unit", "reason": reason}
        return None if amounts else _unsupported(claim)
    if claim.unit is None:
        return None if stated else _unsupported(claim)
    for fact in support.quantities:
        if fact.dimension == claim.dimension and _same(fact.base, claim.base, rel_tol=5e-3):
            return None
    if any(_same(claim.value, n) for n in support.attribute_numbers):
        return None  # an attribute "Capacity (ml)": "500" supports "500 ml"
    with_unit = [q for q in stated if q.unit or q.currencies]
    if with_unit:
        reason = f"the product data has {with_unit[0].text}, not {claim.text}"
        return {"claim": claim.text, "kind": "unit", "reason": reason}
    return _unsupported(claim)


def _unsupported(claim: Quantity) -> dict[str, str]:
    return {"claim": claim.text, "kind": "number", "reason": "not found in the product data"}


def unsupported_claims(text: str, facts: Mapping[str, Any]) -> list[dict[str, str]]:
    """Each claim in ``text`` (HTML or plain) that ``facts`` do not support; empty = grounded.

    Each flag is ``{"claim": ..., "kind": "number" | "unit" | "attribute", "reason": ...}``,
    once per distinct claim, in the order they appear.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    if not isinstance(facts, Mapping):
        raise TypeError(f"facts must be a dict, not {type(facts).__name__}")
    plain = unicodedata.normalize("NFKC", plain_text(text))
    support = _Support.from_facts(facts)
    checked = (_check(claim, support) for claim in extract_quantities(plain))
    flags = [flag for flag in checked if flag] + _attribute_claims(plain, facts)
    unique: dict[tuple[str, str], dict[str, str]] = {}
    for flag in flags:
        unique.setdefault((flag["claim"].casefold(), flag["kind"]), flag)
    return list(unique.values())


#: attribute kind -> the names such an attribute has in a product class (case-insensitive).
ATTRIBUTE_NAMES: dict[str, tuple[str, ...]] = {
    "colour": ("colour", "color", "颜色", "色彩"),
    "material": ("material", "materials", "fabric", "材质", "面料", "材料"),
}

#: attribute kind -> family -> words naming it. Ambiguous words (rose, cream, iron) left out.
VOCABULARY: dict[str, dict[str, tuple[str, ...]]] = {
    "colour": {
        "red": ("red", "crimson", "scarlet", "burgundy", "maroon", "红色", "酒红色"),
        "blue": ("blue", "navy", "cobalt", "azure", "蓝色", "藏青色", "海军蓝"),
        "green": ("green", "olive", "emerald", "绿色", "墨绿色"),
        "yellow": ("yellow", "mustard", "黄色"),
        "orange": ("orange", "橙色"),
        "pink": ("pink", "粉色", "粉红色"),
        "purple": ("purple", "violet", "lilac", "紫色"),
        "black": ("black", "黑色"),
        "white": ("white", "ivory", "白色"),
        "grey": ("grey", "gray", "charcoal", "灰色"),
        "brown": ("brown", "tan", "棕色", "咖啡色"),
        "beige": ("beige", "米色"),
    },
    "material": {
        "cotton": ("cotton", "纯棉", "棉质"),
        "linen": ("linen", "flax", "亚麻"),
        "wool": ("wool", "woollen", "merino", "羊毛"),
        "cashmere": ("cashmere", "羊绒"),
        "silk": ("silk", "真丝", "丝绸"),
        "leather": ("leather", "皮革", "真皮"),
        "polyester": ("polyester", "涤纶", "聚酯纤维"),
        "nylon": ("nylon", "尼龙"),
        "steel": ("stainless steel", "steel", "不锈钢"),
        "aluminium": ("aluminium", "aluminum", "铝合金"),
        "glass": ("glass", "玻璃"),
        "plastic": ("plastic", "塑料"),
        "bamboo": ("bamboo", "竹制"),
        "ceramic": ("ceramic", "porcelain", "stoneware", "陶瓷"),
        "wood": ("wood", "wooden", "oak", "walnut", "beech", "实木", "木质"),
    },
}

#: attribute kind -> wording that makes a sentence a statement about that attribute.
TRIGGERS: dict[str, re.Pattern[str]] = {
    "colour": re.compile(
        r"\b(?:colou?rs?|shades?|finish|hue|comes? in|available in)\b|颜色|色彩|配色", re.I
    ),
    "material": re.compile(
        r"\b(?:made (?:of|from|with|in)|crafted (?:from|of|in)|materials?|fabric|woven from"
        r"|constructed (?:from|of))\b|[0-9] ?%|材质|面料|制成|采用",
        re.I,
    ),
}
_SENTENCE_END = re.compile(r"(?<=[.!?。！？;；])\s*|\n")


def _word_regex(words: Any) -> re.Pattern[str]:
    # Latin words whole, CJK words as substrings (no spaces to anchor on).
    parts = [rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w) for w in words]
    return re.compile("|".join(sorted(parts, key=len, reverse=True)), re.IGNORECASE)


_FAMILY_OF = {
    kind: {w.casefold(): fam for fam, words in families.items() for w in words}
    for kind, families in VOCABULARY.items()
}
_WORDS = {kind: _word_regex(words) for kind, words in _FAMILY_OF.items()}


def _families(kind: str, text: str) -> set[str]:
    return {_FAMILY_OF[kind][w.casefold()] for w in _WORDS[kind].findall(text)}


def _attribute_claims(text: str, facts: Mapping[str, Any]) -> list[dict[str, str]]:
    """Colour and material words that contradict the product's own colour / material.

    Conservative by design: only for an attribute whose *name* is a colour or material
    name and whose value holds a known word (so the product's colour is known); only in
    sentences that talk about that attribute ("comes in", "made of", "colour"...); and a
    word is fine when its family (navy -> blue) appears anywhere in the facts.
    """
    attributes = facts.get("attributes") or {}
    if not isinstance(attributes, Mapping):
        return []
    everything = " ".join(_strings(facts))
    flags = []
    for name, value in attributes.items():
        kind = next((k for k, names in ATTRIBUTE_NAMES.items() if _names(str(name), names)), None)
        if kind is None or not _families(kind, " ".join(_strings(value))):
            continue
        known = _families(kind, everything)
        for sentence in _SENTENCE_END.split(text):
            if not TRIGGERS[kind].search(sentence):
                continue
            for word in _WORDS[kind].findall(sentence):
                if _FAMILY_OF[kind][word.casefold()] not in known:
                    reason = f"the product's {name} is {' '.join(_strings(value))!r}"
                    flags.append({"claim": word, "kind": "attribute", "reason": reason})
    return flags


def _names(name: str, names: tuple[str, ...]) -> bool:
    folded = name.casefold()
    return any(re.search(rf"\b{n}\b" if n.isascii() else n, folded) for n in names)
