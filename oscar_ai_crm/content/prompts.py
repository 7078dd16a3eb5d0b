"""Prompts of generated content: the options, the built-in templates, rendering.

A prompt is a pair of Django templates (system and user message) rendered with the
facts (a product's, a segment's, a customer's) and the merchant's options. Merchants
edit them in the admin as :class:`~oscar_ai_crm.models.PromptTemplate` rows; the active
row of the task wins, otherwise the built-in default below (version 0) is used.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.template import Context, Engine
from django.utils.translation import get_language_info

from ..conf import crm_settings
from ..llm.types import GenerationRequest, Message
from ..models import CUSTOMER_EMAIL, PRODUCT_DESCRIPTION, SEGMENT_EMAIL, PromptTemplate

DEFAULT_SYSTEM = """\
You write product descriptions for an online shop.
Write in {{ language_name }}, in a {{ tone }} tone, about {{ words }} words.
Use only the facts you are given. Never invent numbers, sizes, weights, materials, \
certifications or features that are not listed.
{% if keywords %}Work in these keywords naturally: {{ keywords|join:", " }}.
{% endif %}Answer with the description only, as simple HTML: <p>, <ul>, <li>, <strong> \
and <em>; no headings, links, images or scripts."""

DEFAULT_USER = """\
Product: {{ facts.title }}
{% if facts.product_class %}Type: {{ facts.product_class }}
{% endif %}{% if facts.categories %}Categories: {{ facts.categories|join:"; " }}
{% endif %}{% for name, value in facts.attributes.items %}{% if forloop.first %}Attributes:
{% endif %}- {{ name }}: {{ value }}
{% endfor %}{% if facts.price %}Price: {{ facts.price }} {{ facts.currency }}
{% endif %}{% if facts.reviews.count %}Reviews: {{ facts.reviews.count }}, \
average score {{ facts.reviews.average }} of 5
{% endif %}{% if facts.description %}Current description: {{ facts.description }}
{% endif %}
Write a {{ length }} description of this product."""


@dataclass(frozen=True)
class Prompt:
    """The prompt templates a draft is written from (``template_id`` None = built-in)."""

    task: str
    version: int
    system: str
    user: str
    template_id: int | None = None


#: Marketing emails (oscar_ai_crm.content.marketing). The text never holds a customer's
#: name: the model writes the {first_name} placeholder, filled in per recipient later.
EMAIL_SYSTEM = """\
You write marketing emails for an online shop. {% if facts.segment %}One email goes to \
every customer of a segment.{% else %}The email goes to one customer, about their \
interests and the products recommended for them; never name their segments.{% endif %}
Write in {{ language_name }}, in a {{ tone }} tone; the body about {{ words }} words.
Use only the facts you are given. Never invent products, prices, discounts, codes, dates \
or figures.
Greet the reader with the placeholder {first_name}, written exactly so: it is replaced \
with each customer's first name later. Never write a person's name, email address or \
phone number.
{% if keywords %}Work in these keywords naturally: {{ keywords|join:", " }}.
{% endif %}Answer in exactly this format, with the two labels in English:
Subject: <the email subject, one line>
Banner: <a short line for the shop's banner>

<the email body in plain text; one line per product, starting with "- ">"""

_EMAIL_PRODUCTS = """\
{% for product in facts.recommended_products %}{% if forloop.first %}Products to feature:
{% endif %}- {{ product.title }}{% if product.price %} ({{ product.price }} \
{{ product.currency }}){% endif %}
{% endfor %}"""

SEGMENT_EMAIL_USER = (
    """\
Segment: {{ facts.segment }}
{% if facts.description %}About these customers: {{ facts.description }}
{% endif %}{% if facts.customers %}Customers in the segment: {{ facts.customers }}
{% endif %}{% for trait in facts.traits %}{% if forloop.first %}Compared with the average \
customer:
{% endif %}- {{ trait }}
{% endfor %}{% if facts.interests %}Favourite categories: {{ facts.interests|join:", " }}
{% endif %}"""
    + _EMAIL_PRODUCTS
    + "\nWrite a {{ length }} email for these customers."
)

CUSTOMER_EMAIL_USER = (
    """\
{% if facts.interests %}The customer's favourite categories: {{ facts.interests|join:", " }}
{% endif %}{% if facts.recently_viewed %}Recently viewed: {{ facts.recently_viewed|join:"; " }}
{% endif %}{% if facts.recently_bought %}Recently bought: {{ facts.recently_bought|join:"; " }}
{% endif %}{% if facts.segments %}Segments (for you, not for the email): \
{{ facts.segments|join:", " }}
{% endif %}"""
    + _EMAIL_PRODUCTS
    + "\nWrite a {{ length }} email to this customer."
)

BUILT_IN = {
    PRODUCT_DESCRIPTION: Prompt(PRODUCT_DESCRIPTION, 0, DEFAULT_SYSTEM, DEFAULT_USER),
    SEGMENT_EMAIL: Prompt(SEGMENT_EMAIL, 0, EMAIL_SYSTEM, SEGMENT_EMAIL_USER),
    CUSTOMER_EMAIL: Prompt(CUSTOMER_EMAIL, 0, EMAIL_SYSTEM, CUSTOMER_EMAIL_USER),
}


@dataclass(frozen=True)
class DescriptionOptions:
    """What the merchant asks for; checked against the LLM settings by :meth:`validate`."""

    tone: str
    length: str
    language: str
    keywords: list[str] = field(default_factory=list)

    def validate(self) -> DescriptionOptions:
        """Return ``self``; raise ``ValueError`` naming the choices when one is unknown."""
        llm = crm_settings.LLM
        for name, allowed in (
            ("tone", list(llm["TONES"])),
            ("length", list(llm["LENGTHS"])),
            ("language", list(llm["LANGUAGES"])),
        ):
            if getattr(self, name) not in allowed:
                choices = ", ".join(map(str, allowed))
                raise ValueError(f"Unknown {name} {getattr(self, name)!r}; choose from {choices}.")
        return self

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_keywords(text: str | list[str] | None) -> list[str]:
    """Keywords from a comma-separated string (or a list): trimmed, empty and repeats dropped."""
    items = text.split(",") if isinstance(text, str) else list(text or [])
    return list(dict.fromkeys(word.strip() for word in items if word.strip()))


def active_prompt(task: str = PRODUCT_DESCRIPTION) -> Prompt:
    """The task's active template row, or the built-in default (version 0)."""
    row = PromptTemplate.objects.filter(task=task, is_active=True).first()
    if row is None:
        return BUILT_IN[task]
    return Prompt(task, row.version, row.system_template, row.user_template, row.pk)


@functools.cache
def prompt_engine() -> Engine:
    """A template engine for plain text: no HTML escaping (prompts are not web pages)."""
    return Engine(autoescape=False)


def render_text(template: str, context: dict[str, Any]) -> str:
    """Render Django template syntax to plain text; ``TemplateSyntaxError`` when invalid."""
    compiled = prompt_engine().from_string(template)
    return compiled.render(Context(context, autoescape=False)).strip()


def prompt_context(facts: dict[str, Any], options: DescriptionOptions) -> dict[str, Any]:
    """What templates can use: ``facts``, the options, ``words`` and ``language_name``."""
    return {
        "facts": facts,
        **options.as_dict(),
        "words": length_words(options.length),
        "language_name": language_name(options.language),
    }


def build_request(
    facts: dict[str, Any], options: DescriptionOptions, prompt: Prompt
) -> GenerationRequest:
    """The backend request: both messages rendered, the facts and options carried along."""
    context = prompt_context(facts, options)
    llm = crm_settings.LLM
    return GenerationRequest(
        task=prompt.task,
        messages=[
            Message("system", render_text(prompt.system, context)),
            Message("user", render_text(prompt.user, context)),
        ],
        facts=facts,
        tone=options.tone,
        length=options.length,
        language=options.language,
        keywords=list(options.keywords),
        max_tokens=int(llm["MAX_TOKENS"]),
        temperature=float(llm["TEMPERATURE"]),
    )


def length_words(length: str) -> int:
    """About how many words a length asks for (``LLM["LENGTHS"]``)."""
    return int(crm_settings.LLM["LENGTHS"][length])


def language_name(code: str) -> str:
    """The language's English name for prompts ("zh-hans" -> "Simplified Chinese"), from
    Django's language table; the code itself for a language Django does not know."""
    try:
        return str(get_language_info(code)["name"])
    except KeyError:
        return code


def template_error(template: str) -> str | None:
    """Why ``template`` cannot be used (it must render for an invented product), or None."""
    llm = crm_settings.LLM
    options = DescriptionOptions("friendly", next(iter(llm["LENGTHS"])), llm["LANGUAGES"][0])
    try:
        render_text(template, prompt_context(sample_facts(), options))
    except Exception as exc:  # syntax, a missing include, a failing filter...
        return f"{type(exc).__name__}: {exc}"
    return None


def save_version(template: PromptTemplate, *, new_version: bool, user: Any = None) -> None:
    """Save ``template``; as a new row with the next version number when ``new_version``
    (its text changed: drafts name the version they were written from). An active
    template deactivates the task's others."""
    if new_version:
        template.pk, template._state.adding, template.created_by = None, True, user
        top = PromptTemplate.objects.filter(task=template.task).aggregate(top=Max("version"))
        template.version = (top["top"] or 0) + 1
    with transaction.atomic():
        if template.is_active:
            others = PromptTemplate.objects.filter(task=template.task).exclude(pk=template.pk)
            others.update(is_active=False)
        template.save()


def activate(template: PromptTemplate) -> None:
    """Make ``template`` the version used for new drafts of its task."""
    with transaction.atomic():
        PromptTemplate.objects.filter(task=template.task).update(is_active=False)
        PromptTemplate.objects.filter(pk=template.pk).update(is_active=True)


def sample_facts() -> dict[str, Any]:
    """Facts of an invented product, to check that a template renders (admin form)."""
    return {
        "title": "Linen shirt",
        "product_class": "Clothing",
        "categories": ["Clothing > Shirts"],
        "attributes": {"Colour": "White", "Material": "Linen"},
        "price": "49.00",
        "currency": "GBP",
        "description": "A shirt.",
        "reviews": {"count": 2, "average": 4.5},
    }
