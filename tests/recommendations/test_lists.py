"""Customer lists: reasons from batch explanations equal asking each (customer, item) pair."""

from __future__ import annotations

import numpy as np
import pytest
from django.test import override_settings

from oscar_ai_crm.conf import DEFAULTS
from oscar_ai_crm.features.event_interactions import customer_key, interactions_from_events
from oscar_ai_crm.models import Recommendation, RunStatus
from oscar_ai_crm.recommendations import lists as lists_module
from oscar_ai_crm.recommendations.fitting import fit_serving_models
from oscar_ai_crm.recommendations.lists import customer_lists
from oscar_ai_crm.recommendations.training import train_recommendations
from oscar_ai_crm.recommenders.hybrid import HybridRecommender

from .conftest import FAST_MODELS_OVERRIDE

#: ALS sized for a shop of a dozen customers (the defaults are for real shops: on this little
#: data their factors fit noise).
SMALL_ALS = {
    "als": {
        "CLASS": "oscar_ai_crm.recommenders.als.ALSRecommender",
        "OPTIONS": {"factors": 8, "regularization": 5.0, "random_state": 0, "num_threads": 1},
    }
}
MODELS = {**DEFAULTS["RECOMMENDATIONS"]["MODELS"], **FAST_MODELS_OVERRIDE, **SMALL_ALS}
TOP_N = 6
#: Items explained per list here, so that the others show their default kinds.
EXPLAINED = 3
#: The reason kind of items a model proposes but does not explain ("similar" otherwise).
DEFAULT_KINDS = {"popularity": "popular", "bought_together": "bought_together"}
#: The probe bought only A: its first item and reason, per served model.
PROBE_FIRST = {
    "hybrid": ("B", "similar", "A"),
    "item_knn": ("B", "similar", "A"),
    "als": ("B", "similar", "A"),
    "bought_together": ("H", "bought_together", "A"),
}


def per_pair_reasons(model, data, users: np.ndarray) -> dict[int, list[tuple]]:
    """(item, reason kind, reason item) per customer, asking ``explain`` pair by pair."""
    if isinstance(model, HybridRecommender):
        ids, _, winners = model.recommend_explained(
            users, data.user_items, TOP_N, False, None, data.purchased
        )
    else:
        ids, _ = model.recommend(users, data.user_items, TOP_N, False, None, data.purchased)
        winners = np.full(ids.shape, "", dtype=object)
    lists = {}
    for row, user in enumerate(users.tolist()):
        entries = []
        for position, item in enumerate(ids[row][ids[row] >= 0].tolist()):
            alias = winners[row, position]
            explainer = model.component(alias) if alias else model
            reason = (
                explainer.explain(user, data.user_items, item) if position < EXPLAINED else None
            )
            kind = DEFAULT_KINDS.get(explainer.name, "similar") if reason is None else reason.kind
            entries.append((item, kind, None if reason is None else reason.item))
        lists[user] = entries
    return lists


@pytest.mark.django_db
@pytest.mark.parametrize("serve", ["hybrid", "item_knn", "als", "bought_together", "popularity"])
def test_reasons_equal_per_pair_explanations(planted_shop, serve, monkeypatch):
    monkeypatch.setattr(lists_module, "EXPLAINED", EXPLAINED)
    with override_settings(OSCAR_AI_CRM={"RECOMMENDATIONS": {"MODELS": MODELS}}):
        data = interactions_from_events()
        fitted = fit_serving_models(serve, MODELS, data)
        users = np.arange(data.n_users)
        lists = {
            user: [(e.item, e.reason, e.reason_item) for e in entries]
            for user, entries in customer_lists(fitted, data, users, TOP_N)
        }

    assert lists == per_pair_reasons(fitted.serve, data, users)
    names = {product.pk: name for name, product in planted_shop.products.items()}
    name = {i: names[int(pk)] for i, pk in enumerate(data.item_ids)} | {None: None}
    probe_row = data.user_ids.tolist().index(customer_key(planted_shop.probe.pk))
    probe = [(name[item], kind, name[anchor]) for item, kind, anchor in lists[probe_row]]
    assert {anchor for _, _, anchor in probe} <= {"A", None}  # the probe's only history
    if serve in PROBE_FIRST:
        assert probe[0] == PROBE_FIRST[serve]
    else:
        assert {(kind, anchor) for _, kind, anchor in probe} == {("popular", None)}


@pytest.mark.django_db
def test_published_rows_carry_the_reasons(planted_shop):
    with override_settings(OSCAR_AI_CRM={"RECOMMENDATIONS": {"MODELS": MODELS}}):
        run = train_recommendations(trigger="test")

    assert run.status == RunStatus.SERVING, run.message
    rows = Recommendation.objects.filter(user=planted_shop.probe).order_by("rank")
    first = rows.first()
    assert (first.product, first.reason, first.reason_product) == (
        planted_shop.products["B"],
        "similar",
        planted_shop.products["A"],
    )
    anchors = set(rows.values_list("reason_product", flat=True))
    assert anchors <= {planted_shop.products["A"].pk, None}
