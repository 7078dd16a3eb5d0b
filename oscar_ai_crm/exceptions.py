"""Exceptions raised by oscar_ai_crm."""


class CrmError(Exception):
    """Base class of our errors."""


class ConfigurationError(CrmError):
    """A setting names something that cannot be used (bad import string, bad option)."""


class BackendUnavailable(CrmError):
    """An optional extra (torch, transformers, openai...) that a backend needs is missing."""


class UnsupportedFeature(CrmError):
    """A backend or model was asked for something it cannot do (e.g. similar items)."""


class NotFittedError(CrmError):
    """A recommender was used before ``fit``."""


class GenerationError(CrmError):
    """An LLM backend was reached but could not produce text (refused, timed out, bad reply)."""
