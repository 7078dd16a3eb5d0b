"""Plain values passed between the assistant's parts (no Django models)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ArticleHit:
    """A knowledge-base article found for a question.

    ``score`` is the retrieval score in [0, 1] (higher is closer); ``passage`` the part of
    the article that matched best; ``body`` the whole article text (what is quoted or
    given to an LLM backend).
    """

    article_id: int
    title: str
    language: str
    score: float
    passage: str = ""
    body: str = ""

    def citation(self) -> dict[str, object]:
        """What the JSON endpoint and the stored message cite: id and title."""
        return {"id": self.article_id, "title": self.title}


@dataclass
class Reply:
    """The assistant's answer to one customer message.

    ``handed_off`` is True when the answer is a hand-off notice (confidence below the
    threshold, an explicit request for a person, or a failure); ``intent`` names what
    was answered: "knowledge_base", "order_status", "recent_orders", "login_required",
    "human", "out_of_scope"...; ``backend`` what composed the text ("retrieval" for an
    article quoted as is, "orders" for shop data, else the LLM backend's name).
    """

    text: str
    confidence: float
    handed_off: bool
    intent: str
    articles: list[ArticleHit] = field(default_factory=list)
    backend: str = "retrieval"
    handoff_reason: str = ""
