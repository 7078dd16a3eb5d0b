"""Placeholders filled per recipient, the segment's mailing, and the review workflow."""

import pytest

from oscar_ai_crm.content.marketing import (
    approve_copy,
    edit_copy,
    first_member,
    personalise,
    reject_copy,
    segment_mailing_rows,
    write_customer_copy,
    write_segment_copy,
)
from oscar_ai_crm.content.publishing import TransitionError
from oscar_ai_crm.models import CopyKind, CopyStatus, MarketingCopy

from .conftest import llm_settings

pytestmark = pytest.mark.django_db


def a_copy(**fields) -> MarketingCopy:
    defaults = {
        "kind": CopyKind.SEGMENT,
        "subject": "Picked for {first_name}",
        "banner": "{first_name}, this is new",
        "body": "<p>Hello {first_name},</p><p>Bye {{ first_name }}.</p>",
        "tone": "friendly",
        "language": "en",
        "backend": "offline",
    }
    return MarketingCopy.objects.create(**{**defaults, **fields})


def test_personalise_fills_the_first_name_everywhere(shop):
    texts = personalise(a_copy(), shop["ann"])

    assert texts == {
        "subject": "Picked for Annabel",
        "banner": "Annabel, this is new",
        "body": "<p>Hello Annabel,</p><p>Bye Annabel.</p>",
    }


def test_personalise_escapes_html_in_names(shop):
    texts = personalise(a_copy(), shop["bob"])  # first name "<b>Bob</b> & Co"

    assert texts["body"] == (
        "<p>Hello &lt;b&gt;Bob&lt;/b&gt; &amp; Co,</p><p>Bye &lt;b&gt;Bob&lt;/b&gt; &amp; Co.</p>"
    )
    # Subject and banner are plain text: the name as typed, escaped where rendered.
    assert texts["subject"] == "Picked for <b>Bob</b> & Co"


def test_a_name_cannot_add_lines_to_a_subject(shop):
    user = shop["bob"]
    user.first_name = "Bob\r\nBcc: everyone@example.com"

    assert personalise(a_copy(), user)["subject"] == "Picked for Bob Bcc: everyone@example.com"


@pytest.mark.parametrize(("language", "fallback"), [("en", "there"), ("zh-hans", "亲爱的顾客")])
def test_customers_without_a_first_name_get_a_greeting_word(shop, language, fallback):
    texts = personalise(a_copy(language=language), shop["chen"])

    assert texts["body"].startswith(f"<p>Hello {fallback},</p>")


def test_mailing_rows_for_each_active_member_with_an_email(shop):
    with llm_settings():
        copy = write_segment_copy(shop["segment"], tone="playful", language="en")

    rows = list(segment_mailing_rows(copy))

    # Dee is inactive; rows come by customer id.
    assert [row[0] for row in rows] == [
        "annabel.fairweather@example.com",
        "bob@example.com",
        "chen@example.com",
    ]
    assert all(row[1] == copy.subject and row[2] == copy.banner for row in rows)
    greetings = [row[3].split("</p>")[0] for row in rows]
    assert greetings == [
        "<p>Hello Annabel,",
        "<p>Hello &lt;b&gt;Bob&lt;/b&gt; &amp; Co,",
        "<p>Hello there,",
    ]
    assert all("{first_name}" not in row[3] for row in rows)


def test_mailing_rows_only_for_segment_copy(shop):
    with llm_settings():
        copy = write_customer_copy(shop["ann"], tone="friendly", language="en")

    with pytest.raises(ValueError, match="not the copy of a segment"):
        list(segment_mailing_rows(copy))
    assert first_member(copy) == shop["ann"]


def test_first_member_of_a_segment_copy(shop):
    assert first_member(a_copy(segment=shop["segment"])) == shop["ann"]
    assert first_member(a_copy()) is None  # its segment was deleted


def test_approve_then_reject(shop):
    copy = a_copy(segment=shop["segment"])

    approve_copy(copy, shop["ann"])
    assert copy.status == CopyStatus.APPROVED and copy.approved_by == shop["ann"]
    assert copy.approved_at is not None
    with pytest.raises(TransitionError, match="approved: it cannot be approved"):
        approve_copy(copy)

    reject_copy(copy)
    assert copy.status == CopyStatus.REJECTED
    assert copy.approved_by is None and copy.approved_at is None
    with pytest.raises(TransitionError, match="cannot be rejected"):
        reject_copy(copy)


def test_a_failed_copy_can_be_neither_approved_nor_edited(shop):
    copy = a_copy(status=CopyStatus.FAILED, error="GenerationError: boom")

    with pytest.raises(TransitionError):
        approve_copy(copy)
    with pytest.raises(TransitionError, match="not editable"):
        edit_copy(copy, subject="S", banner="B", body="x")


def test_an_edit_is_cleaned_checked_and_needs_a_new_approval(shop):
    copy = approve_copy(a_copy(segment=shop["segment"]), shop["ann"])

    edit_copy(
        copy,
        subject="<b>Only</b> £9 for {first_name}",
        banner="New\nline",
        body="<p>Hi {first_name}<script>alert(1)</script></p>",
    )

    copy.refresh_from_db()
    assert copy.status == CopyStatus.DRAFT and copy.approved_by is None
    assert (copy.subject, copy.banner) == ("Only £9 for {first_name}", "New line")
    assert copy.body == "<p>Hi {first_name}</p>"
    assert [flag["claim"] for flag in copy.flags] == ["£9"]
