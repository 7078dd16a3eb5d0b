"""The merchant's workflow through the Django admin with the test client: generate, review,
edit, approve, publish, and the Oscar product page that shows the result."""

import pytest
from django.urls import reverse
from oscar.test import factories

from oscar_ai_crm.content.prompts import DEFAULT_SYSTEM
from oscar_ai_crm.models import (
    BatchStatus,
    DescriptionDraft,
    DraftStatus,
    GenerationBatch,
    PromptTemplate,
)

from .conftest import OPTIONS, chat_backend, llm_settings

pytestmark = pytest.mark.django_db

GENERATE = reverse("admin:oscar_ai_crm_descriptiondraft_generate")
DRAFTS = reverse("admin:oscar_ai_crm_descriptiondraft_changelist")
BATCHES = reverse("admin:oscar_ai_crm_generationbatch_changelist")
PROMPTS = reverse("admin:oscar_ai_crm_prompttemplate_changelist")


@pytest.fixture
def staff(client):
    user = factories.UserFactory(username="merchant", is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


def change_url(draft):
    return reverse("admin:oscar_ai_crm_descriptiondraft_change", args=[draft.pk])


def generate(client, capture, **fields):
    data = {"scope": "ids", "backend": "offline", **OPTIONS, **fields}
    with capture(execute=True):  # the batches' tasks are queued on commit (sync in tests)
        return client.post(GENERATE, data)


def act(client, action, draft):
    return client.post(DRAFTS, {"action": action, "_selected_action": [draft.pk]}, follow=True)


def test_generate_edit_approve_publish_shows_on_the_product_page(
    staff, shirt, django_capture_on_commit_callbacks
):
    with llm_settings():
        form = staff.get(GENERATE + f"?ids={shirt.pk}")
        assert form.status_code == 200 and f'value="{shirt.pk}"' in form.content.decode()

        response = generate(staff, django_capture_on_commit_callbacks, product_ids=str(shirt.pk))
    assert response.status_code == 302 and response["Location"] == BATCHES

    batch = GenerationBatch.objects.get()
    assert batch.status == BatchStatus.DONE and batch.created_by == staff.user
    assert "1 / 1" in staff.get(BATCHES).content.decode()
    draft = DescriptionDraft.objects.get(product=shirt)
    assert draft.status == DraftStatus.DRAFT and draft.created_by == staff.user

    page = staff.get(change_url(draft)).content.decode()
    assert "A shirt for <b>summer</b> days." in page  # the current description...
    assert draft.text in page  # ...next to the draft

    edited = "<p>Crisp white linen for summer.</p><script>alert('draft')</script>"
    response = staff.post(change_url(draft), {"text": edited, "_continue": "1"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.text == "<p>Crisp white linen for summer.</p>"
    assert draft.edited_by == staff.user

    act(staff, "approve_selected", draft)
    draft.refresh_from_db()
    assert draft.status == DraftStatus.APPROVED and draft.approved_by == staff.user
    act(staff, "publish_selected", draft)
    draft.refresh_from_db()
    assert draft.status == DraftStatus.PUBLISHED

    product_page = staff.get(shirt.get_absolute_url())
    assert product_page.status_code == 200
    html = product_page.content.decode()
    assert "<p>Crisp white linen for summer.</p>" in html
    assert "alert('draft')" not in html and "A shirt for" not in html


def test_a_script_written_by_the_model_never_reaches_the_product_page(
    staff, shirt, fake_server, django_capture_on_commit_callbacks
):
    fake_server.reply = '<p>Linen.</p><script>alert("model")</script><p onclick="x()">Cool.</p>'
    with llm_settings(BACKENDS={"chat": chat_backend(fake_server)}):
        generate(
            staff, django_capture_on_commit_callbacks, product_ids=str(shirt.pk), backend="chat"
        )
        draft = DescriptionDraft.objects.get(product=shirt)
        review = staff.get(change_url(draft)).content.decode()
        emptied = staff.post(change_url(draft), {"text": "<script>x()</script>"})
        staff.post(change_url(draft), {"text": draft.text, "_approve": "1"})
        staff.post(change_url(draft), {"text": draft.text, "_publish": "1"})
        staff.post(change_url(draft), {"text": "<p>Too late.</p>"})  # published: read-only

    draft.refresh_from_db()
    assert draft.status == DraftStatus.PUBLISHED
    assert "empty once disallowed HTML is removed" in emptied.content.decode()
    assert draft.text == "<p>Linen.</p><p>Cool.</p>"
    assert "<script>alert" not in review and 'onclick="x()"' not in review
    assert "&lt;script&gt;alert(&quot;model&quot;)" in review  # the raw output, escaped
    html = staff.get(shirt.get_absolute_url()).content.decode()
    assert "<p>Linen.</p><p>Cool.</p>" in html
    assert 'alert("model")' not in html and 'onclick="x()"' not in html


def test_flags_are_shown_to_the_reviewer(staff, shirt, fake_server):
    fake_server.reply = "<p>Weighs only 120 g.</p>"
    with llm_settings(BACKENDS={"chat": chat_backend(fake_server)}):
        from oscar_ai_crm.content.descriptions import generate_description

        draft = generate_description(shirt, **OPTIONS, backend_alias="chat")
        page = staff.get(change_url(draft)).content.decode()
        listing = staff.get(DRAFTS).content.decode()

    assert "120 g" in page and "not found in the product data" in page
    assert '<td class="field-flag_count">1</td>' in listing


def test_the_form_refuses_bad_selections(staff, shirt, django_capture_on_commit_callbacks):
    with llm_settings():
        unknown = generate(staff, django_capture_on_commit_callbacks, product_ids="999999")
        garbled = generate(staff, django_capture_on_commit_callbacks, product_ids="1, two")
        category = generate(
            staff, django_capture_on_commit_callbacks, scope="category", category="Hats"
        )
        backend = generate(staff, django_capture_on_commit_callbacks, product_ids=str(shirt.pk),
                           backend="gpt")  # fmt: skip

    assert "No product with id 999999" in unknown.content.decode()
    assert "not &#x27;two&#x27;" in garbled.content.decode()
    assert "No category named" in category.content.decode()
    assert "gpt is not one of the available choices" in backend.content.decode()
    assert not GenerationBatch.objects.exists()


def test_generating_by_category_queues_one_batch_per_batch_size(
    staff, shirt, django_capture_on_commit_callbacks
):
    from .conftest import make_product

    for n in range(4):
        make_product(f"Shirt {n}")
    with llm_settings(BATCH_SIZE=2):
        generate(staff, django_capture_on_commit_callbacks, scope="category", category="Shirts")

    assert sorted(GenerationBatch.objects.values_list("total", flat=True)) == [1, 2, 2]
    assert DescriptionDraft.objects.filter(status=DraftStatus.DRAFT).count() == 5


def test_actions_report_drafts_they_cannot_move(staff, shirt):
    from oscar_ai_crm.content.descriptions import generate_description

    with llm_settings():
        draft = generate_description(shirt, **OPTIONS)
    response = act(staff, "publish_selected", draft)

    assert "cannot be published (approve it first)" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT


def test_batch_page_lists_errors(staff):
    batch = GenerationBatch.objects.create(
        options={"backend": "chat"},
        product_ids=[7],
        total=1,
        done=1,
        failed=1,
        status=BatchStatus.DONE,
        errors=[{"product": 7, "error": "GenerationError: HTTP 500 <boom>"}],
    )
    page = staff.get(reverse("admin:oscar_ai_crm_generationbatch_change", args=[batch.pk]))
    html = page.content.decode()
    assert "GenerationError: HTTP 500 &lt;boom&gt;" in html and "<td>7</td>" in html
    listing = staff.get(BATCHES).content.decode()
    assert "1 / 1" in listing and "7: GenerationError: HTTP 500 &lt;boom&gt;" in listing


def test_staff_without_permission_cannot_generate(client, shirt):
    client.force_login(factories.UserFactory(username="clerk", is_staff=True))
    assert client.get(GENERATE).status_code == 403


def test_prompt_edits_are_saved_as_new_versions(staff, shirt):
    add = staff.get(reverse("admin:oscar_ai_crm_prompttemplate_add")).content.decode()
    assert "You write product descriptions" in add and DEFAULT_SYSTEM.splitlines()[0] in add

    fields = {
        "task": "product_description",
        "name": "House style",
        "system_template": "Be {{ tone }}.",
        "user_template": "{{ facts.title }}",
        "is_active": "on",
    }
    staff.post(reverse("admin:oscar_ai_crm_prompttemplate_add"), fields)
    first = PromptTemplate.objects.get()
    assert (first.version, first.is_active, first.created_by) == (1, True, staff.user)

    change = reverse("admin:oscar_ai_crm_prompttemplate_change", args=[first.pk])
    staff.post(change, {**fields, "user_template": "{{ facts.title }} ({{ facts.price }})"})
    second = PromptTemplate.objects.exclude(pk=first.pk).get()
    first.refresh_from_db()
    assert (second.version, second.is_active) == (2, True)
    assert first.user_template == "{{ facts.title }}" and not first.is_active

    rename = reverse("admin:oscar_ai_crm_prompttemplate_change", args=[second.pk])
    staff.post(rename, {**fields, "name": "House style 2", "user_template": second.user_template})
    assert PromptTemplate.objects.count() == 2  # a new name alone changes nothing used

    broken = staff.post(rename, {**fields, "system_template": "{% if %}"})
    assert "Template error" in broken.content.decode() and PromptTemplate.objects.count() == 2
    missing = staff.post(rename, {**fields, "user_template": "{% include 'nope.txt' %}"})
    assert "TemplateDoesNotExist" in missing.content.decode()

    staff.post(PROMPTS, {"action": "activate_selected", "_selected_action": [first.pk]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_active and not second.is_active


def test_a_prompt_version_used_by_drafts_cannot_be_deleted(staff, shirt):
    from oscar_ai_crm.content.descriptions import generate_description

    template = PromptTemplate.objects.create(
        name="Used", version=1, system_template="Write.", user_template="{{ facts.title }}"
    )
    unused = PromptTemplate.objects.create(
        name="Unused", version=2, is_active=False, system_template="x", user_template="y"
    )
    with llm_settings():
        generate_description(shirt, **OPTIONS)

    delete = "admin:oscar_ai_crm_prompttemplate_delete"
    assert staff.get(reverse(delete, args=[template.pk])).status_code == 403
    assert staff.get(reverse(delete, args=[unused.pk])).status_code == 200


def test_oscars_product_list_offers_drafts_for_the_selected_products(staff, shirt):
    other = factories.create_product(title="Linen trousers")
    response = staff.post(
        reverse("admin:catalogue_product_changelist"),
        {"action": "write_description_drafts", "_selected_action": [shirt.pk, other.pk]},
    )

    assert response.status_code == 302
    form = staff.get(response.url)
    assert form.status_code == 200
    ids = form.context["form"].initial["product_ids"]
    assert sorted(int(pk) for pk in ids.split(",")) == sorted([shirt.pk, other.pk])
