"""Fixtures of the description workflow: a described Oscar catalogue and LLM settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model
from oscar.test import factories

from tests.llm.fake_openai import FakeOpenAI, _error

ProductAttribute = get_model("catalogue", "ProductAttribute")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")

OPENAI_CLASS = "oscar_ai_crm.llm.backends.openai_backend.OpenAIBackend"
OFFLINE = {"CLASS": "oscar_ai_crm.llm.backends.offline.OfflineBackend", "OPTIONS": {}}
OPTIONS = {"tone": "friendly", "length": "medium", "language": "en", "keywords": []}


def chat_backend(server: FakeOpenAI, cls: str = OPENAI_CLASS, **options: Any) -> dict:
    """A backend spec that talks to ``server`` (no retries: failures show at once)."""
    base = {"model": "fake-model", "base_url": server.base_url, "api_key": "test"}
    return {"CLASS": cls, "OPTIONS": {**base, "max_retries": 0, "timeout": 10, **options}}


class RefusingServer(FakeOpenAI):
    """Answers HTTP 500 to every request about a product whose title says "Broken"."""

    def respond(self, path: str, headers: dict, body: dict) -> tuple:
        if "Broken" in str(body.get("messages")):
            return 500, {}, _error("The model crashed on this one", "server_error"), 0.0
        return super().respond(path, headers, body)


@contextmanager
def llm_settings(privacy: dict | None = None, **llm: Any) -> Iterator[None]:
    """OSCAR_AI_CRM["LLM"] overridden (rate limit off unless given), the offline backend kept."""
    backends = {"offline": OFFLINE, **llm.pop("BACKENDS", {})}
    crm: dict[str, Any] = {"LLM": {"REQUESTS_PER_MINUTE": 0, **llm, "BACKENDS": backends}}
    if privacy:
        crm["PRIVACY"] = privacy
    with override_settings(OSCAR_AI_CRM=crm):
        yield


def make_product(title: str, *, category: str = "Clothing > Shirts", **attributes: Any):
    """A public product of class Clothing in ``category`` at 49.00, with attributes."""
    clothing, _ = ProductClass.objects.get_or_create(name="Clothing")
    for code, value in attributes.items():
        kind = "integer" if isinstance(value, int) else "text"
        ProductAttribute.objects.get_or_create(
            product_class=clothing, code=code, defaults={"name": code.title(), "type": kind}
        )
    product = factories.create_product(title=title, product_class="Clothing")
    for code, value in attributes.items():
        setattr(product.attr, code, value)
    product.save()
    factories.create_stockrecord(product, price=Decimal("49.00"), num_in_stock=10)
    ProductCategory.objects.create(product=product, category=create_from_breadcrumbs(category))
    return product


@pytest.fixture
def shirt(db):
    """A linen shirt: class, category path, four attributes, stock at 49.00."""
    product = make_product(
        "Linen shirt", material="Linen", colour="White", weight="180 g", pockets=2
    )
    product.description = "<p>A shirt for <b>summer</b> days.</p>"
    product.save()
    return product


@pytest.fixture
def fake_server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(reply="<p>A breezy shirt in white linen.</p>") as server:
        yield server
