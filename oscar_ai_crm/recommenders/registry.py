"""Build the configured recommenders from ``OSCAR_AI_CRM["RECOMMENDATIONS"]["MODELS"]``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.module_loading import import_string

from ..conf import crm_settings
from ..exceptions import ConfigurationError
from .base import Recommender


def model_specs() -> dict[str, dict[str, Any]]:
    """alias -> {"CLASS": ..., "OPTIONS": {...}} as configured."""
    return dict(crm_settings.RECOMMENDATIONS["MODELS"])


def recommender_class(alias: str, spec: Mapping[str, Any]) -> type[Recommender]:
    """Import the class named by ``spec["CLASS"]``, with an error naming the alias."""
    path = spec.get("CLASS")
    try:
        cls = import_string(str(path))
    except ImportError as exc:
        raise ConfigurationError(
            f'RECOMMENDATIONS["MODELS"][{alias!r}]["CLASS"] = {path!r} cannot be imported: {exc}'
        ) from exc
    if not (isinstance(cls, type) and issubclass(cls, Recommender)):
        raise ConfigurationError(
            f'RECOMMENDATIONS["MODELS"][{alias!r}]["CLASS"] = {path!r} is not a Recommender.'
        )
    return cls


def build_recommender(
    alias: str, specs: Mapping[str, Mapping[str, Any]] | None = None
) -> Recommender:
    """A new, unfitted recommender for ``alias``.

    A hybrid's ``components`` option names other aliases; they are built here too and
    passed as ``{alias: recommender}``.
    """
    specs = model_specs() if specs is None else specs
    if alias not in specs:
        raise ConfigurationError(
            f"No recommender {alias!r} in RECOMMENDATIONS['MODELS'] (known: {sorted(specs)})."
        )
    spec = specs[alias]
    options = dict(spec.get("OPTIONS") or {})
    components = options.get("components")
    if isinstance(components, list | tuple):
        options["components"] = {name: build_recommender(name, specs) for name in components}
    try:
        return recommender_class(alias, spec)(**options)
    except TypeError as exc:
        raise ConfigurationError(
            f'RECOMMENDATIONS["MODELS"][{alias!r}]["OPTIONS"] do not fit {spec["CLASS"]}: {exc}'
        ) from exc


def build_recommenders(aliases: list[str] | None = None) -> dict[str, Recommender]:
    """alias -> new unfitted recommender, for every configured alias (or the ones given)."""
    specs = model_specs()
    return {alias: build_recommender(alias, specs) for alias in (aliases or list(specs))}
