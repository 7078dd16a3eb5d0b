"""Write a run's precomputed recommendations and make it the serving run, atomically."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from oscar.core.loading import get_model

from ..conf import crm_settings
from ..features.event_interactions import customer_pk
from ..features.interactions import Interactions
from ..models import (
    ModelRun,
    ProductLinkKind,
    ProductRecommendation,
    Recommendation,
    RunStatus,
)
from .fitting import FittedModels
from .lists import customer_lists, product_lists

logger = logging.getLogger(__name__)

Product = get_model("catalogue", "Product")

#: Cache key holding the serving run id; tag caches include it, so publishing invalidates them.
SERVING_VERSION_KEY = "oscar_ai_crm:recommendations:serving-run"
BULK_BATCH = 5000


def publish(run: ModelRun, fitted: FittedModels, data: Interactions) -> dict[str, int]:
    """Compute every list, then swap them in for the serving run's in one transaction."""
    top_n = crm_settings.RECOMMENDATIONS["TOP_N"]
    existing_products = set(Product.objects.values_list("pk", flat=True))
    customer_rows = list(_customer_rows(run, fitted, data, top_n, existing_products))
    product_rows = list(_product_rows(run, fitted, data, top_n, existing_products))
    with transaction.atomic():
        Recommendation.objects.all().delete()
        ProductRecommendation.objects.all().delete()
        _bulk(Recommendation, customer_rows)
        _bulk(ProductRecommendation, product_rows)
        ModelRun.objects.filter(status=RunStatus.SERVING).exclude(pk=run.pk).update(
            status=RunStatus.RETIRED
        )
        run.status = RunStatus.SERVING
        run.save(update_fields=["status"])
        transaction.on_commit(lambda: cache.set(SERVING_VERSION_KEY, run.pk, None))
    return {"customer recommendations": len(customer_rows), "product links": len(product_rows)}


def serving_version() -> int:
    """The serving run id as the tag caches know it (0 before any run)."""
    version = cache.get(SERVING_VERSION_KEY)
    if version is None:
        version = (
            ModelRun.objects.filter(status=RunStatus.SERVING).values_list("pk", flat=True).first()
            or 0
        )
        cache.set(SERVING_VERSION_KEY, version, None)
    return int(version)


def _customer_rows(
    run: ModelRun, fitted: FittedModels, data: Interactions, top_n: int, products: set[int]
) -> Iterator[Recommendation]:
    users = {
        index: pk
        for index, key in enumerate(data.user_ids)
        if (pk := customer_pk(str(key))) is not None
    }
    existing = set(
        get_user_model().objects.filter(pk__in=list(users.values())).values_list("pk", flat=True)
    )
    indices = np.array([i for i, pk in users.items() if pk in existing], dtype=np.int64)
    for user_index, entries in customer_lists(fitted, data, indices, top_n):
        rank = 0
        for entry in entries:
            product_id = int(data.item_ids[entry.item])
            if product_id not in products:
                continue
            anchor = None if entry.reason_item is None else int(data.item_ids[entry.reason_item])
            yield Recommendation(
                run=run,
                user_id=users[user_index],
                product_id=product_id,
                rank=rank,
                score=entry.score,
                reason=entry.reason,
                reason_product_id=anchor if anchor in products else None,
            )
            rank += 1


def _product_rows(
    run: ModelRun, fitted: FittedModels, data: Interactions, top_n: int, products: set[int]
) -> Iterator[ProductRecommendation]:
    categories = data.items.category
    for kind, source, entries in product_lists(fitted, data, top_n):
        source_id = None if source is None else int(data.item_ids[source])
        if source_id is not None and source_id not in products:
            continue
        rank = 0
        for entry in entries:
            product_id = int(data.item_ids[entry.item])
            if product_id not in products:
                continue
            yield ProductRecommendation(
                run=run,
                kind=kind,
                source_id=source_id,
                product_id=product_id,
                rank=rank,
                score=entry.score,
                category=(categories[entry.item] if categories else "")[:255]
                if kind == ProductLinkKind.POPULAR
                else "",
            )
            rank += 1


def _bulk(model: Any, rows: Iterable) -> None:
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BULK_BATCH:
            model.objects.bulk_create(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)
