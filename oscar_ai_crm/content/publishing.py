"""The review workflow of description drafts: edit, approve, reject, publish.

draft ──approve──▶ approved ──publish──▶ published (the product's description)
  │  ◀──reject/approve──▶ rejected
  └─ an edit of an approved draft sends it back to draft: the approval was for other text.

Each transition is one conditional UPDATE, so two reviewers clicking at once cannot
publish a rejected draft. Only approved drafts are published, except by
``LLM["AUTO_PUBLISH"]``, which publishes new drafts that carry no grounding flags.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model

from ..llm.grounding import unsupported_claims
from ..llm.sanitize import sanitize_html
from ..models import DescriptionDraft, DraftStatus
from .product_facts import plain_text, product_facts

Product = get_model("catalogue", "Product")

#: States whose text the merchant may still change.
EDITABLE_STATUSES = (DraftStatus.DRAFT, DraftStatus.APPROVED)


class TransitionError(ValueError):
    """The draft is not in a state that allows the requested step."""


def _move(
    draft: DescriptionDraft, allowed: tuple[str, ...], step: str, **changes: Any
) -> DescriptionDraft:
    updated = DescriptionDraft.objects.filter(pk=draft.pk, status__in=allowed).update(**changes)
    draft.refresh_from_db()
    if not updated:
        raise TransitionError(
            f"Draft {draft.pk} is {draft.get_status_display().lower()}: it cannot be {step}."
        )
    return draft


def approve(draft: DescriptionDraft, user: Any = None) -> DescriptionDraft:
    """Mark a draft (or a rejected one) approved by ``user``."""
    return _move(
        draft,
        (DraftStatus.DRAFT, DraftStatus.REJECTED),
        "approved",
        status=DraftStatus.APPROVED,
        approved_by=user,
        approved_at=timezone.now(),
    )


def reject(draft: DescriptionDraft) -> DescriptionDraft:
    """Mark a draft (or an approved one) rejected; its approval is withdrawn."""
    return _move(
        draft,
        (DraftStatus.DRAFT, DraftStatus.APPROVED),
        "rejected",
        status=DraftStatus.REJECTED,
        approved_by=None,
        approved_at=None,
    )


def publish(draft: DescriptionDraft) -> DescriptionDraft:
    """Write an approved draft's text into its product's description.

    The text is sanitised once more on the way out, so even a row changed outside the
    admin cannot put unsafe HTML on the product page (Oscar renders it unescaped).
    """
    with transaction.atomic():
        _move(
            draft,
            (DraftStatus.APPROVED,),
            "published (approve it first)",
            status=DraftStatus.PUBLISHED,
            published_at=timezone.now(),
        )
        product = Product.objects.select_for_update().get(pk=draft.product_id)
        product.description = sanitize_html(draft.text)
        product.save(update_fields=["description", "date_updated"])
    return draft


def auto_publish(draft: DescriptionDraft) -> DescriptionDraft:
    """Approve (by nobody: the setting) and publish a new draft, unless it is flagged."""
    if draft.flags:
        return draft
    approve(draft, user=None)
    return publish(draft)


def edit_text(draft: DescriptionDraft, text: str, user: Any = None) -> DescriptionDraft:
    """Replace a draft's text with a merchant's edit, sanitised, and check it again.

    The grounding flags are recomputed for the new text; an approved draft goes back to
    ``draft``. Only drafts and approved drafts can be edited (``TransitionError``); a text
    with nothing left after sanitising is refused (``ValueError``).
    """
    if draft.status not in EDITABLE_STATUSES:
        raise TransitionError(
            f"Draft {draft.pk} is {draft.get_status_display().lower()}: it cannot be edited."
        )
    draft.text = sanitize_html(text)
    if not plain_text(draft.text):
        raise ValueError("The description is empty once disallowed HTML is removed.")
    draft.flags = unsupported_claims(plain_text(draft.text), product_facts(draft.product))
    draft.edited_by = user
    if draft.status == DraftStatus.APPROVED:
        draft.status, draft.approved_by, draft.approved_at = DraftStatus.DRAFT, None, None
    draft.save()
    return draft
