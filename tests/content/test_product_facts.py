"""Facts read from real Oscar products, and the input hash that decides regeneration."""

from decimal import Decimal

import pytest
from oscar.core.loading import get_model
from oscar.test import factories

from oscar_ai_crm.content.product_facts import input_hash, product_facts

from .conftest import OPTIONS, make_product

Product = get_model("catalogue", "Product")

pytestmark = pytest.mark.django_db


def test_facts_of_a_product_with_class_category_attributes_and_stock(shirt):
    factories.ProductReviewFactory(product=shirt, score=4, status=1)
    factories.ProductReviewFactory(product=shirt, score=5, status=1)
    factories.ProductReviewFactory(product=shirt, score=1, status=0)  # pending: not counted
    shirt.refresh_from_db()

    facts = product_facts(shirt)

    assert facts == {
        "title": "Linen shirt",
        "product_class": "Clothing",
        "categories": ["Clothing > Shirts"],
        "attributes": {"Colour": "White", "Material": "Linen", "Pockets": "2", "Weight": "180 g"},
        "price": "49.00",
        "currency": "GBP",
        "description": "A shirt for summer days.",
        "reviews": {"count": 2, "average": 4.5},
    }


def test_a_product_without_price_reviews_or_category():
    product = factories.create_product(title="Gift card", product_class="Cards")

    facts = product_facts(product)

    assert facts["price"] is None and facts["currency"] == ""
    assert facts["categories"] == [] and facts["attributes"] == {}
    assert facts["reviews"] == {"count": 0, "average": None}


def test_a_variant_reads_its_parents_class_categories_and_attributes(shirt):
    shirt.structure = "parent"
    shirt.save()
    shirt.stockrecords.all().delete()
    child = Product.objects.create(title="Linen shirt, size M", parent=shirt, structure="child")
    factories.create_stockrecord(child, price=Decimal("52.00"), num_in_stock=3)

    facts = product_facts(child)

    assert facts["product_class"] == "Clothing"
    assert facts["categories"] == ["Clothing > Shirts"]
    assert facts["attributes"]["Material"] == "Linen"
    assert facts["price"] == "52.00"
    assert product_facts(shirt)["price"] == "52.00"  # a parent shows its variants' price


def test_input_hash_follows_facts_options_and_prompt_version(shirt):
    facts = product_facts(shirt)
    base = input_hash(facts, OPTIONS, 0)

    assert input_hash(dict(reversed(list(facts.items()))), OPTIONS, 0) == base
    assert input_hash({**facts, "title": "Silk shirt"}, OPTIONS, 0) != base
    assert input_hash({**facts, "price": "39.00"}, OPTIONS, 0) != base
    attributes = {**facts["attributes"], "Colour": "Blue"}
    assert input_hash({**facts, "attributes": attributes}, OPTIONS, 0) != base
    assert input_hash(facts, {**OPTIONS, "tone": "luxury"}, 0) != base
    assert input_hash(facts, {**OPTIONS, "keywords": ["summer"]}, 0) != base
    assert input_hash(facts, OPTIONS, 1) != base


def test_input_hash_ignores_the_current_description_and_reviews(shirt):
    """Publishing a draft rewrites the description: that alone must not regenerate it."""
    facts = product_facts(shirt)
    base = input_hash(facts, OPTIONS, 0)

    assert input_hash({**facts, "description": "Our new text."}, OPTIONS, 0) == base
    assert input_hash({**facts, "reviews": {"count": 9, "average": 3.0}}, OPTIONS, 0) == base


def test_input_hash_changes_when_the_product_changes_in_oscar(shirt):
    before = input_hash(product_facts(shirt), OPTIONS, 0)
    shirt.attr.colour = "Sand"
    shirt.save()
    other = make_product("Wool scarf", category="Accessories")

    assert input_hash(product_facts(shirt), OPTIONS, 0) != before
    assert input_hash(product_facts(other), OPTIONS, 0) != before
