"""Fixtures of marketing copy: a small shop with a segment, its members, their behaviour
and recommendations, and LLM settings (offline, or the loopback chat server)."""

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

from oscar_ai_crm.models import (
    Event,
    EventKind,
    ModelRun,
    Recommendation,
    RunStatus,
    Segment,
    SegmentKind,
    SegmentMembership,
)
from tests.llm.fake_openai import FakeOpenAI

ProductCategory = get_model("catalogue", "ProductCategory")

OFFLINE = {"CLASS": "oscar_ai_crm.llm.backends.offline.OfflineBackend", "OPTIONS": {}}
OPENAI = "oscar_ai_crm.llm.backends.openai_backend.OpenAIBackend"

#: Ann's personal data: none of it may reach an external backend.
ANN = {
    "first_name": "Annabel",
    "last_name": "Fairweather",
    "email": "annabel.fairweather@example.com",
    "username": "annabelf",
}
ANN_ADDRESS = {
    "line1": "12 Acacia Avenue",
    "line4": "Wolverhampton",
    "postcode": "WV1 1AA",
    "phone_number": "+447700900123",
}


def chat_backend(server: FakeOpenAI, *, external: bool = True) -> dict[str, Any]:
    """A backend spec talking to ``server``, without retries; ``external`` as a server on
    another machine would be (the fake one listens on 127.0.0.1)."""
    options = {"model": "fake-model", "base_url": server.base_url, "api_key": "test"}
    options.update(max_retries=0, timeout=10, external=external)
    return {"CLASS": OPENAI, "OPTIONS": options}


@contextmanager
def llm_settings(privacy: dict | None = None, **backends: dict) -> Iterator[None]:
    """The offline backend plus ``backends`` by alias; offline is the default."""
    crm: dict[str, Any] = {
        "LLM": {"BACKEND": "offline", "BACKENDS": {"offline": OFFLINE, **backends}}
    }
    if privacy:
        crm["PRIVACY"] = privacy
    with override_settings(OSCAR_AI_CRM=crm):
        yield


def make_product(title: str, category: str, price: str | None):
    """A public product in ``category``, in stock at ``price`` (no stock record: None)."""
    product = factories.create_product(title=title)
    if price is not None:
        factories.create_stockrecord(product, price=Decimal(price), num_in_stock=10)
    ProductCategory.objects.create(product=product, category=create_from_breadcrumbs(category))
    return product


@pytest.fixture
def products(db) -> dict[str, Any]:
    return {
        "shirt": make_product("Linen shirt", "Clothing > Shirts", "49.00"),
        "scarf": make_product("Wool scarf", "Clothing > Scarves", "25.00"),
        "book": make_product("Clean Code", "Books > Programming", "30.00"),
        "mug": make_product("Enamel mug", "Kitchen > Mugs", None),  # not recommendable
    }


@pytest.fixture
def ann(db):
    user = factories.UserFactory(**ANN)
    factories.UserAddressFactory(
        user=user, first_name="Annabel", last_name="Fairweather", **ANN_ADDRESS
    )
    return user


@pytest.fixture
def shop(products, ann) -> dict[str, Any]:
    """Ann viewed shirts and a scarf and bought a book; the serving run recommends the
    shirt and the scarf to her and to Bob; Bob, Chen and Dee are in the segment too."""
    bob = factories.UserFactory(first_name="<b>Bob</b> & Co", email="bob@example.com")
    chen = factories.UserFactory(first_name="", email="chen@example.com")
    dee = factories.UserFactory(first_name="Dee", email="dee@example.com", is_active=False)
    for kind, product in (
        (EventKind.VIEW, "shirt"),
        (EventKind.VIEW, "shirt"),
        (EventKind.VIEW, "scarf"),
        (EventKind.PURCHASE, "book"),
    ):
        Event.objects.create(kind=kind, user=ann, product=products[product])
    run = ModelRun.objects.create(model="als", status=RunStatus.SERVING)
    for user, names in ((ann, ("shirt", "scarf", "mug")), (bob, ("scarf", "shirt"))):
        for rank, name in enumerate(names):
            Recommendation.objects.create(
                run=run, user=user, product=products[name], rank=rank, score=1.0 / (rank + 1)
            )
    segment = Segment.objects.create(
        kind=SegmentKind.CLUSTER,
        name="Champions",
        description="Bought recently, buy often and spend the most.",
        persona={
            "size": 4,
            "share": 0.4,
            "relative": {"frequency": 2.4, "monetary": 3.1, "recency_days": 0.4, "views": 1.1},
            "top_categories": [["Clothing", 0.6], ["Books", 0.3]],
        },
        member_count=4,
    )
    for user in (ann, bob, chen, dee):
        SegmentMembership.objects.create(segment=segment, user=user)
    return {"segment": segment, "ann": ann, "bob": bob, "chen": chen, "dee": dee, **products}


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    reply = (
        "Subject: Linen for {first_name}\nBanner: Summer linen is here\n\n"
        "Hello {first_name},\n\n- Linen shirt (£49.00)"
    )
    with FakeOpenAI(reply=reply) as fake:
        yield fake
