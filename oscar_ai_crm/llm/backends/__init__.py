"""The LLM backends and their registry: ``OSCAR_AI_CRM["LLM"]["BACKENDS"]`` -> instances.

Each alias maps to ``{"CLASS": import string, "OPTIONS": keyword arguments}``. Backends are
built on first use and kept for the life of the process, keyed by alias, class and options:
a changed setting (``override_settings`` in tests, a reloaded configuration) builds a new
instance, an unchanged one reuses the loaded model or HTTP client. Constructors only check
their options; optional packages are imported and models loaded on the first ``generate``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

from django.utils.module_loading import import_string

from ...conf import crm_settings
from ...exceptions import ConfigurationError
from ..types import LLMBackend

_cache: dict[tuple[str, str], LLMBackend] = {}
_lock = threading.Lock()


def backend_specs() -> dict[str, dict[str, Any]]:
    """alias -> {"CLASS": ..., "OPTIONS": {...}} as configured."""
    return dict(crm_settings.LLM["BACKENDS"])


def default_alias() -> str:
    """The alias used when none is given (``LLM["BACKEND"]``)."""
    return str(crm_settings.LLM["BACKEND"])


def backend_class(alias: str, spec: Mapping[str, Any]) -> type:
    """Import the class named by ``spec["CLASS"]``, with an error naming the alias."""
    path = spec.get("CLASS")
    try:
        cls = import_string(str(path))
    except ImportError as exc:
        raise ConfigurationError(
            f'LLM["BACKENDS"][{alias!r}]["CLASS"] = {path!r} cannot be imported: {exc}'
        ) from exc
    if not isinstance(cls, type):
        raise ConfigurationError(f'LLM["BACKENDS"][{alias!r}]["CLASS"] = {path!r} is not a class.')
    return cls


def build_backend(alias: str, specs: Mapping[str, Mapping[str, Any]] | None = None) -> LLMBackend:
    """A new backend instance for ``alias`` (not cached).

    Raises ``ConfigurationError`` for an unknown alias, a ``CLASS`` that does not import
    or is not a backend, and ``OPTIONS`` the class does not accept.
    """
    specs = backend_specs() if specs is None else specs
    if alias not in specs:
        raise ConfigurationError(
            f"No LLM backend {alias!r} in LLM['BACKENDS'] (known: {sorted(specs)})."
        )
    spec = specs[alias]
    if not isinstance(spec, Mapping):
        raise ConfigurationError(
            f'LLM["BACKENDS"][{alias!r}] must be a dict with "CLASS" and "OPTIONS".'
        )
    cls = backend_class(alias, spec)
    options = spec.get("OPTIONS") or {}
    if not isinstance(options, Mapping):
        raise ConfigurationError(f'LLM["BACKENDS"][{alias!r}]["OPTIONS"] must be a dict.')
    try:
        backend = cls(**options)
    except TypeError as exc:
        raise ConfigurationError(
            f'LLM["BACKENDS"][{alias!r}]["OPTIONS"] do not fit {spec["CLASS"]}: {exc}'
        ) from exc
    except ConfigurationError as exc:
        raise ConfigurationError(f'LLM["BACKENDS"][{alias!r}]["OPTIONS"]: {exc}') from exc
    if not isinstance(backend, LLMBackend):
        raise ConfigurationError(
            f'LLM["BACKENDS"][{alias!r}]["CLASS"] = {spec["CLASS"]!r} is not an LLM backend '
            "(it needs `name`, `external` and `generate(request)`)."
        )
    return backend


def get_backend(alias: str | None = None) -> LLMBackend:
    """The backend configured under ``alias`` (None: ``LLM["BACKEND"]``), built once per process."""
    alias = default_alias() if alias is None else alias
    specs = backend_specs()
    key = (alias, _fingerprint(specs.get(alias)))
    with _lock:
        backend = _cache.get(key)
        if backend is None:
            backend = _cache[key] = build_backend(alias, specs)
    return backend


def clear_backend_cache() -> None:
    """Forget every built backend (models loaded by the transformers backend stay loaded)."""
    with _lock:
        _cache.clear()


def _fingerprint(spec: Any) -> str:
    """A stable text for a spec, so equal settings share one instance."""
    return json.dumps(spec, sort_keys=True, default=repr)
