"""The recommendation tags on stored rows: output, ``as var``, limits, caching, query counts.

Rows are written directly (the serving contract); tests/integration/test_recommendation_pages.py
trains real runs and reads real Oscar pages.
"""

import logging
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.template import Context, Template
from oscar.test import factories

from oscar_ai_crm.capture.identity import hash_session_key
from oscar_ai_crm.models import (
    Event,
    EventKind,
    ModelRun,
    ProductLinkKind,
    ProductRecommendation,
    ReasonKind,
    Recommendation,
    RunStatus,
)
from oscar_ai_crm.recommendations.blocks import CSRF_PLACEHOLDER
from oscar_ai_crm.recommendations.publishing import SERVING_VERSION_KEY

#: Prints the titles of an ``as recs`` list.
LOOP = "{% for s in recs %}{{ s.product.get_title }};{% endfor %}"
TITLES = ["Linen shirt", "Wool scarf", "Silk tie", "Cotton socks", "Denim jacket", "Felt hat"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Tag HTML and the serving version live in the cache: start and end every test empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shop(db) -> dict:
    """Six public products in stock, by title."""
    products = {}
    for index, title in enumerate(TITLES):
        product = factories.create_product(title=title, upc=f"T-{index}")
        factories.create_stockrecord(product, price=Decimal("10.00"), num_in_stock=5)
        products[title] = product
    return products


def serve(links: list[tuple[str, object, object]], run: ModelRun | None = None) -> ModelRun:
    """A serving run with product links ``(kind, source or None, product)``, in rank order."""
    if run is None:
        run = ModelRun.objects.create(model="test", status=RunStatus.SERVING)
    ranks: dict[tuple, int] = {}
    for kind, source, product in links:
        rank = ranks.get((kind, source), 0)
        ranks[(kind, source)] = rank + 1
        ProductRecommendation.objects.create(
            run=run, kind=kind, source=source, product=product, rank=rank, score=1.0 / (rank + 1)
        )
    return run


def page_request(client):
    """A real request that went through the shop's middleware (session, user, basket)."""
    return client.get("/accounts/login/").wsgi_request


def render(source: str, request, **context) -> str:
    context = {"request": request, "csrf_token": "token-of-the-page", **context}
    return Template("{% load crm_tags %}" + source).render(Context(context))


def section(html: str, tag: str) -> str:
    match = re.search(rf'crm-recommendations-{tag}">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


def shown(html: str) -> list[str]:
    """Product titles in the order their cards appear."""
    return re.findall(r'<h3 class="mt-3">\s*<a href="[^"]*" title="([^"]+)"', html)


def test_as_var_iterates_suggestions_in_rank_order_within_two_queries(
    shop, browser, django_assert_max_num_queries
):
    shirt = shop["Linen shirt"]
    serve(
        [
            (ProductLinkKind.SIMILAR, shirt, shop["Silk tie"]),
            (ProductLinkKind.SIMILAR, shirt, shop["Wool scarf"]),
            (ProductLinkKind.POPULAR, None, shop["Felt hat"]),
        ]
    )
    request = page_request(browser)
    source = (
        "{% similar_products product limit=3 as recs %}{{ recs|length }}:"
        "{% for s in recs %}{{ s.product.get_title }}|{{ s.explanation }};{% endfor %}"
    )
    with django_assert_max_num_queries(2):
        html = render(source, request, product=shirt)
    assert html == (
        "3:Silk tie|Because you viewed Linen shirt;Wool scarf|Because you viewed Linen shirt;"
        "Felt hat|Popular right now;"
    )


def test_cards_gives_products_ready_for_oscars_card(shop, browser):
    shirt = shop["Linen shirt"]
    serve([(ProductLinkKind.SIMILAR, shirt, shop["Silk tie"])])
    source = (
        "{% load product_tags %}{% similar_products product as recs %}"
        "{% for s in recs.cards %}{% render_product s.product %}{% endfor %}"
    )
    html = render(source, page_request(browser), product=shirt)
    assert shown(html) == ["Silk tie"]
    assert 'class="product_pod"' in html


def test_output_renders_oscar_cards_with_reasons_and_csrf_of_the_visitor(shop, browser):
    shirt = shop["Linen shirt"]
    serve([(ProductLinkKind.SIMILAR, shirt, shop["Silk tie"])])
    request = page_request(browser)
    html = render("{% similar_products product title='You may like' %}", request, product=shirt)
    block = section(html, "similar_products")
    assert "<h2>You may like</h2>" in block
    assert 'class="product_pod"' in block and "col-sm-6 col-md-4 col-lg-3" in block
    assert shown(block) == ["Silk tie"]
    assert "Because you viewed Linen shirt" in block
    # The card's add-to-basket form carries this visitor's token, never the placeholder.
    assert 'name="csrfmiddlewaretoken" value="token-of-the-page"' in block
    assert CSRF_PLACEHOLDER not in html


def test_empty_block_renders_nothing(shop, browser):
    request = page_request(browser)
    html = render(
        "{% similar_products product %}[{% bought_together None %}]", request, product=None
    )
    assert html == "[]"
    serve([])
    html = render("{% similar_products product %}", request, product=shop["Linen shirt"])
    assert html == ""


def test_cached_html_costs_no_query_and_keeps_each_visitors_csrf_token(
    shop, browser, client, django_assert_num_queries
):
    shirt = shop["Linen shirt"]
    serve([(ProductLinkKind.BOUGHT_TOGETHER, shirt, shop["Cotton socks"])])
    first, second = page_request(browser), page_request(client)
    source = "{% bought_together product %}"
    html = render(source, first, product=shirt, csrf_token="first-token")
    assert shown(html) == ["Cotton socks"]
    assert 'value="first-token"' in html
    with django_assert_num_queries(0):
        again = render(source, second, product=shirt, csrf_token="second-token")
    assert shown(again) == ["Cotton socks"]
    assert 'value="second-token"' in again and "first-token" not in again


def test_a_new_serving_version_invalidates_the_cached_block(shop, browser):
    shirt = shop["Linen shirt"]
    old = serve([(ProductLinkKind.SIMILAR, shirt, shop["Silk tie"])])
    request = page_request(browser)
    source = "{% similar_products product %}"
    assert shown(render(source, request, product=shirt)) == ["Silk tie"]
    ProductRecommendation.objects.all().delete()
    ModelRun.objects.filter(pk=old.pk).update(status=RunStatus.RETIRED)
    new = serve([(ProductLinkKind.SIMILAR, shirt, shop["Denim jacket"])])
    assert shown(render(source, request, product=shirt)) == ["Silk tie"]  # cached
    cache.set(SERVING_VERSION_KEY, new.pk, None)  # what publishing does on commit
    assert shown(render(source, request, product=shirt)) == ["Denim jacket"]


def test_cache_key_covers_limit_title_and_template_arguments(shop, browser):
    shirt = shop["Linen shirt"]
    serve([(ProductLinkKind.SIMILAR, shirt, p) for p in list(shop.values())[1:]])
    request = page_request(browser)
    assert len(shown(render("{% similar_products product limit=2 %}", request, product=shirt))) == 2
    assert len(shown(render("{% similar_products product limit=3 %}", request, product=shirt))) == 3
    titled = render("{% similar_products product limit=2 title='Other' %}", request, product=shirt)
    assert "<h2>Other</h2>" in titled


@pytest.mark.parametrize("limit", ["0", "-3", "'many'"])
def test_non_positive_limit_logs_and_falls_back_to_the_default(shop, browser, caplog, limit):
    shirt = shop["Linen shirt"]
    serve([(ProductLinkKind.SIMILAR, shirt, p) for p in list(shop.values())[1:]])
    request = page_request(browser)
    with caplog.at_level(logging.WARNING, logger="oscar_ai_crm.recommendations.blocks"):
        html = render(f"{{% similar_products product limit={limit} %}}", request, product=shirt)
    assert len(shown(html)) == 4
    assert "not a positive number" in caplog.text


def test_limit_is_capped_to_top_n(shop, browser, settings):
    settings.OSCAR_AI_CRM = {"RECOMMENDATIONS": {"TOP_N": 2}}
    shirt = shop["Linen shirt"]
    serve([(ProductLinkKind.SIMILAR, shirt, p) for p in list(shop.values())[1:]])
    request = page_request(browser)
    html = render(
        "{% similar_products product limit=10 as recs %}{{ recs|length }}", request, product=shirt
    )
    assert html == "2"


def test_recommended_for_you_reads_the_customers_stored_list(
    shop, logged_in, customer, django_assert_max_num_queries
):
    run = serve([(ProductLinkKind.POPULAR, None, shop["Felt hat"])])
    Recommendation.objects.create(
        run=run,
        user=customer,
        product=shop["Wool scarf"],
        rank=0,
        score=1.0,
        reason=ReasonKind.SIMILAR,
        reason_product=shop["Linen shirt"],
    )
    request = page_request(logged_in)
    source = "{% recommended_for_you limit=2 as recs %}" + LOOP
    with django_assert_max_num_queries(2):
        html = render(source, request)
    assert html == "Wool scarf;Felt hat;"


def test_anonymous_visitor_without_session_gets_popular_and_no_session(shop, browser):
    serve([(ProductLinkKind.POPULAR, None, shop["Felt hat"])])
    request = page_request(browser)
    assert request.session.session_key is None
    html = render("{% recommended_for_you %}", request)
    assert shown(section(html, "recommended_for_you")) == ["Felt hat"]
    assert "Popular right now" in html
    assert request.session.session_key is None


def test_bought_together_takes_oscars_basket(shop, browser):
    shirt, scarf = shop["Linen shirt"], shop["Wool scarf"]
    serve(
        [
            (ProductLinkKind.BOUGHT_TOGETHER, shirt, shop["Cotton socks"]),
            (ProductLinkKind.BOUGHT_TOGETHER, scarf, shop["Felt hat"]),
            (ProductLinkKind.BOUGHT_TOGETHER, scarf, shirt),
        ]
    )
    for product in (shirt, scarf):
        browser.post(f"/basket/add/{product.pk}/", {"quantity": 1})
    request = page_request(browser)
    html = render(
        "{% bought_together request.basket as recs %}" + LOOP,
        request,
    )
    assert sorted(html.strip(";").split(";")) == ["Cotton socks", "Felt hat"]


def test_recently_viewed_is_not_cached_and_excludes_the_current_product(shop, browser):
    shirt, tie = shop["Linen shirt"], shop["Silk tie"]
    browser.get(shirt.get_absolute_url())
    request = page_request(browser)
    session_hash = hash_session_key(request.session.session_key)
    source = "{% recently_viewed exclude=product %}"
    assert shown(render(source, request, product=tie)) == ["Linen shirt"]
    Event.objects.create(kind=EventKind.VIEW, session_hash=session_hash, product=shop["Felt hat"])
    assert shown(render(source, request, product=tie)) == ["Felt hat", "Linen shirt"]
    assert shown(render(source, request, product=shirt)) == ["Felt hat"]


def test_card_queries_do_not_grow_with_the_number_of_products(
    shop, browser, django_assert_max_num_queries
):
    shirt = shop["Linen shirt"]
    serve([(ProductLinkKind.SIMILAR, shirt, p) for p in list(shop.values())[1:]])
    request = page_request(browser)
    render("{% similar_products product limit=1 %}", request, product=shirt)  # warms caches
    costs = {}
    for limit in (2, 5):
        cache.clear()
        with django_assert_max_num_queries(20) as captured:
            html = render(f"{{% similar_products product limit={limit} %}}", request, product=shirt)
        assert len(shown(html)) == limit
        costs[limit] = len(captured.captured_queries)
    assert costs[2] == costs[5]
