"""Marketing copy: an email (subject, banner line, body) for a segment or for one customer.

Facts hold no personal data: the model writes ``{first_name}``, which :func:`personalise`
fills per recipient after generation. Requests to an external backend are redacted all the
same; replies are parsed, sanitised, checked against the facts and saved as drafts.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import suppress
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Min
from django.utils import timezone
from oscar.core.loading import get_model

from ..conf import crm_settings
from ..exceptions import GenerationError
from ..llm.backends import get_backend
from ..llm.backends.offline import language_of
from ..llm.grounding import unsupported_claims
from ..llm.pii import must_redact, personal_values_for_user, redact_request
from ..llm.sanitize import plain_text, sanitize_html
from ..llm.types import Generation
from ..models import (
    CUSTOMER_EMAIL,
    SEGMENT_EMAIL,
    CopyKind,
    CopyStatus,
    Event,
    EventKind,
    MarketingCopy,
    ProductLinkKind,
    ProductRecommendation,
    Recommendation,
    Segment,
    SegmentMembership,
)
from ..recommendations.serving import Visitor, recommended_for
from ..recommenders.rules import get_rules
from .descriptions import describe_error
from .product_facts import product_price
from .prompts import DescriptionOptions, active_prompt, build_request, parse_keywords
from .publishing import TransitionError

logger = logging.getLogger(__name__)
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")

#: The placeholder the model writes instead of a name (also as {{first_name}}, {firstName}).
FIRST_NAME = "{first_name}"
_FIRST_NAME = re.compile(r"\{\{?\s*first_?name\s*\}\}?", re.IGNORECASE)
_OTHER_PLACEHOLDER = re.compile(
    r"\{\{?[^{}\n]{1,40}\}\}?|\[(?:NAME|EMAIL|PHONE|POSTCODE|PERSONAL)\]"
)
#: Greeting name when a customer has no first name, per language.
FALLBACK_NAMES = {"en": "there", "zh-hans": "亲爱的顾客"}
#: Products in an email, interests named, recent titles per kind, traits, events read.
PRODUCTS, INTERESTS, RECENT, TRAITS_SHOWN, HISTORY_EVENTS = 4, 3, 5, 4, 1000
#: Persona features worth telling a writer, in words; shown when 1.5x or 2/3 of the shop's.
TRAITS = {
    "frequency": "orders", "monetary": "spending", "avg_order_value": "average order value",
    "recency_days": "days since the last order", "views": "product views",
    "basket_abandonment": "abandoned baskets", "discount_share": "orders with a discount",
    "tenure_days": "time as a customer",
}  # fmt: skip
#: How much an event tells about a customer's interest in the product's categories.
INTEREST_WEIGHTS: dict[str, int] = {
    EventKind.VIEW: 1,
    EventKind.BASKET_ADD: 2,
    EventKind.PURCHASE: 3,
}
EDITABLE = (CopyStatus.DRAFT, CopyStatus.APPROVED)
TASKS: dict[str, str] = {CopyKind.SEGMENT: SEGMENT_EMAIL, CopyKind.CUSTOMER: CUSTOMER_EMAIL}


# -- facts ---------------------------------------------------------------------------------


def segment_facts(segment: Segment) -> dict[str, Any]:
    """What a segment's email may say: persona, size, traits, categories, products."""
    persona = segment.persona or {}
    products = _product_facts(_segment_products(segment))
    return {
        "segment": segment.name,
        "description": segment.description,
        "customers": segment.member_count or persona.get("size") or 0,
        "traits": _traits(persona.get("relative") or {}),
        "interests": [str(row[0]) for row in persona.get("top_categories") or [] if row],
        "recommended_products": products,
        "currency": next((p["currency"] for p in products if p["currency"]), ""),
        "first_name": FIRST_NAME,
    }


def customer_facts(user: Any) -> dict[str, Any]:
    """What a customer's email may say: interests, recent products, recommendations and
    segment names; never their name or contact details (``{first_name}`` stands in)."""
    recent = _recent_titles(user)
    suggestions = recommended_for(Visitor(user_id=user.pk), PRODUCTS)
    products = _product_facts([s.product for s in suggestions])
    memberships = SegmentMembership.objects.filter(user=user, segment__is_active=True)
    segments = memberships.order_by("segment__name").values_list("segment__name", flat=True)
    return {
        "interests": _interests(user),
        "recently_viewed": recent[EventKind.VIEW],
        "recently_bought": recent[EventKind.PURCHASE],
        "recommended_products": products,
        "currency": next((p["currency"] for p in products if p["currency"]), ""),
        "segments": list(segments),
        "first_name": FIRST_NAME,
    }


def _traits(relative: dict[str, float]) -> list[str]:
    """The persona's most unusual features: "orders: 2.1x the average"."""
    unusual = [
        (abs(math.log(ratio)), f"{label}: {ratio:.1f}x the average")
        for feature, label in TRAITS.items()
        if isinstance(ratio := relative.get(feature), int | float)
        and ratio > 0
        and (ratio >= 1.5 or ratio <= 2 / 3)
    ]
    return [text for _, text in sorted(unusual, reverse=True)[:TRAITS_SHOWN]]


def _segment_products(segment: Segment) -> list[Any]:
    """The products most often in the members' lists (rank < 10), else the popular ones."""
    rows = (
        Recommendation.objects.filter(user__crm_segment_memberships__segment=segment, rank__lt=10)
        .filter(get_rules().recommendable_filter("product__"))
        .values("product_id")
        .annotate(n=Count("id"), best=Min("rank"))
        .order_by("-n", "best", "product_id")[:PRODUCTS]
    )
    ids = [row["product_id"] for row in rows]
    if not ids:
        popular = ProductRecommendation.objects.filter(kind=ProductLinkKind.POPULAR)
        popular = popular.filter(get_rules().recommendable_filter("product__"))
        ids = list(popular.order_by("rank").values_list("product_id", flat=True)[:PRODUCTS])
    found = Product.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _product_facts(products: Iterable[Any]) -> list[dict[str, Any]]:
    rows = [(product.get_title(), *product_price(product)) for product in products]
    return [{"title": title, "price": price, "currency": cur} for title, price, cur in rows]


def _recent_titles(user: Any) -> dict[str, list[str]]:
    """The titles of the products last viewed and bought, newest first, distinct."""
    kinds = (EventKind.VIEW, EventKind.PURCHASE)
    events = Event.objects.filter(user=user, kind__in=kinds, product__isnull=False)
    events = events.select_related("product", "product__parent").order_by("-created_at", "-id")
    titles: dict[str, list[str]] = {kind: [] for kind in kinds}
    for event in events[: RECENT * 10]:
        title, seen = event.product.get_title() if event.product else "", titles[event.kind]
        if title and title not in seen and len(seen) < RECENT:
            seen.append(title)
    return titles


def _interests(user: Any) -> list[str]:
    """Top categories of the products the customer viewed (1), added (2) and bought (3).

    Profiles store no category shares (segmentation keeps them in its table only), so
    they are counted from the latest :data:`HISTORY_EVENTS` events.
    """
    events = Event.objects.filter(user=user, kind__in=INTEREST_WEIGHTS, product__isnull=False)
    weights: Counter[int] = Counter()
    rows = events.values_list("kind", "product_id", "product__parent_id")[:HISTORY_EVENTS]
    for kind, product_id, parent_id in rows:
        weights[parent_id or product_id] += INTEREST_WEIGHTS[kind]
    scores: Counter[str] = Counter()
    links = ProductCategory.objects.filter(product_id__in=list(weights))
    for product_id, name in links.values_list("product_id", "category__name"):
        scores[name] += weights[product_id]
    return [name for name, _ in sorted(scores.items(), key=lambda i: (-i[1], i[0]))[:INTERESTS]]


# -- generation ----------------------------------------------------------------------------


def write_segment_copy(
    segment: Segment,
    *,
    tone: str,
    language: str,
    length: str = "medium",
    keywords: str | list[str] | None = None,
    backend_alias: str | None = None,
    user: Any = None,
) -> MarketingCopy:
    """Write one email for every member of ``segment``; the saved copy (``draft``, or
    ``failed`` with its error). ``user``: the merchant. ``ValueError`` (unknown tone, length,
    language) or ``ConfigurationError`` (unknown backend) before anything is saved."""
    copy = MarketingCopy(kind=CopyKind.SEGMENT, segment=segment, created_by=user)
    options = DescriptionOptions(tone, length, language, parse_keywords(keywords)).validate()
    return _write(copy, segment_facts(segment), options, backend_alias, [])


def write_customer_copy(
    customer: Any,
    *,
    tone: str,
    language: str,
    length: str = "medium",
    keywords: str | list[str] | None = None,
    backend_alias: str | None = None,
    user: Any = None,
) -> MarketingCopy:
    """Write one email for ``customer`` from their interests and recommendations; as
    :func:`write_segment_copy`. Their personal data is redacted from the request to an
    external backend, in case a product title or category holds some of it."""
    copy = MarketingCopy(kind=CopyKind.CUSTOMER, user=customer, created_by=user)
    options = DescriptionOptions(tone, length, language, parse_keywords(keywords)).validate()
    personal = personal_values_for_user(customer)
    return _write(copy, customer_facts(customer), options, backend_alias, personal)


def _write(
    copy: MarketingCopy, facts: dict, options: DescriptionOptions, alias: str | None, pii: list
) -> MarketingCopy:
    """Build the request, redact it when the backend is external, generate, fill, save."""
    alias = alias or crm_settings.LLM["BACKEND"]
    backend = get_backend(alias)
    task = TASKS[copy.kind]
    prompt = active_prompt(task)
    copy.facts, copy.backend, copy.prompt_version = facts, alias, prompt.version
    copy.tone, copy.length, copy.language = options.tone, options.length, options.language
    try:
        request = build_request(facts, options, prompt)
        if must_redact(backend):
            request, copy.redactions = redact_request(request, pii)
        _fill(copy, backend.generate(request))
    except Exception as exc:  # stored on the copy for the merchant to see
        logger.warning("Marketing copy (%s) failed: %s", task, exc)
        copy.status, copy.error = CopyStatus.FAILED, describe_error(exc)
    copy.save()
    return copy


def _fill(copy: MarketingCopy, generation: Generation) -> None:
    """The generation's parsed, cleaned text, usage and flags onto ``copy``."""
    copy.original_text = generation.text
    copy.model, copy.is_template = generation.model, generation.is_template
    copy.prompt_tokens = generation.prompt_tokens
    copy.completion_tokens = generation.completion_tokens
    subject, banner, body = parse_reply(generation.text)
    copy.subject, copy.banner, copy.body = one_line(subject), one_line(banner), sanitize_html(body)
    if not copy.subject or not plain_text(copy.body):
        raise GenerationError("The reply has no subject or no body left after cleaning.")
    copy.flags = check_copy(copy)


_LABEL = re.compile(
    r"^[\s*_#>]*(subject|banner|body|主题|标题|横幅)(?:\s*line)?[\s*_]*[:：][\s*_]*(.*?)[\s*_]*$",
    re.IGNORECASE,
)
_LABEL_FIELD = {"主题": "subject", "标题": "subject", "横幅": "banner"}
_FENCE = re.compile(r"^```[a-z]*\s*|\s*```$", re.IGNORECASE)


def parse_reply(text: str) -> tuple[str, str, str]:
    """(subject, banner, body) from "Subject: ...", "Banner: ..." lines then the body, or
    from a JSON object with those keys. ``GenerationError`` when there is no subject."""
    text, data = _FENCE.sub("", text.strip()).strip(), None
    with suppress(ValueError):
        data = json.loads(text) if text.startswith("{") else None
    if isinstance(data, dict):
        fields = {key: str(data.get(key) or "") for key in ("subject", "banner")}
        body = data.get("body") or ""
        body = "\n\n".join(map(str, body)) if isinstance(body, list) else str(body)
    else:
        fields, body = _labelled(text)
    if not fields.get("subject", "").strip():
        raise GenerationError(f"The reply has no 'Subject:' line: {text[:80]!r}")
    return fields["subject"], fields.get("banner", ""), body.strip()


def _labelled(text: str) -> tuple[dict[str, str], str]:
    """The labelled lines at the top (blank lines between them allowed), and the rest."""
    fields: dict[str, str] = {}
    lines = text.splitlines()
    index = 0
    for index, line in enumerate(lines):  # noqa: B007  (index read after the loop)
        match = _LABEL.match(line)
        label = _LABEL_FIELD.get(match.group(1).lower(), match.group(1).lower()) if match else ""
        if line.strip() and (not match or label in fields or "body" in fields):
            break
        if match:
            fields[label] = match.group(2)
    else:
        index = len(lines)
    return fields, (fields.pop("body", "") + "\n" + "\n".join(lines[index:])).strip()


def one_line(text: str, limit: int = 255) -> str:
    """A model's subject or banner as one line of plain text (tags, scripts removed)."""
    return " ".join(plain_text(sanitize_html(text)).split())[:limit]


def check_copy(copy: MarketingCopy) -> list[dict[str, str]]:
    """Flags for the reviewer: figures the facts do not support, and placeholders other
    than ``{first_name}`` (they would reach customers unfilled)."""
    text = "\n".join([copy.subject, copy.banner, plain_text(copy.body)])
    flags = unsupported_claims(text, copy.facts or {})
    for found in dict.fromkeys(_OTHER_PLACEHOLDER.findall(_FIRST_NAME.sub("", text))):
        reason = f"only {FIRST_NAME} is filled in for each customer"
        flags.append({"claim": found, "kind": "placeholder", "reason": reason})
    return flags


# -- personalising and mailing -------------------------------------------------------------


def personalise(copy: MarketingCopy, user: Any) -> dict[str, str]:
    """``copy``'s subject, banner and body for ``user``: ``{first_name}`` filled in (or a
    greeting word such as "there" / "亲爱的顾客" when they have none).

    Subject and banner are plain text (the name on one line, as typed); the body is HTML,
    so the name is HTML-escaped there.
    """
    name = " ".join(str(getattr(user, "first_name", "") or "").split())
    if not name:
        name = FALLBACK_NAMES.get(language_of(copy.language) or "en", FALLBACK_NAMES["en"])
    escaped = html.escape(name)
    return {
        "subject": _FIRST_NAME.sub(lambda m: name, copy.subject),
        "banner": _FIRST_NAME.sub(lambda m: name, copy.banner),
        "body": _FIRST_NAME.sub(lambda m: escaped, copy.body),
    }


def segment_mailing_rows(copy: MarketingCopy) -> Iterator[tuple[str, str, str, str]]:
    """(email, subject, banner, body) personalised for each active member of the copy's
    segment with an email address, by customer id; ``ValueError`` for customer copy."""
    if copy.kind != CopyKind.SEGMENT or copy.segment_id is None:
        raise ValueError(f"{copy} is not the copy of a segment.")
    members = _members(copy).filter(is_active=True).exclude(email="")
    for member in members.iterator(chunk_size=1000):
        texts = personalise(copy, member)
        yield member.email, texts["subject"], texts["banner"], texts["body"]


def first_member(copy: MarketingCopy) -> Any:
    """The customer a copy is previewed for by default: its customer, or the segment's
    first member by id (None for an empty segment)."""
    if copy.kind == CopyKind.CUSTOMER:
        return copy.user
    return _members(copy).first() if copy.segment_id else None


def _members(copy: MarketingCopy) -> Any:
    users = get_user_model()._default_manager.order_by("pk")
    return users.filter(crm_segment_memberships__segment=copy.segment)


# -- review --------------------------------------------------------------------------------


def _move(copy: MarketingCopy, allowed: tuple, step: str, **changes: Any) -> MarketingCopy:
    updated = MarketingCopy.objects.filter(pk=copy.pk, status__in=allowed).update(**changes)
    copy.refresh_from_db()
    if not updated:
        status = copy.get_status_display().lower()
        raise TransitionError(f"{copy} is {status}: it cannot be {step}.")
    return copy


def approve_copy(copy: MarketingCopy, user: Any = None) -> MarketingCopy:
    """Mark a draft (or a rejected copy) approved by ``user``: it may now be sent."""
    changes = {"status": CopyStatus.APPROVED, "approved_by": user, "approved_at": timezone.now()}
    return _move(copy, (CopyStatus.DRAFT, CopyStatus.REJECTED), "approved", **changes)


def reject_copy(copy: MarketingCopy) -> MarketingCopy:
    """Mark a draft (or an approved copy) rejected; its approval is withdrawn."""
    changes = {"status": CopyStatus.REJECTED, "approved_by": None, "approved_at": None}
    return _move(copy, EDITABLE, "rejected", **changes)


def edit_copy(copy: MarketingCopy, *, subject: str, banner: str, body: str) -> MarketingCopy:
    """Save a merchant's edit: cleaned like generated text, flags checked again; an
    approved copy goes back to draft (the approval was for other text)."""
    if copy.status not in EDITABLE:
        raise TransitionError(f"{copy} is {copy.get_status_display().lower()}: not editable.")
    copy.subject, copy.banner, copy.body = one_line(subject), one_line(banner), sanitize_html(body)
    copy.flags = check_copy(copy)
    copy.status, copy.approved_by, copy.approved_at = CopyStatus.DRAFT, None, None
    copy.save()
    return copy
