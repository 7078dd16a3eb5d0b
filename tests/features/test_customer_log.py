"""The customer log read from real Event rows, Oscar products and categories."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
from oscar.core.loading import get_model
from oscar.test import factories

from oscar_ai_crm.features.customer_features import customer_table
from oscar_ai_crm.features.customer_log import customer_log_from_events
from oscar_ai_crm.features.customer_table import FEATURES
from oscar_ai_crm.models import Event

Category = get_model("catalogue", "Category")
ProductCategory = get_model("catalogue", "ProductCategory")

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(day: int) -> datetime:
    return START + timedelta(days=day)


@pytest.fixture
def catalogue():
    """Clothing is created before Books, so its paths sort first."""
    tree = Category.objects
    clothing = tree.add_root({"name": "Clothing"})
    shirts = tree.add_child(clothing, {"name": "Shirts"})
    books = tree.add_root({"name": "Books"})
    crime = tree.add_child(tree.add_child(books, {"name": "Fiction"}), {"name": "Crime"})
    novel = factories.create_product(title="Novel", upc="N-1")
    shirt = factories.create_product(title="Shirt", upc="S-1", structure="parent")
    small = factories.create_product(title="Shirt S", upc="S-1-S", parent=shirt)
    plain = factories.create_product(title="Plain", upc="P-1")
    both = factories.create_product(title="Both", upc="B-1")
    for product, category in [(novel, crime), (shirt, shirts), (both, crime), (both, shirts)]:
        ProductCategory.objects.create(product=product, category=category)
    return {"novel": novel, "shirt": shirt, "small": small, "plain": plain, "both": both}


@pytest.fixture
def shop(catalogue):
    ann = factories.UserFactory(email="ann@example.com")
    bob = factories.UserFactory(email="bob@example.com")  # active, no events
    gone = factories.UserFactory(email="gone@example.com", is_active=False)

    def event(kind, day, user=ann, **fields):
        return Event.objects.create(kind=kind, user=user, created_at=at(day), **fields)

    event("view", 0, product=catalogue["small"])  # a variant: counts for the shirt
    event("basket_add", 1, product=catalogue["small"], value=Decimal("9.99"))
    event("order", 2, value=Decimal("25.50"), extra={"discount": "0.00", "vouchers": []})
    event("purchase", 2, product=catalogue["novel"], value=Decimal("25.50"))
    event("order", 3, value=Decimal("40.00"), extra={"discount": "5.00", "vouchers": []})
    event("order", 4, value=Decimal("10.00"), extra={"discount": "0.00", "vouchers": ["SPRING"]})
    event("order", 5, value=Decimal("12.00"))  # no extra at all
    event("review", 6, product=catalogue["both"], rating=4)
    event("search", 7, query="shirts")
    event("rec_impression", 8, product=catalogue["plain"])  # the shop's doing: skipped
    event("view", 9, product=catalogue["plain"])
    event("view", 1, user=gone, product=catalogue["novel"])  # inactive customer
    Event.objects.create(kind="view", session_hash="abc", product=catalogue["novel"])
    return {"ann": ann, "bob": bob, "gone": gone, **catalogue}


def by_time(log):
    """The event columns ordered by time, then kind (the query has no order)."""
    order = np.lexsort((log.event_kind.astype(str), log.event_time))
    names = ("customer", "kind", "time", "product", "value", "rating", "discounted")
    return {f"event_{name}": getattr(log, f"event_{name}")[order] for name in names}


def test_columns_from_the_event_log(shop):
    log = customer_log_from_events()
    columns = by_time(log)
    ann, shirt, novel, both, plain = (
        shop[k].pk for k in ("ann", "shirt", "novel", "both", "plain")
    )
    assert columns["event_customer"].tolist() == [ann] * 10
    assert columns["event_kind"].tolist() == [
        "view", "basket_add", "order", "purchase", "order", "order", "order", "review",
        "search", "view",
    ]  # fmt: skip
    assert columns["event_time"].tolist() == [
        at(day).timestamp() for day in (0, 1, 2, 2, 3, 4, 5, 6, 7, 9)
    ]
    assert columns["event_product"].tolist() == [
        shirt, shirt, -1, novel, -1, -1, -1, both, -1, plain
    ]  # fmt: skip
    nan = np.nan
    assert columns["event_value"].tolist() == pytest.approx(
        [nan, nan, 25.5, 25.5, 40.0, 10.0, 12.0, nan, nan, nan], nan_ok=True
    )
    rating = columns["event_rating"]
    assert rating[7] == 4 and np.isnan(np.delete(rating, 7)).all()
    assert columns["event_discounted"].tolist() == [
        False, False, False, False, True, True, False, False, False, False
    ]  # fmt: skip


def test_catalogue_and_customers(shop):
    log = customer_log_from_events()
    products = dict(zip(log.product_ids.tolist(), log.product_category.tolist(), strict=True))
    assert products == {
        shop["novel"].pk: "Books",  # Books > Fiction > Crime
        shop["shirt"].pk: "Clothing",  # the variant is not a product of its own
        shop["plain"].pk: "",
        shop["both"].pk: "Clothing",  # Shirts' path sorts before Crime's
    }
    assert log.product_ids.tolist() == sorted(products)
    assert log.customers.tolist() == sorted([shop["ann"].pk, shop["bob"].pk])


def test_as_of_and_days_window(shop):
    assert len(customer_log_from_events(as_of=at(4))) == 5  # day 4 itself is excluded
    assert len(customer_log_from_events(as_of=at(4), days=2)) == 3  # days 2 and 3
    recent = customer_log_from_events(days=3650)
    assert len(recent) == 10
    with pytest.raises(ValueError, match="days must be a positive"):
        customer_log_from_events(days=0)


def test_the_log_feeds_the_feature_table(shop):
    table = customer_table(customer_log_from_events(), at(10).timestamp())
    assert table.customer_ids.tolist() == sorted([shop["ann"].pk, shop["bob"].pk])
    ann = dict(zip(FEATURES, table.values[table.customer_ids == shop["ann"].pk][0], strict=True))
    assert (ann["frequency"], ann["monetary"], ann["discount_share"]) == (4, 87.5, 0.5)
    assert (ann["views"], ann["basket_adds"], ann["reviews"], ann["tenure_days"]) == (2, 1, 1, 10)
    assert table.categories == ["Books", "Clothing"]
    # views: shirt 1 (Clothing), plain 1 (none); addition shirt 3; purchase novel 5 (Books);
    # review "both" 2 (Clothing)
    ann_shares = table.category_shares[table.customer_ids == shop["ann"].pk][0]
    assert ann_shares.tolist() == pytest.approx([5 / 11, 6 / 11])


def test_empty_log(db):
    log = customer_log_from_events()
    assert len(log) == 0 and log.event_time.dtype == np.float64
    assert log.customers.dtype == np.int64 and log.product_ids.dtype == np.int64
