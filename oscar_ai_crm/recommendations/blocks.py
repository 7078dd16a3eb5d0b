"""Lazy recommendation blocks: what the template tags return, looked up and cached on output.

A :class:`RecommendationBlock` is both a list and an HTML fragment. Iterating it (``as var``)
runs the serving lookup (at most two queries); printing it renders the block template with
Oscar's product cards and keeps the HTML in Django's cache, keyed by everything the HTML
depends on, including the serving run id, so that publishing a run invalidates it. A cache
hit runs no query at all: the lookup only happens when the HTML has to be rendered.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.template import Context
from django.template.loader import get_template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from oscar.core.loading import get_model

from ..capture.identity import hash_session_key
from ..conf import crm_settings
from .publishing import serving_version
from .serving import Suggestion, Visitor

logger = logging.getLogger(__name__)

Product = get_model("catalogue", "Product")

#: Products per block when the tag gives no (valid) ``limit``.
DEFAULT_LIMIT = 4
DEFAULT_TEMPLATE = "oscar_ai_crm/tags/products.html"
CACHE_PREFIX = "oscar_ai_crm:tag"
#: Stands in for the CSRF token in cached HTML (cards hold add-to-basket forms); the
#: visitor's own token replaces it on output, so no token is ever shared through the cache.
CSRF_PLACEHOLDER = "oscar-ai-crm-csrf-token-placeholder"

Lookup = Callable[[int], list[Suggestion]]


@dataclass(frozen=True)
class BlockOptions:
    """How a block looks and whether its HTML is cached (``cache_seconds`` 0: never)."""

    tag: str
    limit: int
    title: str
    template: str
    cache_seconds: int

    @classmethod
    def build(
        cls, tag: str, limit: Any, title: str, template: str | None, cached: bool = True
    ) -> BlockOptions:
        """Options from a tag's arguments: limit checked and capped, settings applied."""
        settings = crm_settings.RECOMMENDATIONS
        return cls(
            tag=tag,
            limit=checked_limit(tag, limit, settings["TOP_N"]),
            title=str(title),
            template=template or DEFAULT_TEMPLATE,
            cache_seconds=int(settings["CACHE_SECONDS"]) if cached else 0,
        )


@dataclass(frozen=True)
class VisitorSubject:
    """The serving visitor of a request and the cache subject naming it."""

    visitor: Visitor
    subject: str


def checked_limit(tag: str, value: Any, top_n: int) -> int:
    """``value`` as a positive int capped at ``top_n``; a bad value logs and gives the default."""
    try:
        limit = int(value)
    except (TypeError, ValueError):
        limit = 0
    if limit <= 0:
        logger.warning(
            "{%% %s %%}: limit=%r is not a positive number; showing %d.", tag, value, DEFAULT_LIMIT
        )
        limit = DEFAULT_LIMIT
    return min(limit, top_n)


def visitor_for_request(request: HttpRequest | None) -> VisitorSubject:
    """The customer, or the anonymous session (never created here), behind ``request``."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return VisitorSubject(Visitor(user_id=user.pk), f"customer:{user.pk}")
    session = getattr(request, "session", None)
    session_hash = hash_session_key(session.session_key if session is not None else None)
    if session_hash:
        return VisitorSubject(Visitor(session_hash=session_hash), f"session:{session_hash}")
    return VisitorSubject(Visitor(), "anonymous")


def products_of(subject: Any) -> list:
    """The products of a Product, of an Oscar basket (its lines), or of an iterable of them."""
    if subject is None:
        return []
    if hasattr(subject, "all_lines"):
        return [line.product for line in subject.all_lines() if line.product is not None]
    if isinstance(subject, Product):
        return [subject]
    return [item for item in subject if isinstance(item, Product)]


def with_cards(suggestions: Iterable[Suggestion]) -> list[Suggestion]:
    """The suggestions with products reloaded the way Oscar's product lists load them.

    One ``base_queryset()`` query plus its prefetches, whatever the number of products,
    so the product card costs what it costs on Oscar's own browse page.
    """
    suggestions = list(suggestions)
    products: list[Any] = [suggestion.product for suggestion in suggestions]
    loaded = Product.objects.base_queryset().in_bulk([product.pk for product in products])
    return [
        replace(suggestion, product=loaded[product.pk])
        for suggestion, product in zip(suggestions, products, strict=True)
        if product.pk in loaded
    ]


class RecommendationBlock:
    """A recommendation list that renders itself as HTML when printed.

    Iterating, ``len()`` and ``bool()`` run the lookup (once); ``__html__`` returns the
    cached HTML when there is some, and otherwise looks up, renders and caches.
    """

    def __init__(
        self, context: Context | dict, options: BlockOptions, subject: str, lookup: Lookup
    ) -> None:
        self._context = context
        self.options = options
        self.subject = subject
        self._lookup = lookup
        self._suggestions: list[Suggestion] | None = None
        self._html: str | None = None

    @classmethod
    def empty(cls, context: Context | dict, options: BlockOptions) -> RecommendationBlock:
        """A block with nothing to show (e.g. no product given); never cached."""
        block = cls(context, options, "", lambda limit: [])
        block._suggestions, block._html = [], ""
        return block

    @property
    def title(self) -> str:
        return self.options.title

    @property
    def suggestions(self) -> list[Suggestion]:
        if self._suggestions is None:
            self._suggestions = self._lookup(self.options.limit)
        return self._suggestions

    def cards(self) -> list[Suggestion]:
        """The suggestions with products ready for Oscar's product card (see :func:`with_cards`)."""
        return with_cards(self.suggestions)

    def __iter__(self) -> Iterator[Suggestion]:
        return iter(self.suggestions)

    def __len__(self) -> int:
        return len(self.suggestions)

    def __bool__(self) -> bool:
        return bool(self.suggestions)

    def __html__(self) -> SafeString:
        if self._html is None:
            self._html = self._cached_html()
        return mark_safe(self._with_csrf_token(self._html))  # noqa: S308 - rendered by a template

    __str__ = __html__

    def __repr__(self) -> str:
        return f"<RecommendationBlock {self.options.tag} {self.subject!r}>"

    def cache_key(self) -> str:
        """Tag, subject, limit, template, title, language and serving run, hashed."""
        options = self.options
        parts: list[object] = [options.tag, self.subject, options.limit, options.template]
        parts += [options.title, get_language() or "", serving_version()]
        digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
        return f"{CACHE_PREFIX}:{options.tag}:{digest}"

    def _cached_html(self) -> str:
        if self.options.cache_seconds <= 0:
            return self._render()
        key = self.cache_key()
        html = cache.get(key)
        if html is None:
            html = self._render()
            cache.set(key, html, self.options.cache_seconds)
        return html

    def _render(self) -> str:
        if not self.suggestions:
            return ""
        page = self._context
        flat: dict[Any, Any] = page.flatten() if isinstance(page, Context) else dict(page)
        context: dict[str, Any] = {
            **flat,
            "recommendations": self,
            "title": self.title,
            "suggestions": self.cards(),
            "csrf_token": CSRF_PLACEHOLDER,
        }
        return get_template(self.options.template).render(context)

    def _with_csrf_token(self, html: str) -> str:
        if CSRF_PLACEHOLDER not in html:
            return html
        token = self._context.get("csrf_token")
        token = "" if token in (None, "NOTPROVIDED") else escape(str(token))
        return html.replace(CSRF_PLACEHOLDER, token)


__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_TEMPLATE",
    "BlockOptions",
    "RecommendationBlock",
    "VisitorSubject",
    "checked_limit",
    "products_of",
    "visitor_for_request",
    "with_cards",
]
