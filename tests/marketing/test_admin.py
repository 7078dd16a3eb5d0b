"""The merchant's marketing workflow through the Django admin with the test client:
write, preview for a member, edit, approve or reject, export the personalised mailing."""

import csv
import io

import pytest
from django.urls import reverse
from oscar.test import factories

from oscar_ai_crm.content.marketing import approve_copy
from oscar_ai_crm.models import CopyKind, CopyStatus, MarketingCopy

from .conftest import chat_backend, llm_settings

pytestmark = pytest.mark.django_db

WRITE = reverse("admin:oscar_ai_crm_marketingcopy_write")
COPIES = reverse("admin:oscar_ai_crm_marketingcopy_changelist")
OPTIONS = {"backend": "offline", "tone": "friendly", "length": "medium", "language": "en"}


@pytest.fixture
def staff(client):
    user = factories.UserFactory(username="merchant", is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


def change_url(copy):
    return reverse("admin:oscar_ai_crm_marketingcopy_change", args=[copy.pk])


def mailing_url(copy):
    return reverse("admin:oscar_ai_crm_marketingcopy_mailing", args=[copy.pk])


def csv_rows(response):
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def segment_copy(staff, shop):
    with llm_settings():
        response = staff.post(WRITE, {"kind": "segment", "segment": shop["segment"].pk, **OPTIONS})
    copy = MarketingCopy.objects.get()
    assert response.status_code == 302 and response["Location"] == change_url(copy)
    return copy


def test_the_changelist_links_to_the_write_page(staff, shop):
    with llm_settings():
        page = staff.get(COPIES).content.decode()
        form = staff.get(WRITE + f"?kind=segment&segment={shop['segment'].pk}")
    assert WRITE in page
    assert form.status_code == 200
    assert (
        f'<option value="{shop["segment"].pk}" selected>Champions</option>' in form.content.decode()
    )


def test_write_a_segment_email(segment_copy, staff):
    assert segment_copy.kind == CopyKind.SEGMENT and segment_copy.status == CopyStatus.DRAFT
    assert segment_copy.created_by == staff.user and segment_copy.tone == "friendly"
    assert segment_copy.subject == "We picked some Clothing favourites for you"


def test_write_a_customer_email_by_email_address(staff, shop):
    data = {"kind": "customer", "customer": "ANNABEL.fairweather@example.com", **OPTIONS}
    with llm_settings():
        response = staff.post(WRITE, data, follow=True)

    copy = MarketingCopy.objects.get()
    assert copy.kind == CopyKind.CUSTOMER and copy.user == shop["ann"]
    page = response.content.decode()
    assert "Written: Customer email for annabelf." in page
    assert "Hello Annabel," in page  # the preview, for the customer


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"kind": "segment"}, "Choose the segment to write for."),
        ({"kind": "customer", "customer": "nobody@example.com"}, "No single customer"),
        ({"kind": "segment", "segment": "999"}, "Select a valid choice"),
    ],
)
def test_write_page_errors(staff, shop, data, error):
    with llm_settings():
        response = staff.post(WRITE, {**OPTIONS, **data})
    assert response.status_code == 200 and error in response.content.decode()
    assert not MarketingCopy.objects.exists()


def test_a_failed_generation_is_shown_with_its_error(staff, shop, server):
    server.fail(500)
    data = {**OPTIONS, "kind": "segment", "segment": shop["segment"].pk, "backend": "remote"}
    with llm_settings(remote=chat_backend(server)):
        response = staff.post(WRITE, data, follow=True)

    copy = MarketingCopy.objects.get()
    assert copy.status == CopyStatus.FAILED
    page = response.content.decode()
    assert "GenerationError" in page and 'id="marketing-preview"' not in page


def test_the_change_page_previews_for_the_first_or_a_chosen_member(segment_copy, staff, shop):
    first = staff.get(change_url(segment_copy)).content.decode()
    bob = staff.get(change_url(segment_copy) + "?member=bob@example.com").content.decode()
    chen = staff.get(change_url(segment_copy) + f"?member={shop['chen'].pk}").content.decode()
    stranger = factories.UserFactory(email="stranger@example.com")
    outsider = staff.get(change_url(segment_copy) + f"?member={stranger.pk}").content.decode()

    assert "<p>Hello Annabel,</p>" in first
    assert "<p>Hello &lt;b&gt;Bob&lt;/b&gt; &amp; Co,</p>" in bob and "<b>Bob</b>" not in bob
    assert "<p>Hello there,</p>" in chen
    assert "is not a member of this segment" in outsider


def test_the_preview_is_sanitised_whatever_the_database_holds(segment_copy, staff):
    MarketingCopy.objects.filter(pk=segment_copy.pk).update(
        body="<p>Hi {first_name}</p><script>alert('x')</script><img src=x onerror=alert(1)>"
    )
    page = staff.get(change_url(segment_copy)).content.decode()

    preview = page.split('id="marketing-preview"')[1]
    assert "<p>Hi Annabel</p>" in preview
    assert "script" not in preview and "onerror" not in preview and "<img" not in preview
    assert "<script>alert" not in page and "<img src=x" not in page  # the form escapes it


def test_edit_saves_clean_text_and_approval_is_needed_again(segment_copy, staff):
    approve_copy(segment_copy, staff.user)
    data = {
        "subject": "Hello {first_name}",
        "banner": "Linen<script>x()</script> season",
        "body": "<p onclick='x()'>New text for {first_name}</p><script>x()</script>",
    }
    response = staff.post(change_url(segment_copy), data)

    assert response.status_code == 302
    segment_copy.refresh_from_db()
    assert segment_copy.status == CopyStatus.DRAFT and segment_copy.approved_by is None
    assert segment_copy.banner == "Linen season"
    assert segment_copy.body == "<p>New text for {first_name}</p>"


def test_an_empty_body_is_refused(segment_copy, staff):
    data = {"subject": "S", "banner": "", "body": "<script>only()</script>"}
    response = staff.post(change_url(segment_copy), data)

    assert response.status_code == 200
    assert "The body is empty once disallowed HTML is removed." in response.content.decode()


def test_approve_and_reject_buttons(segment_copy, staff):
    data = {"subject": segment_copy.subject, "banner": segment_copy.banner}
    data["body"] = segment_copy.body
    staff.post(change_url(segment_copy), {**data, "_approve": "1"})
    segment_copy.refresh_from_db()
    assert segment_copy.status == CopyStatus.APPROVED and segment_copy.approved_by == staff.user

    staff.post(change_url(segment_copy), {**data, "_reject": "1"})
    segment_copy.refresh_from_db()
    assert segment_copy.status == CopyStatus.REJECTED


def test_approve_and_reject_actions(segment_copy, staff):
    def act(action):
        data = {"action": action, "_selected_action": [segment_copy.pk]}
        return staff.post(COPIES, data, follow=True).content.decode()

    assert "Approved 1 copy." in act("approve_selected")
    assert "cannot be approved" in act("approve_selected")
    assert "Rejected 1 copy." in act("reject_selected")
    segment_copy.refresh_from_db()
    assert segment_copy.status == CopyStatus.REJECTED


def test_export_of_the_approved_segment_mailing(segment_copy, staff, shop):
    refused = staff.get(mailing_url(segment_copy), follow=True)
    assert "Only an approved segment email can be exported" in refused.content.decode()

    approve_copy(segment_copy, staff.user)
    page = staff.get(change_url(segment_copy)).content.decode()
    response = staff.get(mailing_url(segment_copy))

    assert mailing_url(segment_copy) in page
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    assert rows[0] == ["email", "subject", "banner", "body"]
    assert [row[0] for row in rows[1:]] == [
        "annabel.fairweather@example.com",
        "bob@example.com",
        "chen@example.com",
    ]
    assert rows[2][3].startswith("<p>Hello &lt;b&gt;Bob&lt;/b&gt; &amp; Co,</p>")
    assert rows[1][1] == segment_copy.subject


def test_the_export_action_and_formula_cells(segment_copy, staff, shop):
    MarketingCopy.objects.filter(pk=segment_copy.pk).update(subject="{first_name}, new linen")
    approve_copy(segment_copy, staff.user)
    shop["chen"].first_name = '=HYPERLINK("http://evil")'
    shop["chen"].save()

    response = staff.post(
        COPIES, {"action": "export_mailing", "_selected_action": [segment_copy.pk]}
    )

    rows = csv_rows(response)
    assert rows[3][1] == '\'=HYPERLINK("http://evil"), new linen'
    two = {"action": "export_mailing", "_selected_action": [segment_copy.pk, segment_copy.pk + 1]}
    MarketingCopy.objects.create(kind=CopyKind.SEGMENT, tone="x", language="en", backend="offline")
    assert (
        "Select exactly one segment email." in staff.post(COPIES, two, follow=True).content.decode()
    )


def test_customer_copy_is_not_exported(staff, shop):
    with llm_settings():
        staff.post(WRITE, {"kind": "customer", "customer": str(shop["ann"].pk), **OPTIONS})
    copy = MarketingCopy.objects.get()
    approve_copy(copy)

    response = staff.get(mailing_url(copy), follow=True)
    assert "Only an approved segment email can be exported" in response.content.decode()


def test_pages_need_staff_permissions(client, shop):
    client.force_login(factories.UserFactory(is_staff=True))  # staff without permissions
    assert client.get(WRITE).status_code == 403
    copy = MarketingCopy.objects.create(
        kind=CopyKind.SEGMENT, segment=shop["segment"], tone="x", language="en", backend="offline"
    )
    assert client.get(mailing_url(copy)).status_code == 403
