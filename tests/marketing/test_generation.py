"""Writing segment and customer emails: offline in two languages and four tones, and
through a real OpenAI-compatible HTTP server declared external (what it is sent)."""

import json
import re

import pytest

from oscar_ai_crm.content.marketing import (
    parse_reply,
    personalise,
    write_customer_copy,
    write_segment_copy,
)
from oscar_ai_crm.exceptions import ConfigurationError, GenerationError
from oscar_ai_crm.llm.backends.offline_phrases import MESSAGE
from oscar_ai_crm.llm.sanitize import ALLOWED_TAGS, sanitize_html
from oscar_ai_crm.models import CopyKind, CopyStatus, MarketingCopy

from .conftest import ANN, ANN_ADDRESS, chat_backend, llm_settings, make_product

pytestmark = pytest.mark.django_db

TAG = re.compile(r"</?([a-zA-Z0-9]+)")


def assert_safe_html(body: str) -> None:
    assert body == sanitize_html(body)
    assert set(TAG.findall(body)) <= ALLOWED_TAGS


@pytest.mark.parametrize(
    ("language", "greeting"), [("en", "Hello {first_name},"), ("zh-hans", "{first_name}，您好！")]
)
def test_segment_copy_offline(shop, language, greeting):
    with llm_settings():
        copy = write_segment_copy(shop["segment"], tone="friendly", language=language)

    assert copy.status == CopyStatus.DRAFT and copy.error == ""
    assert copy.kind == CopyKind.SEGMENT and copy.segment == shop["segment"]
    expected = MESSAGE[language]["friendly"]
    assert copy.subject == expected["subject"].format(topic="Clothing")
    assert copy.banner == expected["banner"].format(topic="Clothing")
    assert copy.body.startswith(f"<p>{greeting}</p>")
    assert "<li>Linen shirt (£49.00)</li><li>Wool scarf (£25.00)</li>" in copy.body
    assert_safe_html(copy.body)
    assert copy.backend == "offline" and copy.model == "offline-template" and copy.is_template
    assert copy.prompt_version == 0 and copy.flags == [] and copy.redactions == 0
    assert copy.facts["segment"] == "Champions"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_each_tone_has_its_own_wording(shop, language):
    with llm_settings():
        copies = {
            tone: write_segment_copy(shop["segment"], tone=tone, language=language)
            for tone in ("professional", "friendly", "luxury", "playful")
        }

    for tone, copy in copies.items():
        phrases = MESSAGE[language][tone]
        assert copy.tone == tone
        assert copy.subject == phrases["subject"].format(topic="Clothing")
        assert phrases["close"] in copy.body
    assert len({copy.subject for copy in copies.values()}) == 4


def test_customer_copy_offline_uses_interests_and_recommendations(shop):
    with llm_settings():
        copy = write_customer_copy(shop["ann"], tone="luxury", language="en", user=shop["bob"])

    assert copy.kind == CopyKind.CUSTOMER and copy.user == shop["ann"]
    assert copy.created_by == shop["bob"]
    assert copy.subject == "An exclusive Programming selection, curated for you"
    assert "Programming, Shirts and Scarves" in copy.body
    assert "Linen shirt (£49.00)" in copy.body and "Wool scarf (£25.00)" in copy.body
    assert "Champions" not in copy.body  # segment names are for the writer only
    assert "Annabel" not in copy.body and "{first_name}" in copy.body


def test_customer_copy_sends_no_personal_data_to_an_external_backend(shop, server):
    with llm_settings(remote=chat_backend(server)):
        copy = write_customer_copy(
            shop["ann"], tone="friendly", language="en", backend_alias="remote"
        )

    assert copy.status == CopyStatus.DRAFT, copy.error
    [body] = server.chat_requests()
    sent = json.dumps(body, ensure_ascii=False)
    for value in (*ANN.values(), *ANN_ADDRESS.values(), "7700 900123", "07700"):
        assert value.casefold() not in sent.casefold(), value
    for fact in ("Linen shirt", "49.00", "Wool scarf", "Clean Code", "Programming, Shirts"):
        assert fact in sent
    assert "{first_name}" in sent and copy.redactions == 0
    # The copy keeps the placeholder; only personalise() puts the name in.
    assert copy.subject == "Linen for {first_name}" and "Annabel" not in copy.body
    texts = personalise(copy, shop["ann"])
    assert texts["subject"] == "Linen for Annabel" and "<p>Hello Annabel,</p>" in texts["body"]
    assert copy.model == "fake-model" and not copy.is_template
    assert copy.prompt_tokens and copy.completion_tokens


@pytest.fixture
def named_product(shop):
    """A product whose title holds Ann's surname, recommended to her first."""
    from oscar_ai_crm.models import ModelRun, Recommendation

    product = make_product("Fairweather raincoat", "Clothing > Coats", "89.00")
    Recommendation.objects.filter(user=shop["ann"]).update(rank=9)
    run = ModelRun.objects.get()
    Recommendation.objects.create(run=run, user=shop["ann"], product=product, rank=0, score=2)
    return product


def test_personal_data_in_a_product_title_is_redacted_too(shop, server, named_product):
    with llm_settings(remote=chat_backend(server)):
        copy = write_customer_copy(
            shop["ann"], tone="friendly", language="en", backend_alias="remote"
        )

    sent = json.dumps(server.chat_requests()[0], ensure_ascii=False)
    assert "Fairweather" not in sent and "[PERSONAL] raincoat" in sent
    assert copy.redactions == 2  # in the user message and in the request's facts
    assert copy.facts["recommended_products"][0]["title"] == "Fairweather raincoat"


def test_nothing_is_redacted_for_a_local_backend_or_when_the_shop_allows_it(
    shop, server, named_product
):
    backends = {"local": chat_backend(server, external=False), "remote": chat_backend(server)}
    options = {"tone": "friendly", "language": "en"}
    with llm_settings(**backends):
        local = write_customer_copy(shop["ann"], **options, backend_alias="local")
    with llm_settings(privacy={"SEND_PII_TO_EXTERNAL_LLM": True}, **backends):
        allowed = write_customer_copy(shop["ann"], **options, backend_alias="remote")

    assert local.redactions == 0 and allowed.redactions == 0
    assert all("Fairweather raincoat" in str(body) for body in server.chat_requests())


ATTACK = (
    "Subject: Hi<script>alert(1)</script> {first_name}\n"
    "Banner: <img src=x onerror=alert(2)>Deals\n\n"
    "<p onclick='steal()'>Hello {first_name}</p><script>document.cookie</script>"
    "<a href='javascript:evil()'>Click</a><iframe src='//evil'></iframe>"
)


def test_scripts_in_a_reply_never_survive(shop, server):
    server.reply = ATTACK
    with llm_settings(remote=chat_backend(server)):
        copy = write_segment_copy(
            shop["segment"], tone="friendly", language="en", backend_alias="remote"
        )

    assert copy.status == CopyStatus.DRAFT
    assert copy.subject == "Hi {first_name}" and copy.banner == "Deals"
    assert copy.body == "<p>Hello {first_name}</p>Click"  # the link unwrapped, its text kept
    texts = personalise(copy, shop["bob"])
    for text in (copy.subject, copy.banner, copy.body, texts["body"]):
        for bad in ("<script", "alert", "onerror", "onclick", "javascript", "cookie", "iframe"):
            assert bad not in text
    assert copy.original_text == ATTACK  # kept as received, for the reviewer only


def test_a_json_reply_is_accepted(shop, server):
    reply = {"subject": "For {first_name}", "banner": "New", "body": "Hi!\n\n- Clean Code"}
    server.reply = f"```json\n{json.dumps(reply)}\n```"
    with llm_settings(remote=chat_backend(server)):
        copy = write_segment_copy(
            shop["segment"], tone="friendly", language="en", backend_alias="remote"
        )

    assert (copy.subject, copy.banner) == ("For {first_name}", "New")
    assert copy.body == "<p>Hi!</p><ul><li>Clean Code</li></ul>"


def test_a_reply_without_a_subject_is_a_failed_copy(shop, server):
    server.reply = "Dear customer, we have news for you."
    with llm_settings(remote=chat_backend(server)):
        copy = write_segment_copy(
            shop["segment"], tone="friendly", language="en", backend_alias="remote"
        )

    assert copy.status == CopyStatus.FAILED and "Subject" in copy.error
    assert copy.pk and copy.original_text == "Dear customer, we have news for you."
    assert copy.subject == copy.body == ""


def test_a_backend_error_is_a_failed_copy(shop, server):
    server.fail(500)
    with llm_settings(remote=chat_backend(server)):
        copy = write_customer_copy(
            shop["ann"], tone="friendly", language="en", backend_alias="remote"
        )

    assert copy.status == CopyStatus.FAILED
    assert copy.error.startswith("GenerationError") and copy.backend == "remote"


def test_bad_options_raise_before_anything_is_saved(shop):
    with llm_settings():
        with pytest.raises(ValueError, match="Unknown tone 'grumpy'"):
            write_segment_copy(shop["segment"], tone="grumpy", language="en")
        with pytest.raises(ValueError, match="Unknown language 'fr'"):
            write_customer_copy(shop["ann"], tone="friendly", language="fr")
        with pytest.raises(ConfigurationError, match="nope"):
            write_segment_copy(
                shop["segment"], tone="friendly", language="en", backend_alias="nope"
            )
    assert not MarketingCopy.objects.exists()


def test_unsupported_figures_and_unknown_placeholders_are_flagged(shop, server):
    server.reply = (
        "Subject: 20% off for {first_name}\nBanner: Only £5 today\n\n"
        "Dear {last_name}, [NAME], the Linen shirt is £49.00."
    )
    with llm_settings(remote=chat_backend(server)):
        copy = write_segment_copy(
            shop["segment"], tone="friendly", language="en", backend_alias="remote"
        )

    claims = {(flag["claim"], flag["kind"]) for flag in copy.flags}
    assert claims == {
        ("20%", "number"),
        ("£5", "number"),
        ("{last_name}", "placeholder"),
        ("[NAME]", "placeholder"),
    }


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Subject: A\nBanner: B\n\nBody", ("A", "B", "Body")),
        (
            "\n**Subject:** A\n**Banner:** B\nBody: Line one\nLine two",
            ("A", "B", "Line one\nLine two"),
        ),
        ("Banner: B\n\nSubject line: A\n\nBody", ("A", "B", "Body")),
        ("主题：夏日好物\n横幅：新品上市\n\n您好！", ("夏日好物", "新品上市", "您好！")),
        ("Subject: A\n\nSubject: not a label any more", ("A", "", "Subject: not a label any more")),
        ('{"subject": "A", "body": ["One", "Two"]}', ("A", "", "One\n\nTwo")),
    ],
)
def test_parse_reply(reply, expected):
    assert parse_reply(reply) == expected


@pytest.mark.parametrize("reply", ["", "Just a body", "Banner: B\n\nBody", '{"body": "x"}'])
def test_parse_reply_needs_a_subject(reply):
    with pytest.raises(GenerationError, match="Subject"):
        parse_reply(reply)


def test_an_active_prompt_template_of_the_task_is_used(shop, server):
    from oscar_ai_crm.models import PromptTemplate

    PromptTemplate.objects.create(
        task="segment_email",
        name="Short and sweet",
        version=3,
        system_template="Write in {{ language_name }}, {{ tone }}. Greet {first_name}.",
        user_template="Segment {{ facts.segment }}: {{ facts.interests|join:' & ' }}",
    )
    with llm_settings(remote=chat_backend(server)):
        copy = write_segment_copy(
            shop["segment"], tone="playful", language="en", backend_alias="remote"
        )

    messages = server.chat_requests()[0]["messages"]
    assert messages[0]["content"] == "Write in English, playful. Greet {first_name}."
    assert messages[1]["content"] == "Segment Champions: Clothing & Books"
    assert copy.prompt_version == 3
