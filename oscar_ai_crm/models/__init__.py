"""Concrete models of oscar_ai_crm, one module per domain."""

from .content import (
    PRODUCT_DESCRIPTION,
    BatchStatus,
    DescriptionDraft,
    DraftStatus,
    GenerationBatch,
    PromptTemplate,
)
from .events import Event, EventKind, EventSource
from .marketing import CUSTOMER_EMAIL, SEGMENT_EMAIL, CopyKind, CopyStatus, MarketingCopy
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
from .support import (
    ArticleCategory,
    Conversation,
    ConversationMessage,
    ConversationStatus,
    KnowledgeArticle,
    KnowledgeIndex,
    Sender,
)

__all__ = [
    "PRODUCT_DESCRIPTION",
    "BatchStatus",
    "CampaignVoucher",
    "CustomerProfile",
    "DescriptionDraft",
    "DraftStatus",
    "Event",
    "EventKind",
    "EventSource",
    "GenerationBatch",
    "ModelRun",
    "ProductLinkKind",
    "ProductRecommendation",
    "PromptTemplate",
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
    "CUSTOMER_EMAIL",
    "SEGMENT_EMAIL",
    "CopyKind",
    "CopyStatus",
    "MarketingCopy",
    "ArticleCategory",
    "Conversation",
    "ConversationMessage",
    "ConversationStatus",
    "KnowledgeArticle",
    "KnowledgeIndex",
    "Sender",
]
