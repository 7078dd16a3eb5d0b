"""What segment and customer emails are written from: behaviour, never personal data."""

import json

import pytest

from oscar_ai_crm.content.marketing import customer_facts, segment_facts
from oscar_ai_crm.models import Segment

from .conftest import ANN, ANN_ADDRESS

pytestmark = pytest.mark.django_db


def test_segment_facts_describe_the_persona_and_its_most_recommended_products(shop):
    facts = segment_facts(shop["segment"])

    assert facts["segment"] == "Champions"
    assert facts["description"].startswith("Bought recently")
    assert facts["customers"] == 4
    # The most unusual relative figures first; "views" (1.1x) is too ordinary to tell.
    assert facts["traits"] == [
        "spending: 3.1x the average",
        "days since the last order: 0.4x the average",
        "orders: 2.4x the average",
    ]
    assert facts["interests"] == ["Clothing", "Books"]
    # Both members' lists hold the shirt and the scarf; the mug has no stock.
    titles = [product["title"] for product in facts["recommended_products"]]
    assert titles == ["Linen shirt", "Wool scarf"]
    assert facts["recommended_products"][0] == {
        "title": "Linen shirt",
        "price": "49.00",
        "currency": "GBP",
    }
    assert facts["currency"] == "GBP"
    assert facts["first_name"] == "{first_name}"


def test_segment_facts_hold_no_member_data(shop):
    text = json.dumps(segment_facts(shop["segment"]), ensure_ascii=False)

    for user in (shop["ann"], shop["bob"], shop["chen"]):
        assert user.email not in text
    assert ANN["first_name"] not in text and ANN["last_name"] not in text


def test_a_segment_without_recommendations_or_persona_gets_popular_products(products):
    from oscar_ai_crm.models import ModelRun, ProductLinkKind, ProductRecommendation, RunStatus

    run = ModelRun.objects.create(model="popularity", status=RunStatus.SERVING)
    for rank, name in enumerate(("book", "mug", "scarf")):
        ProductRecommendation.objects.create(
            run=run, kind=ProductLinkKind.POPULAR, product=products[name], rank=rank, score=1
        )
    segment = Segment.objects.create(name="Newsletter", description="Opted in.")

    facts = segment_facts(segment)

    assert [p["title"] for p in facts["recommended_products"]] == ["Clean Code", "Wool scarf"]
    assert facts["traits"] == [] and facts["interests"] == [] and facts["customers"] == 0


def test_customer_facts_hold_interests_history_and_recommendations(shop):
    facts = customer_facts(shop["ann"])

    # Bought a book (3), viewed shirts twice (2) and a scarf once (1).
    assert facts["interests"] == ["Programming", "Shirts", "Scarves"]
    assert facts["recently_viewed"] == ["Wool scarf", "Linen shirt"]
    assert facts["recently_bought"] == ["Clean Code"]
    assert [(p["title"], p["price"]) for p in facts["recommended_products"]] == [
        ("Linen shirt", "49.00"),
        ("Wool scarf", "25.00"),
    ]
    assert facts["segments"] == ["Champions"]
    assert facts["first_name"] == "{first_name}"


def test_customer_facts_hold_no_personal_data(shop):
    text = json.dumps(customer_facts(shop["ann"]), ensure_ascii=False).casefold()

    for value in (*ANN.values(), *ANN_ADDRESS.values(), "7700 900123", "07700"):
        assert value.casefold() not in text, value
