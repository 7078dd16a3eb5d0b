"""Recommendations on the example shop's real Oscar pages, from a real training run.

A small shop gets a planted pattern through Oscar itself (orders placed with Oscar's
``OrderCreator``, so capture records them; product pages opened with the test client):
customers who buy the linen shirt also buy the silk tie. The real ``train_recommendations``
learns it, and the product, home and basket pages must show it, never showing what is out
of stock or not public, whatever the stored rows say.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_class, get_model
from oscar.test import factories

from oscar_ai_crm.capture.clock import recorded_at
from oscar_ai_crm.models import ProductLinkKind, ProductRecommendation, RunStatus
from oscar_ai_crm.recommendations.training import train_recommendations
from tests.conftest import BROWSER_UA

Basket = get_model("basket", "Basket")
StockRecord = get_model("partner", "StockRecord")
Default = get_class("partner.strategy", "Default")

#: Fast real configuration: popularity serves "for you"; similar (item KNN) and bought
#: together are the configured defaults; text similarity is off (no MiniLM load per test).
FAST = {"RECOMMENDATIONS": {"SERVE": "popularity", "SIMILAR_TEXT": None}}
#: Orders by customer index: the planted pair (shirt + tie) dominates; gloves are out of
#: stock and the belt is not public from the start, so training must never store them.
ORDERS = [
    *[["shirt", "tie"]] * 4,
    *[["shirt", "socks"]] * 2,
    *[["scarf", "hat"]] * 2,
    *[["shirt", "gloves"], ["shirt", "belt"]],
]
CATALOGUE = {
    "shirt": "Linen shirt",
    "tie": "Silk tie",
    "socks": "Cotton socks",
    "scarf": "Wool scarf",
    "hat": "Felt hat",
    "jacket": "Denim jacket",
    "gloves": "Leather gloves",
    "belt": "Braided belt",
}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shop(db) -> dict:
    """The catalogue and the order history with the planted pattern, 30 days back."""
    products = {}
    for key, title in CATALOGUE.items():
        product = factories.create_product(title=title, upc=key, is_public=key != "belt")
        stock = 0 if key == "gloves" else 50
        factories.create_stockrecord(product, price=Decimal("20.00"), num_in_stock=stock)
        products[key] = product
    start = timezone.now() - timedelta(days=30)
    for index, keys in enumerate(ORDERS):
        customer = factories.UserFactory()
        place_order(customer, [products[k] for k in keys], start + timedelta(days=2 * index))
    return products


def place_order(customer, products: list, when) -> None:
    """An order through Oscar's OrderCreator (its order_placed signal feeds capture)."""
    basket = Basket.objects.create(owner=customer)
    basket.strategy = Default()
    for product in products:
        basket.add_product(product)
    with recorded_at(when):
        factories.create_order(basket=basket, user=customer)


@pytest.fixture
def train(django_capture_on_commit_callbacks):
    """Run the real training; run on_commit hooks as a real commit would (cache version bump)."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            run = train_recommendations(trigger="test")
        assert run.status == RunStatus.SERVING, run.message
        return run

    return run


def section(html: str, tag: str) -> str:
    match = re.search(rf'crm-recommendations-{tag}">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


def shown(html: str, tag: str) -> list[str]:
    """Titles of the product cards in our block ``tag``, in order."""
    return re.findall(r'<h3 class="mt-3">\s*<a href="[^"]*" title="([^"]+)"', section(html, tag))


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_product_page_shows_what_customers_bought_together(shop, settings, train, browser):
    settings.OSCAR_AI_CRM = FAST
    train()
    html = page(browser, shop["shirt"].get_absolute_url())
    similar = shown(html, "similar_products")
    together = shown(html, "bought_together")
    assert similar[0] == "Silk tie"
    assert together[:2] == ["Silk tie", "Cotton socks"]
    assert "Bought together with Linen shirt" in section(html, "bought_together")
    for title in ("Linen shirt", "Leather gloves", "Braided belt"):
        assert title not in similar + together
    assert "<h1>Linen shirt</h1>" in html  # Oscar's own page is all there


def test_cached_cards_carry_each_visitors_own_csrf_token(shop, settings, train, browser):
    settings.OSCAR_AI_CRM = FAST
    train()
    url = shop["shirt"].get_absolute_url()
    page(browser, url)  # the first visitor fills the cache
    visitor = Client(enforce_csrf_checks=True, headers={"user-agent": BROWSER_UA})
    block = section(page(visitor, url), "similar_products")  # served from the cache
    action = f"/basket/add/{shop['tie'].pk}/"
    token = re.search(
        rf'action="{action}".*?name="csrfmiddlewaretoken" value="([^"]+)"', block, re.S
    )
    assert token is not None
    response = visitor.post(action, {"quantity": 1, "csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302  # a foreign or placeholder token would get a 403
    assert Basket.objects.filter(lines__product=shop["tie"]).exists()


def test_products_unavailable_since_training_never_show(shop, settings, train, browser):
    settings.OSCAR_AI_CRM = {"RECOMMENDATIONS": {**FAST["RECOMMENDATIONS"], "CACHE_SECONDS": 0}}
    train()
    StockRecord.objects.filter(product=shop["tie"]).update(num_in_stock=0, num_allocated=0)
    type(shop["socks"]).objects.filter(pk=shop["socks"].pk).update(is_public=False)
    stored = set(
        ProductRecommendation.objects.filter(source=shop["shirt"]).values_list("product", flat=True)
    )
    assert {shop["tie"].pk, shop["socks"].pk} <= stored
    assert not {shop["gloves"].pk, shop["belt"].pk} & stored  # excluded at training already
    html = page(browser, shop["shirt"].get_absolute_url())
    for tag in ("similar_products", "bought_together"):
        for title in ("Silk tie", "Cotton socks", "Leather gloves", "Braided belt"):
            assert title not in shown(html, tag)
    assert shown(html, "similar_products")  # topped up with popular products in stock


def test_home_page_recommends_the_planted_pair_to_a_customer(shop, settings, train, browser):
    settings.OSCAR_AI_CRM = {"RECOMMENDATIONS": {"SIMILAR_TEXT": None}}  # the default hybrid
    customer = factories.UserFactory()
    place_order(customer, [shop["shirt"]], timezone.now() - timedelta(days=1))
    train()
    browser.force_login(customer)
    browser.get(shop["jacket"].get_absolute_url())
    html = page(browser, "/catalogue/")
    for_you = shown(html, "recommended_for_you")
    assert "Silk tie" in for_you
    assert "Linen shirt" not in for_you  # already bought
    assert not {"Leather gloves", "Braided belt"} & set(for_you)
    assert shown(html, "recently_viewed") == ["Denim jacket"]


def test_anonymous_visitor_gets_popular_then_history_based_blocks(shop, settings, train, browser):
    settings.OSCAR_AI_CRM = FAST
    train()
    response = browser.get("/catalogue/")
    html = response.content.decode()
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # the tags create no session
    for_you = shown(html, "recommended_for_you")
    assert len(for_you) == 4 and "Linen shirt" in for_you
    assert "Popular" in section(html, "recommended_for_you")
    assert section(html, "recently_viewed") == ""

    browser.get(shop["scarf"].get_absolute_url())  # capture gives the visitor a session
    browser.get(shop["tie"].get_absolute_url())
    html = page(browser, "/catalogue/")
    assert shown(html, "recently_viewed") == ["Silk tie", "Wool scarf"]
    for_you = shown(html, "recommended_for_you")
    assert set(for_you[:2]) == {"Linen shirt", "Felt hat"}  # similar to what was viewed


def test_basket_page_shows_what_goes_with_the_basket(shop, settings, train, browser):
    settings.OSCAR_AI_CRM = FAST
    train()
    response = browser.post(f"/basket/add/{shop['shirt'].pk}/", {"quantity": 1})
    assert response.status_code == 302
    html = page(browser, "/basket/")
    assert shown(html, "bought_together")[:2] == ["Silk tie", "Cotton socks"]
    assert "Linen shirt" not in shown(html, "bought_together")
    assert shown(html, "recommended_for_you")


def test_a_new_run_invalidates_the_cached_blocks(shop, settings, train, browser):
    settings.OSCAR_AI_CRM = FAST
    first = train()
    url = shop["shirt"].get_absolute_url()
    assert shown(page(browser, url), "similar_products")[0] == "Silk tie"
    type(shop["tie"]).objects.filter(pk=shop["tie"].pk).update(title="Silk bow tie")
    assert shown(page(browser, url), "similar_products")[0] == "Silk tie"  # served from cache
    second = train()
    assert second.pk != first.pk
    assert shown(page(browser, url), "similar_products")[0] == "Silk bow tie"
    stored = ProductRecommendation.objects.filter(kind=ProductLinkKind.SIMILAR)
    assert set(stored.values_list("run", flat=True)) == {second.pk}
