"""What every LLM backend takes and returns.

A backend gets a :class:`GenerationRequest`: the rendered chat ``messages`` (what a
language model reads) *and* the structured ``facts`` they were rendered from (what the
offline backend composes text from, and what the grounding check compares against). It
returns a :class:`Generation`. Backends never see Django models, only these plain values,
so the same request can be sent to any backend and tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str


@dataclass
class GenerationRequest:
    """One piece of text to write.

    Attributes
    ----------
    task : what is written: "product_description", "segment_email", "customer_email", ...
    messages : the chat prompt, rendered from a prompt template.
    facts : the structured input the prompt was rendered from (for a product: title,
        product_class, categories, attributes {name: value}, price, currency,
        description, reviews {count, average}), JSON-ready.
    tone : e.g. "professional", "friendly", "luxury", "playful".
    length : "short", "medium" or "long".
    language : BCP 47 code, at least "en" and "zh-hans" are supported.
    keywords : words the text should include.
    max_tokens, temperature : sampling limits (backends may clamp them).
    """

    task: str
    messages: list[Message]
    facts: dict[str, Any] = field(default_factory=dict)
    tone: str = "professional"
    length: str = "medium"
    language: str = "en"
    keywords: list[str] = field(default_factory=list)
    max_tokens: int = 400
    temperature: float = 0.7


@dataclass
class Generation:
    """A backend's answer.

    Attributes
    ----------
    text : the generated text, as the model wrote it (not yet sanitised).
    backend : the backend's short name ("openai", "transformers", "offline").
    model : the model that wrote it (e.g. "gpt-4o-mini", a local path, "offline-template").
    prompt_tokens, completion_tokens : token usage when the backend reports it.
    is_template : True when the text was composed from the facts without a language model
        (the offline backend): shown to merchants as such.
    """

    text: str
    backend: str
    model: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    is_template: bool = False


@runtime_checkable
class LLMBackend(Protocol):
    """A text generator. Adding one = a class with these members + one settings line."""

    #: Short name recorded on drafts.
    name: str
    #: True when requests leave this server (customer PII is then redacted unless allowed).
    external: bool

    def generate(self, request: GenerationRequest) -> Generation:
        """Write the text.

        Raises ``BackendUnavailable`` when a package the backend needs is missing or its
        model cannot be loaded, ``GenerationError`` when the backend was reached but gave
        no usable text (refusal, timeout after retries, malformed reply); both from
        :mod:`oscar_ai_crm.exceptions`.
        """
        ...
