"""Concrete models of oscar_ai_crm, one module per domain."""

from .events import Event, EventKind, EventSource
from .profiles import CustomerProfile
from .recommendations import (
    ModelRun,
    ProductLinkKind,
    ProductRecommendation,
    ReasonKind,
    Recommendation,
    RunStatus,
)

__all__ = [
    "CustomerProfile",
    "Event",
    "EventKind",
    "EventSource",
    "ModelRun",
    "ProductLinkKind",
    "ProductRecommendation",
    "ReasonKind",
    "Recommendation",
    "RunStatus",
]
