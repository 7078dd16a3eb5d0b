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
from .segments import (
    CampaignVoucher,
    RuleMatch,
    Segment,
    SegmentKind,
    SegmentMembership,
    SegmentMovement,
    SegmentRun,
    SegmentRunStatus,
)

__all__ = [
    "CampaignVoucher",
    "CustomerProfile",
    "Event",
    "EventKind",
    "EventSource",
    "ModelRun",
    "ProductLinkKind",
    "ProductRecommendation",
    "ReasonKind",
    "Recommendation",
    "RuleMatch",
    "RunStatus",
    "Segment",
    "SegmentKind",
    "SegmentMembership",
    "SegmentMovement",
    "SegmentRun",
    "SegmentRunStatus",
]
