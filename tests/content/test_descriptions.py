"""One description draft: offline and chat backends, skipping, sanitising, flags, failures,
auto-publishing and PII redaction, through the real backends and a loopback chat server."""

import pytest
from django.template import TemplateSyntaxError

from oscar_ai_crm.content.descriptions import generate_description
from oscar_ai_crm.exceptions import ConfigurationError
from oscar_ai_crm.models import DescriptionDraft, DraftStatus, PromptTemplate

from .conftest import OPTIONS, chat_backend, llm_settings

pytestmark = pytest.mark.django_db

REMOTE = "tests.content.backends.RemoteChatBackend"


def test_offline_draft_is_stored_with_its_provenance(shirt):
    with llm_settings():
        draft = generate_description(shirt, **OPTIONS)

    assert draft.status == DraftStatus.DRAFT
    assert draft.backend == "offline" and draft.model == "offline-template"
    assert draft.is_template and draft.prompt_version == 0 and draft.prompt_template is None
    assert "Linen shirt" in draft.text and draft.text.startswith("<p>")
    assert draft.original_text and len(draft.input_hash) == 64
    assert draft.flags == []  # the offline backend only repeats the product's own facts
    shirt.refresh_from_db()
    assert shirt.description == "<p>A shirt for <b>summer</b> days.</p>"  # not published


def test_unchanged_product_is_skipped_until_its_data_or_options_change(shirt):
    with llm_settings():
        first = generate_description(shirt, **OPTIONS)
        assert generate_description(shirt, **OPTIONS) is None
        assert generate_description(shirt, **OPTIONS, force=True) is not None
        assert generate_description(shirt, **{**OPTIONS, "tone": "luxury"}) is not None
        shirt.attr.colour = "Sand"
        shirt.save()
        changed = generate_description(shirt, **OPTIONS)

    assert changed is not None and changed.input_hash != first.input_hash
    assert DescriptionDraft.objects.filter(product=shirt).count() == 4


def test_a_rejected_draft_does_not_block_a_new_one(shirt):
    with llm_settings():
        draft = generate_description(shirt, **OPTIONS)
        DescriptionDraft.objects.filter(pk=draft.pk).update(status=DraftStatus.REJECTED)
        assert generate_description(shirt, **OPTIONS) is not None


def test_model_output_is_sanitised_and_kept_as_received(shirt, fake_server):
    fake_server.reply = (
        '<p onmouseover="steal()">White linen.</p><script>alert("x")</script>'
        '<img src=x onerror="alert(1)"><a href="javascript:alert(1)">more</a>'
    )
    with llm_settings(BACKENDS={"chat": chat_backend(fake_server)}):
        draft = generate_description(shirt, **OPTIONS, backend_alias="chat")

    assert draft.text == "<p>White linen.</p>more"
    assert "<script>" in draft.original_text  # what the model sent, for the record
    assert draft.model == "fake-model" and not draft.is_template
    assert draft.prompt_tokens > 0 and draft.completion_tokens > 0


def test_the_prompt_sent_carries_facts_options_and_keywords(shirt, fake_server):
    with llm_settings(BACKENDS={"chat": chat_backend(fake_server)}, MAX_TOKENS=300):
        generate_description(
            shirt, **{**OPTIONS, "keywords": "breathable, summer"}, backend_alias="chat"
        )

    (body,) = fake_server.chat_requests()
    system, user = (message["content"] for message in body["messages"])
    assert "friendly tone" in system and "English" in system
    assert "breathable, summer" in system
    assert "Linen shirt" in user and "- Weight: 180 g" in user and "Clothing > Shirts" in user
    assert body["max_tokens"] == 300


def test_claims_the_facts_do_not_support_are_flagged(shirt, fake_server):
    fake_server.reply = "<p>Weighs only 120 g, with 2 pockets, in white linen.</p>"
    with llm_settings(BACKENDS={"chat": chat_backend(fake_server)}):
        draft = generate_description(shirt, **OPTIONS, backend_alias="chat")

    assert [flag["claim"] for flag in draft.flags] == ["120 g"]


def test_a_backend_error_is_stored_on_a_failed_draft_that_blocks_nothing(shirt, fake_server):
    fake_server.fail(500)
    with llm_settings(BACKENDS={"chat": chat_backend(fake_server)}):
        failed = generate_description(shirt, **OPTIONS, backend_alias="chat")
        retried = generate_description(shirt, **OPTIONS, backend_alias="chat")

    assert failed.status == DraftStatus.FAILED and failed.text == ""
    assert "GenerationError" in failed.error and "500" in failed.error
    assert retried.status == DraftStatus.DRAFT and retried.input_hash == failed.input_hash


def test_a_prompt_that_cannot_render_gives_a_failed_draft(shirt):
    PromptTemplate.objects.create(
        name="Broken", version=1, system_template="Write.", user_template="{% include 'x' %}"
    )
    with llm_settings():
        draft = generate_description(shirt, **OPTIONS)

    assert draft.status == DraftStatus.FAILED and "TemplateDoesNotExist" in draft.error
    assert draft.prompt_version == 1


def test_the_active_prompt_template_is_used_and_recorded(shirt, fake_server):
    template = PromptTemplate.objects.create(
        name="Short", version=3, system_template="Be {{ tone }}.", user_template="{{ facts.title }}"
    )
    with llm_settings(BACKENDS={"chat": chat_backend(fake_server)}):
        draft = generate_description(shirt, **OPTIONS, backend_alias="chat")

    messages = fake_server.chat_requests()[0]["messages"]
    assert [m["content"] for m in messages] == ["Be friendly.", "Linen shirt"]
    assert draft.prompt_template == template and draft.prompt_version == 3


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tone": "grumpy"}, "Unknown tone 'grumpy'"),
        ({"length": "epic"}, "Unknown length 'epic'"),
        ({"language": "fr"}, "Unknown language 'fr'"),
    ],
)
def test_unknown_options_are_refused_before_anything_is_stored(shirt, options, message):
    with llm_settings(), pytest.raises(ValueError, match=message):
        generate_description(shirt, **{**OPTIONS, **options})
    assert not DescriptionDraft.objects.exists()


def test_an_unknown_backend_alias_is_a_configuration_error(shirt):
    with llm_settings(), pytest.raises(ConfigurationError, match="nope"):
        generate_description(shirt, **OPTIONS, backend_alias="nope")


def test_auto_publish_publishes_a_grounded_draft(shirt):
    with llm_settings(AUTO_PUBLISH=True):
        draft = generate_description(shirt, **OPTIONS)

    shirt.refresh_from_db()
    assert draft.status == DraftStatus.PUBLISHED and draft.published_at is not None
    assert draft.approved_by is None and draft.approved_at is not None
    assert shirt.description == draft.text


def test_auto_publish_never_publishes_a_flagged_draft(shirt, fake_server):
    fake_server.reply = "<p>Weighs only 120 g.</p>"
    with llm_settings(AUTO_PUBLISH=True, BACKENDS={"chat": chat_backend(fake_server)}):
        draft = generate_description(shirt, **OPTIONS, backend_alias="chat")

    shirt.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT and draft.flags
    assert shirt.description == "<p>A shirt for <b>summer</b> days.</p>"


def _shirt_with_contact_details(shirt):
    shirt.description = "Questions? Mail ann.lee@example.com or call +44 20 7946 0958."
    shirt.save()
    return shirt


def test_personal_data_is_redacted_before_an_external_backend(shirt, fake_server):
    _shirt_with_contact_details(shirt)
    with llm_settings(BACKENDS={"remote": chat_backend(fake_server, REMOTE)}):
        draft = generate_description(shirt, **OPTIONS, backend_alias="remote")

    sent = str(fake_server.chat_requests()[0])
    assert draft.redactions == 4  # email and phone, in the user message and in the facts
    assert "ann.lee@example.com" not in sent and "7946" not in sent
    assert "[EMAIL]" in sent and "[PHONE]" in sent


def test_nothing_is_redacted_for_a_local_backend_or_when_the_shop_allows_it(shirt, fake_server):
    _shirt_with_contact_details(shirt)
    backends = {"chat": chat_backend(fake_server), "remote": chat_backend(fake_server, REMOTE)}
    with llm_settings(BACKENDS=backends):
        local = generate_description(shirt, **OPTIONS, backend_alias="chat")
    with llm_settings(BACKENDS=backends, privacy={"SEND_PII_TO_EXTERNAL_LLM": True}):
        allowed = generate_description(shirt, **OPTIONS, backend_alias="remote")

    assert local.redactions == 0 and allowed.redactions == 0
    assert all("ann.lee@example.com" in str(body) for body in fake_server.chat_requests())


def test_template_syntax_errors_are_reported_by_the_renderer():
    from oscar_ai_crm.content.prompts import render_text

    with pytest.raises(TemplateSyntaxError):
        render_text("{% if %}", {})
