"""Write a planned catalogue to Oscar: category tree, product classes, products, stock.

Products, attribute values and stock records are bulk-created (no Oscar signal needs
to fire for them); categories go through treebeard's ``add_root``/``add_child``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db.models import Model
from django.utils.text import slugify
from oscar.core.loading import get_model

from .catalogue_plan import ProductPlan
from .catalogue_spec import DEPARTMENTS, DepartmentSpec

Category = get_model("catalogue", "Category")
Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ProductAttribute = get_model("catalogue", "ProductAttribute")
ProductAttributeValue = get_model("catalogue", "ProductAttributeValue")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")
StockRecord = get_model("partner", "StockRecord")

VALUE_FIELD = {"text": "value_text", "integer": "value_integer", "float": "value_float"}


def build_catalogue(plans: Sequence[ProductPlan], created_at: datetime) -> list[Model]:
    """Create the catalogue; return the products in plan order, ready for baskets.

    The returned products have their product class and stock records loaded, so adding
    them to a basket does not query for them again.
    """
    leaves = _create_categories()
    classes = {dept.key: _create_product_class(dept) for dept in DEPARTMENTS}
    partners = {
        name: Partner.objects.create(name=name, code=slugify(name))
        for name in dict.fromkeys(dept.partner for dept in DEPARTMENTS)
    }
    products = Product.objects.bulk_create(
        [_product(plan, classes[plan.department][0]) for plan in plans]
    )
    Product.objects.filter(pk__in=[p.pk for p in products]).update(
        date_created=created_at, date_updated=created_at
    )
    ProductCategory.objects.bulk_create(
        [
            ProductCategory(product=product, category=leaves[plan.leaf])
            for plan, product in zip(plans, products, strict=True)
        ]
    )
    ProductAttributeValue.objects.bulk_create(_attribute_values(plans, products, classes))
    departments = {dept.key: dept for dept in DEPARTMENTS}
    StockRecord.objects.bulk_create(
        [
            _stockrecord(plan, product, partners[departments[plan.department].partner])
            for plan, product in zip(plans, products, strict=True)
        ]
    )
    loaded = Product.objects.select_related("product_class").prefetch_related("stockrecords")
    by_pk = loaded.in_bulk([p.pk for p in products])
    return [by_pk[p.pk] for p in products]


def _create_categories() -> dict[str, Model]:
    """The department roots and their children (treebeard); returns leaves by name."""
    leaves = {}
    for dept in DEPARTMENTS:
        root = Category.objects.add_root(
            {
                "name": dept.name,
                "slug": slugify(dept.name),
                "description": f"<p>Shop {dept.name}.</p>",
            }
        )
        for leaf in dept.leaves:
            leaves[leaf.name] = Category.objects.add_child(
                root, {"name": leaf.name, "slug": slugify(leaf.name)}
            )
    return leaves


def _create_product_class(dept: DepartmentSpec) -> tuple[Model, dict[str, Model]]:
    product_class = ProductClass.objects.create(
        name=dept.product_class, slug=slugify(dept.product_class), track_stock=True
    )
    attributes = {
        spec.code: ProductAttribute.objects.create(
            product_class=product_class, name=spec.name, code=spec.code, type=spec.type
        )
        for spec in dept.attributes
    }
    return product_class, attributes


def _product(plan: ProductPlan, product_class: Model) -> Model:
    return Product(
        structure=Product.STANDALONE,
        is_public=plan.is_public,
        upc=plan.upc,
        title=plan.title,
        slug=plan.slug,
        description=plan.description,
        product_class=product_class,
        is_discountable=True,
    )


def _attribute_values(
    plans: Sequence[ProductPlan],
    products: Sequence[Model],
    classes: dict[str, tuple[Model, dict[str, Model]]],
) -> list[Model]:
    values = []
    for plan, product in zip(plans, products, strict=True):
        attributes = classes[plan.department][1]
        for code, value in plan.attributes.items():
            attribute = attributes[code]
            values.append(
                ProductAttributeValue(
                    attribute=attribute, product=product, **{VALUE_FIELD[attribute.type]: value}
                )
            )
    return values


def _stockrecord(plan: ProductPlan, product: Model, partner: Model) -> Model:
    return StockRecord(
        product=product,
        partner=partner,
        partner_sku=f"{partner.code[:4].upper()}-{plan.index + 1:05d}",
        price_currency=settings.OSCAR_DEFAULT_CURRENCY,
        price=plan.price,
        num_in_stock=plan.num_in_stock,
        num_allocated=0,
        low_stock_threshold=5,
    )
