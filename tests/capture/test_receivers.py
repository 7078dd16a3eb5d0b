"""Behaviour capture through Oscar's real views and order code."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from oscar.test import factories

from oscar_ai_crm.models import CustomerProfile, Event, EventKind

pytestmark = pytest.mark.django_db


def test_product_page_records_a_view_for_an_anonymous_visitor(browser, product):
    response = browser.get(product.get_absolute_url())

    assert response.status_code == 200
    event = Event.objects.get()
    assert (event.kind, event.product, event.user) == (EventKind.VIEW, product, None)
    assert len(event.session_hash) == 40
    # the visitor was given a session, so their history can follow them to login
    assert response.cookies["sessionid"].value
    assert browser.session.session_key not in event.session_hash


def test_a_customers_views_are_counted_on_their_profile(logged_in, customer, product):
    for _ in range(3):
        assert logged_in.get(product.get_absolute_url()).status_code == 200

    assert Event.objects.filter(kind=EventKind.VIEW, user=customer).count() == 3
    profile = CustomerProfile.objects.get(user=customer)
    assert profile.view_count == 3
    assert profile.first_seen_at <= profile.last_seen_at


def test_search_records_the_query_once_per_search(browser, product):
    browser.get(reverse("search:search"), {"q": "linen shirt"})
    browser.get(reverse("search:search"), {"q": "linen shirt", "page": "2"})
    browser.get(reverse("search:search"), {"q": "   "})

    assert list(Event.objects.values_list("kind", "query")) == [(EventKind.SEARCH, "linen shirt")]


def test_add_to_basket_records_quantity_and_value(logged_in, customer, product):
    response = logged_in.post(reverse("basket:add", args=[product.pk]), {"quantity": 3})

    assert response.status_code == 302
    event = Event.objects.get(kind=EventKind.BASKET_ADD)
    assert (event.product, event.user, event.quantity) == (product, customer, 3)
    assert event.value == Decimal("37.50")
    assert CustomerProfile.objects.get(user=customer).basket_add_count == 1


def test_order_placed_through_oscar_records_order_and_lines(customer, product):
    second = factories.create_product(title="Wool socks")
    factories.create_stockrecord(second, price=Decimal("4.00"), num_in_stock=5)
    basket = factories.create_basket(empty=True)
    basket.add_product(product, quantity=2)
    basket.add_product(second)

    order = factories.create_order(user=customer, basket=basket)

    head = Event.objects.get(kind=EventKind.ORDER)
    assert (head.user, head.order_number, head.value) == (
        customer,
        str(order.number),
        order.total_incl_tax,
    )
    assert head.created_at == order.date_placed
    lines = Event.objects.filter(kind=EventKind.PURCHASE).order_by("product_id")
    assert [(e.product, e.quantity, e.value) for e in lines] == [
        (product, 2, Decimal("25.00")),
        (second, 1, Decimal("4.00")),
    ]
    profile = CustomerProfile.objects.get(user=customer)
    assert (profile.order_count, profile.total_spent) == (1, order.total_incl_tax)
    assert profile.last_order_at == order.date_placed


def test_guest_order_is_recorded_without_a_customer(product):
    basket = factories.create_basket(empty=True)
    basket.add_product(product)

    factories.create_order(basket=basket)

    assert Event.objects.get(kind=EventKind.ORDER).extra["guest"] is True
    assert not CustomerProfile.objects.exists()


def test_review_records_the_score(logged_in, customer, product):
    url = reverse(
        "catalogue:reviews-add", kwargs={"product_slug": product.slug, "product_pk": product.pk}
    )
    response = logged_in.post(url, {"title": "Lovely", "score": 4, "body": "Fits well."})

    assert response.status_code == 302
    event = Event.objects.get(kind=EventKind.REVIEW)
    assert (event.user, event.product, event.rating) == (customer, product, 4)
    assert CustomerProfile.objects.get(user=customer).review_count == 1


def test_anonymous_browsing_is_merged_into_the_customer_at_login(browser, customer, product):
    browser.get(product.get_absolute_url())
    browser.post(reverse("basket:add", args=[product.pk]), {"quantity": 1})
    assert Event.objects.filter(user__isnull=True).count() == 2

    response = browser.post(
        reverse("customer:login"),
        {"login_submit": "1", "login-username": customer.email, "login-password": "skelebrain"},
    )

    assert response.status_code == 302
    assert not Event.objects.filter(user__isnull=True).exists()
    kinds = set(Event.objects.filter(user=customer).values_list("kind", flat=True))
    assert kinds == {EventKind.VIEW, EventKind.BASKET_ADD, EventKind.LOGIN}
    profile = CustomerProfile.objects.get(user=customer)
    assert (profile.view_count, profile.basket_add_count) == (1, 1)


def test_login_through_django_admin_also_merges(browser, product):
    staff = factories.UserFactory(username="staff", is_staff=True)
    browser.get(product.get_absolute_url())

    browser.post(
        reverse("admin:login"), {"username": "staff", "password": "skelebrain", "next": "/admin/"}
    )

    assert Event.objects.get(kind=EventKind.VIEW).user == staff


def test_opted_out_customer_is_not_recorded(logged_in, customer, product):
    response = logged_in.post(reverse("oscar_ai_crm:privacy"), {})  # box unticked
    assert response.status_code == 302
    assert CustomerProfile.objects.get(user=customer).tracking_opted_out

    logged_in.get(product.get_absolute_url())
    logged_in.post(reverse("basket:add", args=[product.pk]), {"quantity": 1})
    basket = factories.create_basket(empty=True)
    basket.add_product(product)
    factories.create_order(user=customer, basket=basket)

    assert not Event.objects.exists()
    assert CustomerProfile.objects.get(user=customer).view_count == 0


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "python-requests/2.32.3",
        "",
    ],
)
def test_bots_are_not_recorded(client, product, user_agent):
    response = client.get(product.get_absolute_url(), headers={"user-agent": user_agent})

    assert response.status_code == 200
    assert not Event.objects.exists()


@pytest.mark.parametrize("header", [{"DNT": "1"}, {"Sec-GPC": "1"}])
def test_do_not_track_headers_are_honoured(browser, product, header, settings):
    browser.get(product.get_absolute_url(), headers=header)
    assert not Event.objects.exists()

    settings.OSCAR_AI_CRM = {"CAPTURE": {"HONOUR_DO_NOT_TRACK": False}}
    browser.get(product.get_absolute_url(), headers=header)
    assert Event.objects.count() == 1


def test_capture_can_be_switched_off(browser, product, settings):
    settings.OSCAR_AI_CRM = {"CAPTURE": {"ENABLED": False}}

    assert browser.get(product.get_absolute_url()).status_code == 200

    assert not Event.objects.exists()


def test_anonymous_capture_can_be_switched_off(browser, logged_in, product, settings):
    settings.OSCAR_AI_CRM = {"CAPTURE": {"ANONYMOUS": False}}
    anonymous = type(browser)(headers={"user-agent": "Mozilla/5.0 Firefox/128.0"})

    anonymous.get(product.get_absolute_url())
    logged_in.get(product.get_absolute_url())

    assert Event.objects.filter(user__isnull=True).count() == 0
    assert Event.objects.filter(user__isnull=False).count() == 1


def test_profile_total_spent_matches_orders(customer, product):
    for _ in range(3):
        basket = factories.create_basket(empty=True)
        basket.add_product(product)
        factories.create_order(user=customer, basket=basket)

    spent = Event.objects.filter(kind=EventKind.ORDER).aggregate(s=Sum("value"))["s"]
    assert CustomerProfile.objects.get(user=customer).total_spent == spent == Decimal("37.50")
