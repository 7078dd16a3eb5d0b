"""The contract every recommender passes, and known-answer synthetic data.

Reuse it for any new model (as implicit's ``RecommenderBaseTestMixin``)::

    class TestMyModel(RecommenderContract, PlantedPatternContract):
        def make_model(self):
            return MyModel(random_state=0)

:class:`RecommenderContract` checks the interface (shapes, dtypes, ordering, filters,
padding, fitted checks, sklearn ``clone``); :class:`PlantedPatternContract` checks that the
model finds the pattern planted by :func:`planted_interactions`: two groups of customers
with disjoint tastes, and in each group an *anchor* item always bought with a *partner*.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone

from oscar_ai_crm.exceptions import NotFittedError, UnsupportedFeature
from oscar_ai_crm.features.interactions import Interactions
from oscar_ai_crm.recommenders.base import Reason, Recommender

DAY = 86_400
START = 1_700_000_000
REASON_KINDS = {"similar", "bought_together", "popular", "history", "rated"}
#: item id -> (text, category) per taste group; the first item is the group's anchor,
#: the second its partner (also the closest text).
GROUP_ITEMS = {
    "garden": {
        "g-anchor": "garden hose reel for watering the lawn",
        "g-partner": "spray nozzle for a garden hose",
        "g2": "steel pruning shears",
        "g3": "leather work gloves",
        "g4": "bag of potting soil",
        "g5": "terracotta flower pot",
    },
    "kitchen": {
        "k-anchor": "espresso coffee machine",
        "k-partner": "whole coffee beans for espresso",
        "k2": "cast iron frying pan",
        "k3": "chef knife with a wooden handle",
        "k4": "bamboo cutting board",
        "k5": "set of cotton tea towels",
    },
}
GROUPS = {group: list(items) for group, items in GROUP_ITEMS.items()}
#: Catalogue items nobody interacted with (one with text, one without), for
#: :func:`planted_interactions` ``(new_items=True)``.
NEW_ITEMS = {"g-new": "garden hose reel with a longer hose", "x-new": ""}

Row = tuple[str, str, int, str, str, float]  # user, item, time, event, basket, rating


@dataclass(frozen=True)
class Probe:
    """A customer who bought only their group's anchor (indices into the planted data)."""

    user: int
    anchor: int
    partner: int
    group_items: np.ndarray


@functools.cache
def planted_interactions(
    customers_per_group: int = 50, seed: int = 0, new_items: bool = False
) -> Interactions:
    """Two taste groups over 200 days; in each, every customer buys anchor + partner.

    Per customer: one order with the anchor and the partner (sometimes a third group item),
    both reviewed 5 stars; a later order with two other group items reviewed 1-3 stars; a
    few views of group items. One probe customer per group ("<group>-probe") bought and
    rated only the anchor. Items carry text (the partner's is closest to the anchor's) and
    the group as category. With ``new_items`` the catalogue also holds :data:`NEW_ITEMS`.
    """
    rng = np.random.default_rng(seed)
    rows: list[Row] = []
    for group, items in GROUPS.items():
        for n in range(customers_per_group):
            rows += _customer_rows(rng, f"{group}-{n}", items)
        day, probe_user = START + 190 * DAY, f"{group}-probe"
        rows.append((probe_user, items[0], day, "purchase", f"{probe_user}/1", np.nan))
        rows.append((probe_user, items[0], day, "review", "", 5.0))
    users, item_ids, times, events, baskets, ratings = zip(*rows, strict=True)
    info = {
        item: {"text": text, "category": group}
        for group, texts in GROUP_ITEMS.items()
        for item, text in texts.items()
    }
    if new_items:
        info |= {item: {"text": text, "category": "new"} for item, text in NEW_ITEMS.items()}
    return Interactions.from_columns(
        users,
        item_ids,
        times,
        events=events,
        baskets=baskets,
        ratings=ratings,
        items_info=info,
        all_item_ids=list(NEW_ITEMS) if new_items else None,
    )


def _customer_rows(rng: np.random.Generator, user: str, items: list[str]) -> list[Row]:
    anchor, partner, others = items[0], items[1], items[2:]
    day = START + int(rng.integers(0, 180)) * DAY
    first = [anchor, partner] + ([str(rng.choice(others))] if rng.random() < 0.3 else [])
    second = [str(item) for item in rng.choice(others, size=2, replace=False)]
    rows: list[Row] = [(user, item, day, "purchase", f"{user}/1", np.nan) for item in first]
    rows += [(user, item, day, "review", "", 5.0) for item in (anchor, partner)]
    later = day + 7 * DAY
    rows += [(user, item, later, "purchase", f"{user}/2", np.nan) for item in second]
    rows += [(user, item, later, "review", "", float(rng.integers(1, 4))) for item in second]
    rows += [(user, str(rng.choice(items)), day - DAY, "view", "", np.nan) for _ in range(3)]
    return rows


def probe(interactions: Interactions, group: str) -> Probe:
    """The probe customer of ``group`` and the group's item indices."""
    user_pos = {user: i for i, user in enumerate(interactions.user_ids.tolist())}
    item_pos = {item: i for i, item in enumerate(interactions.item_ids.tolist())}
    indices = np.array([item_pos[item] for item in GROUPS[group]])
    return Probe(user_pos[f"{group}-probe"], int(indices[0]), int(indices[1]), indices)


def with_new_user(user_items: sparse.csr_matrix, items: list[int]) -> sparse.csr_matrix:
    """``user_items`` plus one row (index ``n_users``) holding ``items`` with weight 5."""
    row = sparse.csr_matrix(
        (np.full(len(items), 5.0, dtype=np.float32), ([0] * len(items), items)),
        shape=(1, user_items.shape[1]),
    )
    return sparse.csr_matrix(sparse.vstack([user_items, row]))


def explain_pairs(data: Interactions, n_random: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """(users, items) to explain: random pairs over users ``0..n_users`` (``n_users`` is
    the empty row :func:`with_new_user` adds), every item for the empty user and for each
    probe, and every user with the items nobody interacted with."""
    rng = np.random.default_rng(0)
    users = [rng.integers(0, data.n_users + 1, n_random)]
    items = [rng.integers(0, data.n_items, n_random)]
    unseen = np.flatnonzero(np.bincount(data.item_index, minlength=data.n_items) == 0)
    for user in [data.n_users, probe(data, "garden").user, probe(data, "kitchen").user]:
        users.append(np.full(data.n_items, user))
        items.append(np.arange(data.n_items))
    users.append(np.repeat(np.arange(data.n_users), len(unseen)))
    items.append(np.tile(unseen, data.n_users))
    return np.concatenate(users), np.concatenate(items)


def reason_arrays(reasons: list[Reason | None]) -> tuple[list[str], list[int]]:
    """Per-pair ``explain`` answers in ``explain_batch``'s form ("" and -1 for none)."""
    kinds = ["" if r is None else r.kind for r in reasons]
    items = [-1 if r is None or r.item is None else r.item for r in reasons]
    return kinds, items


class RecommenderContract:
    """Interface checks every recommender passes; subclasses define :meth:`make_model`."""

    #: ``filter_already_liked_items`` in the generic checks (False for "buy again" models).
    filter_liked = True

    def make_model(self) -> Recommender:
        raise NotImplementedError

    @pytest.fixture(scope="class")
    @classmethod
    def data(cls) -> Interactions:
        return planted_interactions()

    @pytest.fixture(scope="class")
    @classmethod
    def fitted(cls, data: Interactions) -> Recommender:
        """One fitted model shared by the class's read-only checks."""
        return cls().make_model().fit(data)

    def recommend_all(self, model: Recommender, data: Interactions, n: int = 5, **kwargs):
        kwargs.setdefault("filter_already_liked_items", self.filter_liked)
        return model.recommend(np.arange(data.n_users), data.user_items, N=n, **kwargs)

    def test_fit_returns_self(self, data):
        model = self.make_model()
        assert model.fit(data) is model

    def test_shapes_dtypes_and_padding_agree(self, fitted, data):
        ids, scores = self.recommend_all(fitted, data, n=4)
        assert ids.shape == scores.shape == (data.n_users, 4)
        assert ids.dtype == np.int32 and scores.dtype == np.float32
        assert ((ids >= -1) & (ids < data.n_items)).all()
        assert np.array_equal(ids == -1, np.isneginf(scores))
        assert not np.isnan(scores).any()
        for row in ids:
            chosen = row[row >= 0]
            assert len(set(chosen.tolist())) == len(chosen)

    def test_scores_non_increasing(self, fitted, data):
        _, scores = self.recommend_all(fitted, data, n=8)
        assert (scores[:, :-1] >= scores[:, 1:]).all()

    def test_single_user_gives_flat_arrays(self, fitted, data):
        ids, scores = fitted.recommend(0, data.user_items, N=3)
        assert ids.shape == scores.shape == (3,)

    def test_filter_items(self, fitted, data):
        banned = probe(data, "garden").group_items
        ids, _ = self.recommend_all(fitted, data, n=8, filter_items=banned)
        assert not np.isin(ids, banned).any()

    def test_filter_already_liked_items(self, fitted, data):
        ids, _ = self.recommend_all(fitted, data, n=8, filter_already_liked_items=True)
        for user, row in enumerate(ids):
            assert not np.isin(row, data.user_items[user].indices).any()

    def test_filter_user_items(self, fitted, data):
        ids, _ = self.recommend_all(fitted, data, n=8, filter_user_items=data.purchased)
        for user, row in enumerate(ids):
            assert not np.isin(row, data.purchased[user].indices).any()

    def test_n_beyond_catalogue_pads(self, fitted, data):
        ids, scores = self.recommend_all(fitted, data, n=data.n_items + 3)
        assert (ids[:, -3:] == -1).all() and np.isneginf(scores[:, -3:]).all()

    def test_user_added_after_fit(self, fitted, data):
        garden = probe(data, "garden")
        user_items = with_new_user(data.user_items, [garden.anchor])
        ids, scores = fitted.recommend(data.n_users, user_items, N=3)
        assert ids.shape == (3,) and ids[0] != garden.anchor

    def test_unfitted_raises(self, data):
        model = self.make_model()
        with pytest.raises(NotFittedError):
            model.recommend(0, data.user_items)
        with pytest.raises(NotFittedError):
            model.similar_items(0)

    def test_clone_keeps_params_only(self, fitted):
        copy = clone(fitted)
        assert copy.get_params() == fitted.get_params()
        assert not hasattr(copy, "n_items_")
        signature = inspect.signature(type(fitted).__init__).parameters
        assert set(copy.get_params()) == set(signature) - {"self"}

    def test_fit_is_repeatable(self, fitted, data):
        again = self.make_model().fit(data)
        first, _ = self.recommend_all(fitted, data)
        second, _ = self.recommend_all(again, data)
        assert np.array_equal(first, second)

    def test_similar_items_never_self(self, fitted, data):
        items = np.arange(data.n_items)
        try:
            ids, scores = fitted.similar_items(items, N=4)
        except UnsupportedFeature:
            return
        assert ids.shape == (data.n_items, 4) and ids.dtype == np.int32
        assert not (ids == items[:, None]).any()
        assert (scores[:, :-1] >= scores[:, 1:]).all()

    def test_explain_names_a_known_reason(self, fitted, data):
        ids, _ = self.recommend_all(fitted, data, n=1)
        for user in range(0, data.n_users, 7):
            if ids[user, 0] < 0:
                continue
            reason = fitted.explain(user, data.user_items, int(ids[user, 0]))
            assert reason is None or isinstance(reason, Reason)
            if reason is not None:
                assert reason.kind in REASON_KINDS
                assert reason.item is None or 0 <= reason.item < data.n_items

    def test_explain_batch_equals_explain(self):
        """Pair for pair, with a customer without history and items nobody touched."""
        data = planted_interactions(new_items=True)
        model = self.make_model().fit(data)
        user_items = with_new_user(data.user_items, [])
        users, items = explain_pairs(data)
        kinds, reason_items = model.explain_batch(users, user_items, items)
        pairs = zip(users.tolist(), items.tolist(), strict=True)
        expected = [model.explain(user, user_items, item) for user, item in pairs]
        assert kinds.dtype == object and reason_items.dtype == np.int64
        assert (kinds.tolist(), reason_items.tolist()) == reason_arrays(expected)
        assert (kinds != "").any()

    def test_explain_batch_of_no_pairs(self, fitted, data):
        kinds, reason_items = fitted.explain_batch(np.array([], int), data.user_items, [])
        assert kinds.shape == reason_items.shape == (0,)


class PlantedPatternContract:
    """The model recovers :func:`planted_interactions`' pattern (mix in with the above)."""

    #: the :class:`Reason` kind ``explain`` gives for the partner of a probe's anchor.
    explain_kind = "similar"

    def test_probe_gets_partner_first(self, fitted, data):
        for group in GROUPS:
            found = probe(data, group)
            ids, _ = fitted.recommend(found.user, data.user_items, N=3)
            assert ids[0] == found.partner
            assert np.isin(ids[ids >= 0], found.group_items).all()

    def test_similar_to_anchor_is_partner(self, fitted, data):
        for group in GROUPS:
            found = probe(data, group)
            ids, _ = fitted.similar_items(found.anchor, N=2)
            assert ids[0] == found.partner

    def test_new_customer_with_anchor_gets_partner(self, fitted, data):
        found = probe(data, "garden")
        user_items = with_new_user(data.user_items, [found.anchor])
        ids, _ = fitted.recommend(data.n_users, user_items, N=3)
        assert ids[0] == found.partner

    def test_explain_points_at_anchor(self, fitted, data):
        found = probe(data, "kitchen")
        reason = fitted.explain(found.user, data.user_items, found.partner)
        assert reason == Reason(self.explain_kind, found.anchor)
