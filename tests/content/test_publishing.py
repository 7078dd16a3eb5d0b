"""Review steps of a draft: approve, reject, edit, publish onto the Oscar product."""

import pytest
from oscar.test import factories

from oscar_ai_crm.content.descriptions import generate_description
from oscar_ai_crm.content.publishing import (
    TransitionError,
    approve,
    edit_text,
    publish,
    reject,
)
from oscar_ai_crm.models import DescriptionDraft, DraftStatus

from .conftest import OPTIONS, llm_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(shirt):
    with llm_settings():
        return generate_description(shirt, **OPTIONS)


@pytest.fixture
def editor(db):
    return factories.UserFactory(username="editor", is_staff=True)


def test_approve_then_publish_writes_the_product_description(draft, editor):
    approve(draft, editor)
    assert draft.status == DraftStatus.APPROVED and draft.approved_by == editor

    publish(draft)

    draft.product.refresh_from_db()
    assert draft.status == DraftStatus.PUBLISHED and draft.published_at is not None
    assert draft.product.description == draft.text


def test_only_approved_drafts_are_published(draft):
    with pytest.raises(TransitionError, match="approve it first"):
        publish(draft)
    reject(draft)
    with pytest.raises(TransitionError):
        publish(draft)
    draft.product.refresh_from_db()
    assert draft.product.description == "<p>A shirt for <b>summer</b> days.</p>"


def test_rejecting_withdraws_an_approval_and_a_rejected_draft_can_be_approved(draft, editor):
    approve(draft, editor)
    reject(draft)
    assert draft.status == DraftStatus.REJECTED and draft.approved_by is None
    approve(draft, editor)
    assert draft.status == DraftStatus.APPROVED


def test_published_and_failed_drafts_cannot_move_back(draft, editor):
    approve(draft, editor)
    publish(draft)
    for step in (lambda d: approve(d, editor), reject, publish):
        with pytest.raises(TransitionError):
            step(draft)
    with pytest.raises(TransitionError, match="cannot be edited"):
        edit_text(draft, "<p>Later.</p>", editor)
    DescriptionDraft.objects.filter(pk=draft.pk).update(status=DraftStatus.FAILED)
    with pytest.raises(TransitionError, match="failed"):
        approve(draft, editor)


def test_an_edit_is_sanitised_checked_and_recorded(draft, editor):
    approve(draft, editor)

    edit_text(draft, '<p onclick="x()">Only 95 g.</p><script>alert(1)</script>', editor)

    draft.refresh_from_db()
    assert draft.text == "<p>Only 95 g.</p>"
    assert draft.edited_by == editor
    assert [flag["claim"] for flag in draft.flags] == ["95 g"]
    assert draft.status == DraftStatus.DRAFT and draft.approved_by is None  # re-approve


def test_publishing_sanitises_again_whatever_is_in_the_row(draft, editor):
    DescriptionDraft.objects.filter(pk=draft.pk).update(text="<p>Hi</p><script>x()</script>")
    approve(draft, editor)
    publish(draft)
    draft.product.refresh_from_db()
    assert draft.product.description == "<p>Hi</p>"
