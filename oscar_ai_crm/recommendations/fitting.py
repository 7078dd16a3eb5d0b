"""Fit the serving model and the side models (similar, bought together, popular) once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ..conf import crm_settings
from ..features.interactions import Interactions
from ..recommenders.base import Recommender
from ..recommenders.hybrid import HybridRecommender
from ..recommenders.popularity import PopularityRecommender
from ..recommenders.registry import build_recommender

logger = logging.getLogger(__name__)


@dataclass
class FittedModels:
    """The fitted models a run publishes from; side models may be None."""

    serve: Recommender
    popularity: Recommender
    similar: Recommender | None
    similar_text: Recommender | None
    bought_together: Recommender | None


def configure(model: Recommender) -> Recommender:
    """Apply shop-wide settings a model takes as a parameter (e.g. already-bought filter)."""
    if isinstance(model, HybridRecommender):
        model.set_params(exclude_purchased=crm_settings.RECOMMENDATIONS["EXCLUDE_PURCHASED"])
    return model


def fit_serving_models(
    alias: str, specs: dict[str, dict[str, Any]], data: Interactions
) -> FittedModels:
    """Fit ``alias`` and the side models, reusing a hybrid's fitted components."""
    serve = configure(build_recommender(alias, specs)).fit(data)
    settings = crm_settings.RECOMMENDATIONS

    def side(name: str | None, required: bool = False) -> Recommender | None:
        if not name:
            return None
        if name == alias:
            return serve
        if isinstance(serve, HybridRecommender) and serve.component(name) is not None:
            return serve.component(name)
        if name not in specs:
            return None
        try:
            return build_recommender(name, specs).fit(data)
        except Exception:
            if required:
                raise
            logger.exception("Side model %r failed to fit; its lists are left empty.", name)
            return None

    popularity = side("popularity") or PopularityRecommender().fit(data)
    return FittedModels(
        serve=serve,
        popularity=popularity,
        similar=side(settings["SIMILAR"]),
        similar_text=side(settings["SIMILAR_TEXT"]),
        bought_together=side(settings["BOUGHT_TOGETHER"]),
    )
