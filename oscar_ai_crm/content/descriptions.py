"""One product description draft: facts → prompt → (redaction) → backend → sanitised draft.

Every generated description passes through :class:`DescriptionJob`, so no backend can skip
the safety steps: personal data is redacted before an external backend sees the request
(``PRIVACY["SEND_PII_TO_EXTERNAL_LLM"]`` off), the model's output is sanitised before it
is stored, and claims the product's facts do not support are flagged on the draft.

A generation that fails (the backend refuses, times out, a prompt template cannot be
rendered) is stored as a draft with status ``failed`` and the error, so the merchant
sees it next to the others; failed drafts never block a later attempt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ..conf import crm_settings
from ..llm.backends import get_backend
from ..llm.grounding import unsupported_claims
from ..llm.pii import must_redact, redact_request
from ..llm.sanitize import sanitize_html
from ..llm.types import Generation, GenerationRequest, LLMBackend
from ..models import DescriptionDraft, DraftStatus, GenerationBatch
from .product_facts import input_hash, plain_text, product_facts
from .prompts import DescriptionOptions, Prompt, active_prompt, build_request, parse_keywords

logger = logging.getLogger(__name__)

#: A draft in one of these states with the same input hash makes a new generation
#: pointless: the product is skipped. Rejected and failed drafts do not count: the
#: merchant asked for something else, or nothing was written.
KEPT_STATUSES = (DraftStatus.DRAFT, DraftStatus.APPROVED, DraftStatus.PUBLISHED)


@dataclass
class PreparedDraft:
    """A draft not saved yet, with the request to send (None when preparing failed)."""

    draft: DescriptionDraft
    facts: dict[str, Any]
    request: GenerationRequest | None = None
    error: BaseException | None = None


@dataclass
class DescriptionJob:
    """The options, backend and prompt shared by the products of one generation run.

    Build it with :meth:`create`; then per product :meth:`prepare` (reads the database),
    the backend's ``generate`` (no database: may run in a worker thread) and
    :meth:`finish` (saves the draft).
    """

    options: DescriptionOptions
    backend_alias: str
    backend: LLMBackend
    prompt: Prompt
    user: Any = None
    batch: GenerationBatch | None = None
    force: bool = False

    @classmethod
    def create(
        cls,
        *,
        tone: str,
        length: str,
        language: str,
        keywords: str | list[str] | None = None,
        backend_alias: str | None = None,
        user: Any = None,
        batch: GenerationBatch | None = None,
        force: bool = False,
    ) -> DescriptionJob:
        """Check the options and build the backend; ``ValueError`` or ``ConfigurationError``
        (unknown backend alias) on bad input, before any product is touched."""
        options = DescriptionOptions(tone, length, language, parse_keywords(keywords)).validate()
        alias = backend_alias or crm_settings.LLM["BACKEND"]
        backend = get_backend(alias)
        return cls(options, alias, backend, active_prompt(), user, batch, force)

    def hash_for(self, facts: dict[str, Any]) -> str:
        """The input hash: facts, options, backend alias and prompt version."""
        options = {**self.options.as_dict(), "backend": self.backend_alias}
        return input_hash(facts, options, self.prompt.version)

    def prepare(self, product: Any) -> PreparedDraft | None:
        """The product's unsaved draft and request, or None when an unchanged draft exists."""
        facts = product_facts(product)
        digest = self.hash_for(facts)
        if not self.force and self._already_written(product, digest):
            return None
        draft = self._new_draft(product, digest)
        try:
            request = build_request(facts, self.options, self.prompt)
            if must_redact(self.backend):
                # Product data holds no customer, but a description may quote an email
                # address or a phone number: the patterns still catch those.
                request, draft.redactions = redact_request(request, ())
        except Exception as exc:  # a template that does not render: a failed draft
            return PreparedDraft(draft, facts, error=exc)
        return PreparedDraft(draft, facts, request)

    def finish(
        self,
        prepared: PreparedDraft,
        generation: Generation | None = None,
        error: BaseException | None = None,
    ) -> DescriptionDraft:
        """Save the draft: sanitised text and flags, or status ``failed`` with the error.

        With ``LLM["AUTO_PUBLISH"]`` a draft without flags is published at once.
        """
        from .publishing import auto_publish

        draft = prepared.draft
        error = error or prepared.error
        if generation is not None and error is None:
            _fill(draft, generation, prepared.facts)
        else:
            draft.status = DraftStatus.FAILED
            draft.error = describe_error(error)
        draft.save()
        if draft.status == DraftStatus.DRAFT and crm_settings.LLM["AUTO_PUBLISH"]:
            auto_publish(draft)
        return draft

    def _already_written(self, product: Any, digest: str) -> bool:
        drafts = DescriptionDraft.objects.filter(product=product, input_hash=digest)
        return drafts.filter(status__in=KEPT_STATUSES).exists()

    def _new_draft(self, product: Any, digest: str) -> DescriptionDraft:
        return DescriptionDraft(
            product=product,
            tone=self.options.tone,
            length=self.options.length,
            language=self.options.language,
            keywords=list(self.options.keywords),
            backend=self.backend_alias,
            prompt_template_id=self.prompt.template_id,
            prompt_version=self.prompt.version,
            input_hash=digest,
            created_by=self.user,
            batch=self.batch,
        )


def _fill(draft: DescriptionDraft, generation: Generation, facts: dict[str, Any]) -> None:
    """Copy the generation onto the draft: raw output, sanitised text, usage, flags."""
    draft.original_text = generation.text
    draft.text = sanitize_html(generation.text)
    draft.model = generation.model
    draft.is_template = generation.is_template
    draft.prompt_tokens = generation.prompt_tokens
    draft.completion_tokens = generation.completion_tokens
    if not plain_text(draft.text):
        draft.status = DraftStatus.FAILED
        draft.error = "The backend's answer had no text left after sanitising."
        return
    draft.flags = unsupported_claims(plain_text(draft.text), facts)


def describe_error(error: BaseException | None) -> str:
    """``"ErrorType: message"``, as shown on failed drafts and batches."""
    if error is None:
        return "No text was generated."
    return f"{type(error).__name__}: {error}".strip()


def generate_description(
    product: Any,
    *,
    tone: str,
    length: str,
    language: str,
    keywords: str | list[str] | None = None,
    backend_alias: str | None = None,
    user: Any = None,
    batch: GenerationBatch | None = None,
    force: bool = False,
) -> DescriptionDraft | None:
    """Write one product's description draft.

    Returns the saved draft (status ``draft``, ``published`` when auto-published, or
    ``failed`` with its error), or None when the product was skipped: a draft, approved or
    published text with the same input hash exists (``force=True`` writes anyway).
    Raises ``ValueError`` for an unknown tone, length or language and
    ``ConfigurationError`` for an unknown backend alias.
    """
    job = DescriptionJob.create(
        tone=tone,
        length=length,
        language=language,
        keywords=keywords,
        backend_alias=backend_alias,
        user=user,
        batch=batch,
        force=force,
    )
    prepared = job.prepare(product)
    if prepared is None:
        return None
    if prepared.request is None:
        return job.finish(prepared)
    try:
        generation = job.backend.generate(prepared.request)
    except Exception as exc:  # stored on the draft; the caller decides what to do next
        logger.warning("Description of product %s failed: %s", product.pk, exc)
        return job.finish(prepared, error=exc)
    return job.finish(prepared, generation)
