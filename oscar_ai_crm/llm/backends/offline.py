"""Deterministic drafts written from the request's facts, without any language model.

The demo, the tests and a shop without a model still get useful, clearly labelled drafts
(``Generation.is_template``). Sentences are fixed phrases per language ("en", "zh-hans")
and tone, filled only with values from ``request.facts``; the phrases themselves hold no
digits, so every number in the text is one the facts state. The same request always gives
the same text (phrase variants are chosen by a hash of the title, not at random).

``task == "product_description"``: HTML paragraphs (or plain text with ``html=False``),
plus a ``<ul>`` of every attribute at length "long". Any other task (``"segment_email"``,
``"customer_email"``...) is a marketing message in plain text::

    Subject: <one line>
    Banner: <one line>

    <greeting, body paragraphs, product lines "- Title (price)", sign-off>
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from typing import Any

from django.utils.html import strip_tags

from ...exceptions import GenerationError
from ..types import Generation, GenerationRequest
from .offline_phrases import COMMON, DESCRIPTION, MESSAGE

CURRENCY_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "CNY": "¥", "RMB": "¥", "JPY": "¥"}
#: Attributes in the sentence, and products in a message, per length.
ATTRS_IN_SENTENCE = {"short": 2, "medium": 4, "long": 0}
PRODUCTS_IN_MESSAGE = {"short": 2, "medium": 4, "long": 8}
DESCRIPTION_WORDS = 40
DESCRIPTION_CHARS = 300
WORD = re.compile(r"\S+")
SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")


def language_of(code: str) -> str | None:
    """The phrase set for a BCP 47 code ("en-GB" -> "en", "zh-CN" -> "zh-hans"), or None."""
    code = (code or "").lower()
    if code == "en" or code.startswith("en-"):
        return "en"
    if code in ("zh", "zh-cn", "zh-sg") or code.startswith("zh-hans"):
        return "zh-hans"
    return None


class OfflineBackend:
    """Composes drafts from ``request.facts``; ``html=False`` gives plain-text paragraphs."""

    name = "offline"
    external = False
    model = "offline-template"

    def __init__(self, *, html: bool = True) -> None:
        self.html = bool(html)

    def generate(self, request: GenerationRequest) -> Generation:
        """Write the description or message; GenerationError for a language it lacks."""
        language = language_of(request.language)
        if language is None:
            raise GenerationError(
                f"The offline backend writes {', '.join(DESCRIPTION)}, not {request.language!r}."
            )
        writer = _Writer(request, language)
        if request.task == "product_description":
            text = writer.description(self.html)
        else:
            text = writer.message()
        return Generation(text=text, backend=self.name, model=self.model, is_template=True)


class _Writer:
    """Fills one request's phrases in one language."""

    def __init__(self, request: GenerationRequest, language: str) -> None:
        self.facts = request.facts or {}
        self.length = request.length if request.length in ATTRS_IN_SENTENCE else "medium"
        self.common = COMMON[language]
        self.language = language
        self.tone = request.tone if request.tone in DESCRIPTION[language] else "professional"
        self.keywords = [str(k).strip() for k in request.keywords if str(k).strip()]
        self.seed = str(self.facts.get("title") or self.facts.get("segment") or "")

    def pick(self, slot: str, **values: str) -> str:
        variants = DESCRIPTION[self.language][self.tone][slot]
        digest = hashlib.md5(f"{self.seed}|{slot}".encode()).digest()
        return variants[digest[0] % len(variants)].format(**values)

    def join(self, items: Sequence[str]) -> str:
        """ "a, b and c" / "a、b和c"."""
        items = list(items)
        if len(items) < 2:
            return "".join(items)
        return self.common["comma"].join(items[:-1]) + self.common["and"] + items[-1]

    def value(self, value: Any) -> str:
        """An attribute value as text: booleans as yes/no, lists joined."""
        if isinstance(value, bool):
            return self.common["yes" if value else "no"]
        if isinstance(value, list | tuple):
            return self.join([self.value(v) for v in value])
        return str(value).strip()

    def attribute_phrases(self, count: int) -> list[str]:
        """The first ``count`` attributes for a sentence ("colour white", or just "waterproof"
        for a true yes/no attribute; false ones are left to the list)."""
        phrases = []
        for name, value in _attributes(self.facts):
            noun = _noun(name, self.language)
            if value is True:
                phrases.append(noun)
            elif value is not False:
                phrases.append(self.common["attr"].format(name=noun, value=self.value(value)))
        return phrases[:count]

    # -- product descriptions ----------------------------------------------------------

    def description(self, as_html: bool) -> str:
        """One paragraph (short, medium) or two around an attribute list (long)."""
        space = self.common["space"]
        if self.length != "long":
            return _paragraph(self.sentences(), space, as_html)
        listed = [
            self.common["item"].format(name=name, value=self.value(value))
            for name, value in _attributes(self.facts)
        ]
        first = [self.opening(), self.more_categories(), self.existing_description()]
        first += DESCRIPTION[self.language][self.tone]["extra"]
        second = [self.reviews(), self.price(), self.keyword_sentence(), self.pick("close")]
        blocks = [
            _paragraph(first, space, as_html),
            _bullets(listed, as_html) if listed else "",
            _paragraph(second, space, as_html),
        ]
        return ("\n" if as_html else "\n\n").join(b for b in blocks if b)

    def sentences(self) -> list[str]:
        """Short: opening, two attributes, price, keywords; medium adds reviews and more."""
        sentences = [self.opening()]
        phrases = self.attribute_phrases(ATTRS_IN_SENTENCE[self.length])
        if phrases:
            sentences.append(self.pick("attrs", attrs=self.join(phrases)))
        if self.length == "medium":
            sentences.append(self.reviews())
        sentences += [self.price(), self.keyword_sentence()]
        if self.length == "medium":
            sentences += [self.pick("extra"), self.pick("close")]
        return sentences

    def opening(self) -> str:
        title = str(self.facts.get("title") or "").strip() or self.common["product"]
        cls = str(self.facts.get("product_class") or "").strip() or self.common["product"]
        cls = _noun(cls, self.language)
        category = _categories(self.facts)[:1]
        values = {"title": title, "cls": cls, "a_cls": _with_article(cls, self.language)}
        if category:
            return self.pick("open", category=category[0], **values)
        return self.pick("open_bare", **values)

    def more_categories(self) -> str:
        others = _categories(self.facts)[1:]
        return self.common["categories"].format(categories=self.join(others)) if others else ""

    def existing_description(self) -> str:
        text = _excerpt(str(self.facts.get("description") or ""))
        return self.common["description"].format(description=text) if text else ""

    def reviews(self) -> str:
        reviews = self.facts.get("reviews")
        if not isinstance(reviews, dict):
            return ""
        count, average = reviews.get("count"), reviews.get("average")
        if not count or average is None:
            return ""
        noun = self.common["review" if str(count) == "1" else "reviews_plural"]
        return self.common["reviews"].format(count=count, average=average, reviews=noun)

    def price(self) -> str:
        price = self.facts.get("price")
        if price in (None, ""):
            return ""
        return self.pick("price", price=_money(price, self.facts.get("currency")))

    def keyword_sentence(self) -> str:
        return self.pick("keywords", keywords=self.join(self.keywords)) if self.keywords else ""

    # -- marketing messages ------------------------------------------------------------

    def message(self) -> str:
        phrases = MESSAGE[self.language][self.tone]
        interests = _interests(self.facts)
        products = _products(self.facts)[: PRODUCTS_IN_MESSAGE[self.length]]
        topic = (interests or [p[0] for p in products] or [self.common["shop"]])[0]
        name = str(self.facts.get("first_name") or self.facts.get("customer_name") or "")
        greeting = self.common["hello"].format(name=name) if name else self.common["hello_bare"]
        intro = [phrases["intro"].format(interests=self.join(interests[:3]))] if interests else []
        body = intro or [phrases["intro_bare"]]
        if self.keywords:
            body.append(phrases["keywords"].format(keywords=self.join(self.keywords)))
        lines = [f"- {title} ({_money(p, c)})" if p else f"- {title}" for title, p, c in products]
        offer = str(self.facts.get("offer") or self.facts.get("voucher_code") or "")
        parts = [
            f"Subject: {phrases['subject'].format(topic=topic)}",
            f"Banner: {phrases['banner'].format(topic=topic)}",
            "",
            greeting,
            "",
            self.common["space"].join(body),
        ]
        if lines:
            parts += ["", *lines]
        if offer:
            parts += ["", phrases["offer"].format(offer=offer)]
        parts += ["", phrases["close"], "", phrases["signoff"]]
        return "\n".join(parts)


def _paragraph(sentences: list[str], space: str, as_html: bool) -> str:
    text = space.join(s for s in sentences if s)
    if not text:
        return ""
    return f"<p>{html.escape(text, quote=False)}</p>" if as_html else text


def _bullets(items: list[str], as_html: bool) -> str:
    if as_html:
        return "<ul>" + "".join(f"<li>{html.escape(i, quote=False)}</li>" for i in items) + "</ul>"
    return "\n".join(f"- {item}" for item in items)


def _attributes(facts: dict[str, Any]) -> list[tuple[str, Any]]:
    """(name, value) pairs from {name: value} or [{"name", "value"}], empty values dropped."""
    raw = facts.get("attributes") or {}
    pairs = raw.items() if isinstance(raw, dict) else [(a.get("name"), a.get("value")) for a in raw]
    return [(str(n), v) for n, v in pairs if n and v not in (None, "", [], ())]


def _categories(facts: dict[str, Any]) -> list[str]:
    """The leaf name of each category path ("Clothing > Shirts" or ["Clothing", "Shirts"])."""
    leaves = []
    for path in facts.get("categories") or []:
        parts = path if isinstance(path, list | tuple) else str(path).split(">")
        leaf = str(parts[-1]).strip() if parts else ""
        if leaf and leaf not in leaves:
            leaves.append(leaf)
    return leaves


def _interests(facts: dict[str, Any]) -> list[str]:
    """Interest names: ``facts["interests"]``, else the persona's ``interests`` (strings or
    dicts with "name" / "title" / "category")."""
    persona = facts.get("persona")
    values = facts.get("interests") or (
        persona.get("interests") if isinstance(persona, dict) else []
    )
    names = []
    for value in values or []:
        if isinstance(value, dict):
            value = value.get("name") or value.get("title") or value.get("category")
        if value and str(value).strip():
            names.append(str(value).strip())
    return names


def _products(facts: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(title, price, currency) of the recommended products (strings or dicts)."""
    items = facts.get("recommended_products") or facts.get("products") or []
    out = []
    for item in items:
        if isinstance(item, dict) and item.get("title"):
            currency = item.get("currency") or facts.get("currency")
            out.append((str(item["title"]), item.get("price"), currency))
        elif isinstance(item, str) and item.strip():
            out.append((item.strip(), None, None))
    return out


def _money(price: Any, currency: Any) -> str:
    code = str(currency or "").upper()
    symbol = CURRENCY_SYMBOLS.get(code)
    if symbol:
        return f"{symbol}{price}"
    return f"{price} {code}".strip()


def _noun(word: str, language: str) -> str:
    """Lower-case a name inside an English sentence, unless it is an acronym ("DVD")."""
    if language != "en" or word[:2].isupper():
        return word
    return word[:1].lower() + word[1:]


def _with_article(noun: str, language: str) -> str:
    if language != "en":
        return noun
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _excerpt(description: str) -> str:
    """The first sentences of an existing (HTML) description, about DESCRIPTION_WORDS words."""
    text = " ".join(html.unescape(strip_tags(description)).split())
    taken: list[str] = []
    for sentence in SENTENCE_END.split(text):
        if taken and len(WORD.findall(" ".join([*taken, sentence]))) > DESCRIPTION_WORDS:
            break
        taken.append(sentence)
    return _cut(" ".join(s for s in taken if s), DESCRIPTION_CHARS)


def _cut(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters, never inside a number or a word."""
    if len(text) <= limit:
        return text
    end = limit
    while end > 0 and (text[end - 1].isalnum() and text[end].isalnum()):
        end -= 1
    return text[:end].rstrip(" ,;:") + "…"
