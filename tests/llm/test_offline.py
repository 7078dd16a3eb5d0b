"""The offline backend: deterministic drafts from the facts alone, in every tone, length and
language, with the keywords, and never a number the facts do not state."""

from __future__ import annotations

import itertools
import json
import re

import pytest

from oscar_ai_crm.exceptions import GenerationError
from oscar_ai_crm.llm.backends import offline_phrases
from oscar_ai_crm.llm.backends.offline import OfflineBackend
from oscar_ai_crm.llm.types import GenerationRequest, Message

TONES = ["professional", "friendly", "luxury", "playful"]
LENGTHS = ["short", "medium", "long"]
LANGUAGES = ["en", "zh-hans"]
KEYWORDS = ["summer linen", "breathable"]
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
CJK = re.compile(r"[\u4e00-\u9fff]")
FACTS = {
    "title": "Linen shirt",
    "product_class": "Shirt",
    "categories": ["Clothing > Shirts", "Summer > Sale"],
    "attributes": {"Colour": "white", "Material": "linen", "Weight": "180 g", "Washable": True},
    "price": "12.50",
    "currency": "GBP",
    "description": "<p>A light shirt for warm days.</p><p>Woven from 100% flax.</p>",
    "reviews": {"count": 3, "average": 4.3},
}
#: Every text the facts and keywords put into a draft, longest first.
FACT_TEXTS = sorted(
    [
        "Linen shirt", "Shirts", "Shirt", "Sale", "A light shirt for warm days.",
        "Woven from 100% flax.", *KEYWORDS, *FACTS["attributes"], "white", "linen", "180 g",
    ],
    key=len,
    reverse=True,
)  # fmt: skip
MESSAGE_FACTS = {
    "first_name": "{first_name}",
    "interests": ["Shirts", {"name": "Books"}],
    "recommended_products": [
        {"title": "Linen shirt", "price": "12.50", "currency": "GBP"},
        {"title": "Clean Code"},
    ],
    "offer": "SUMMER",
}


def write(facts=FACTS, html=True, **changes) -> str:
    values = {
        "task": "product_description",
        "messages": [Message("user", "Describe the product.")],
        "facts": facts,
        "keywords": KEYWORDS,
    }
    return OfflineBackend(html=html).generate(GenerationRequest(**(values | changes))).text


def numbers_in(value) -> set[str]:
    return set(NUMBER.findall(json.dumps(value, ensure_ascii=False)))


def words(text: str) -> int:
    return len(re.sub(r"<[^>]+>", " ", text).split())


def test_a_generation_is_labelled_as_a_template():
    generation = OfflineBackend().generate(
        GenerationRequest(task="product_description", messages=[], facts=FACTS)
    )
    assert (generation.backend, generation.model) == ("offline", "offline-template")
    assert generation.is_template is True and OfflineBackend.external is False


def test_the_same_request_gives_the_same_text():
    assert write() == write() == write(tone="professional", length="medium", language="en")


def test_each_tone_has_its_own_wording():
    for language in LANGUAGES:
        texts = {write(tone=tone, language=language) for tone in TONES}
        assert len(texts) == len(TONES)


def test_longer_lengths_write_more():
    short, medium, long = (write(length=length) for length in LENGTHS)
    assert words(short) < words(medium) < words(long)
    assert "<ul>" not in short + medium
    for item in ("Colour: white", "Material: linen", "Weight: 180 g", "Washable: yes"):
        assert f"<li>{item}</li>" in long
    assert "A light shirt for warm days." in long  # the existing description, as text
    zh_short, zh_medium, zh_long = (write(length=n, language="zh-hans") for n in LENGTHS)
    assert len(zh_short) < len(zh_medium) < len(zh_long)


@pytest.mark.parametrize(
    ("tone", "length", "language"), list(itertools.product(TONES, LENGTHS, LANGUAGES))
)
def test_keywords_facts_and_only_their_numbers(tone, length, language):
    text = write(tone=tone, length=length, language=language)

    assert all(keyword in text for keyword in KEYWORDS)
    assert "Linen shirt" in text and "£12.50" in text
    assert set(NUMBER.findall(text)) <= numbers_in(FACTS)


def test_without_numeric_facts_no_number_appears():
    facts = {"title": "Silk scarf", "product_class": "Scarf", "attributes": {"Colour": "red"}}
    for tone, length, language in itertools.product(TONES, LENGTHS, LANGUAGES):
        text = write(facts, tone=tone, length=length, language=language)
        assert not NUMBER.search(text), text


def test_no_phrase_holds_a_digit():
    tables = (offline_phrases.DESCRIPTION, offline_phrases.COMMON, offline_phrases.MESSAGE)
    assert not re.search(r"\d", json.dumps(tables, ensure_ascii=False))


def test_chinese_is_written_in_chinese():
    for tone, length in itertools.product(TONES, LENGTHS):
        text = write(tone=tone, length=length, language="zh-hans", html=False)
        assert len(CJK.findall(text)) >= 10
        # Apart from the product's own (English) values, no Latin text is left.
        rest = text
        for value in FACT_TEXTS:
            rest = rest.replace(value, "")
        assert not re.search(r"[A-Za-z]", rest), rest


def test_chinese_language_codes_and_unsupported_languages():
    assert write(language="zh-CN") == write(language="zh-hans")
    assert write(language="en-GB") == write(language="en")
    with pytest.raises(GenerationError, match="'fr'"):
        write(language="fr")


def test_values_are_escaped_in_html_and_plain_text_has_no_tags():
    facts = FACTS | {"title": 'Shirt <script>alert("x")</script>'}
    assert "<script>" not in write(facts) and "&lt;script&gt;" in write(facts)
    plain = write(html=False, length="long")
    assert "<" not in plain and "\n- Colour: white" in plain


def test_a_long_description_is_never_cut_inside_a_number():
    facts = FACTS | {"description": "a" * 295 + " 123456789 grams of cotton"}
    text = write(facts, length="long")
    assert "…" in text and "1234" not in text
    assert set(NUMBER.findall(text)) <= numbers_in(FACTS)


def test_empty_facts_still_give_a_sentence():
    assert write({}, keywords=[]).startswith("<p>product is a product")
    assert CJK.search(write({}, keywords=[], language="zh-hans"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_customer_message_has_subject_banner_and_body(language):
    request = GenerationRequest(
        task="customer_email",
        messages=[],
        facts=MESSAGE_FACTS,
        tone="friendly",
        language=language,
        keywords=["summer"],
    )
    text = OfflineBackend().generate(request).text
    lines = text.splitlines()

    assert lines[0].startswith("Subject: ") and "Shirts" in lines[0]
    assert lines[1].startswith("Banner: ") and "Shirts" in lines[1]
    assert "{first_name}" in text  # the placeholder survives for filling in later
    assert "- Linen shirt (£12.50)" in lines and "- Clean Code" in lines
    assert "SUMMER" in text and "summer" in text and "Books" in text
    assert set(NUMBER.findall(text)) <= numbers_in(MESSAGE_FACTS)
    assert bool(CJK.search(text)) is (language == "zh-hans")


def test_a_segment_message_varies_by_tone_and_needs_no_name():
    facts = {"persona": {"name": "Loyal", "interests": ["Garden"]}, "products": ["Rake"]}
    texts = {
        OfflineBackend()
        .generate(GenerationRequest(task="segment_email", messages=[], facts=facts, tone=tone))
        .text
        for tone in TONES
    }
    assert len(texts) == len(TONES)
    for text in texts:
        assert text.startswith("Subject: ") and "\nBanner: " in text
        assert "Garden" in text and "- Rake" in text and "Hello," in text
        assert "Loyal" not in text  # segment names are for merchants, not customers
        assert not NUMBER.search(text)
