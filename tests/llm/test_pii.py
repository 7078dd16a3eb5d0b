"""PII redaction: known values, patterns, no false positives, requests copied, users' data."""

import copy

import pytest
from django.test import override_settings
from oscar.test import factories

from oscar_ai_crm.llm.pii import (
    must_redact,
    personal_values_for_user,
    placeholder,
    redact_request,
    redact_text,
)
from oscar_ai_crm.llm.types import GenerationRequest, Message


@pytest.mark.parametrize(
    "email",
    ["ann@example.com", "Ann.Smith+shop@mail.example.co.uk", "li_wei-88@qq.com", "X@Y.IO"],
)
def test_email_addresses_are_redacted_anywhere(email):
    assert redact_text(f"Write to {email}, thanks.") == ("Write to [EMAIL], thanks.", 1)
    assert redact_text(f"请联系{email}。") == ("请联系[EMAIL]。", 1)


@pytest.mark.parametrize(
    "phone",
    [
        "+44 20 7946 0958",
        "+442079460958",
        "+1 (555) 123-4567",
        "+86 138 1234 5678",
        "+33 1 23 45 67 89",
        "020 7946 0958",
        "07700 900123",
        "07700900123",
        "(555) 123-4567",
        "555-123-4567",
        "555.123.4567",
        "13812345678",
        "138-1234-5678",
        "010-12345678",
        "0755-1234-5678",
    ],
)
def test_phone_numbers_are_redacted(phone):
    assert redact_text(f"Call {phone} today") == ("Call [PHONE] today", 1)
    assert redact_text(f"电话：{phone}。") == ("电话：[PHONE]。", 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("London SW1A 1AA, UK", "London [POSTCODE], UK"),
        ("Manchester M1 1AE", "Manchester [POSTCODE]"),
        ("EC1A 1BB", "[POSTCODE]"),
        ("New York, NY 10001", "New York, NY [POSTCODE]"),
        ("San Francisco, CA 94105-1234", "San Francisco, CA [POSTCODE]"),
        ("北京市海淀区 邮编：100080", "北京市海淀区 邮编：[POSTCODE]"),
        ("邮政编码 200000", "邮政编码 [POSTCODE]"),
    ],
)
def test_postcodes_in_unambiguous_forms_are_redacted(text, expected):
    assert redact_text(text) == (expected, 1)


@pytest.mark.parametrize(
    "text",
    [
        "Only £12.50, was £1,299.00 ($19.99, €5, ¥199, 199元).",
        "Launched in 2024; restocked 2024-01-15, 15/01/2024 and 01.02.2024 at 10:30.",
        "SKU-12345678, code AB1234567, UPC 012345678905, EAN 9780131103627.",
        "ISBN 978-0-13-110362-7, part 12-3456-7890.",
        "Size 30 x 40 cm, 500 ml, 2.5kg, 3-5 days, 100% cotton, 12345 reviews, 1234567 sold.",
        "Order #100023 of 2 items; model X2000-300; 1,000,000 happy customers.",
        "Ships to every postcode; ZIP codes such as 10001 alone are not personal.",
        "尺寸30x40厘米，容量500毫升，售价¥199，2024年上市。",
        "Rated 4.5/5 by 120 reviewers over 24/7 support.",
    ],
)
def test_prices_dates_codes_and_dimensions_are_left_alone(text):
    assert redact_text(text) == (text, 0)


def test_known_values_case_insensitive_whole_word_longest_first():
    values = ["Ann", "Ann Smith", "Smith", "1 High Street"]
    text = "Dear ANN SMITH: ann's parcel to 1 high  street. Annual Smithsonian sale, Ann."
    assert redact_text(text, values) == (
        "Dear [PERSONAL]: [PERSONAL]'s parcel to [PERSONAL]. Annual Smithsonian sale, [PERSONAL].",
        4,
    )


def test_known_values_get_typed_placeholders_by_shape_or_by_kind():
    values = ["ann@example.com", "+447700900123", "SW1A 1AA", ("Ann", "name"), ("Flat 2", "street")]
    text = "Ann (ann@example.com, +447700900123) lives at Flat 2, SW1A 1AA."
    assert redact_text(text, values) == (
        "[NAME] ([EMAIL], [PHONE]) lives at [STREET], [POSTCODE].",
        5,
    )


def test_chinese_names_are_matched_inside_text():
    assert redact_text("张伟先生您好，张伟的订单", ["张伟"]) == (
        "[PERSONAL]先生您好，[PERSONAL]的订单",
        2,
    )


def test_a_known_value_is_not_matched_inside_a_placeholder():
    assert redact_text("Email ann@example.com", ["Email", "ann"]) == ("[PERSONAL] [EMAIL]", 2)


def test_one_letter_values_and_empty_values_are_ignored():
    assert redact_text("A bag for a day", ["A", "", "  "]) == ("A bag for a day", 0)


def test_a_bad_personal_value_is_a_clear_error():
    with pytest.raises(TypeError, match="strings or"):
        redact_text("x", [42])  # type: ignore[list-item]


def test_placeholder():
    assert placeholder("email") == "[EMAIL]"
    assert placeholder("") == "[PERSONAL]"


def make_request() -> GenerationRequest:
    return GenerationRequest(
        task="customer_email",
        messages=[
            Message("system", "You write friendly emails. Never invent prices."),
            Message("user", "Write to Ann Smith (ann@example.com, 07700 900123) about linen."),
        ],
        facts={
            "customer": {"name": "Ann Smith", "city": "London", "postcode": "SW1A 1AA"},
            "interests": ["linen", "Ann's favourites"],
            "recent": ({"title": "Linen shirt", "price": "12.50", "upc": "012345678905"},),
            "orders": 3,
        },
        keywords=["summer", "Ann"],
    )


def test_redact_request_returns_a_redacted_copy_and_leaves_the_original():
    request = make_request()
    before = copy.deepcopy(request)
    redacted, count = redact_request(request, ["Ann Smith", "Ann", "London"])
    assert request == before
    assert redacted is not request
    assert [m.content for m in redacted.messages] == [
        "You write friendly emails. Never invent prices.",
        "Write to [PERSONAL] ([EMAIL], [PHONE]) about linen.",
    ]
    assert redacted.facts == {
        "customer": {"name": "[PERSONAL]", "city": "[PERSONAL]", "postcode": "[POSTCODE]"},
        "interests": ["linen", "[PERSONAL]'s favourites"],
        "recent": ({"title": "Linen shirt", "price": "12.50", "upc": "012345678905"},),
        "orders": 3,
    }
    assert redacted.keywords == ["summer", "[PERSONAL]"]
    assert (redacted.task, redacted.tone, redacted.max_tokens) == (
        "customer_email",
        "professional",
        400,
    )
    assert count == 8


def test_redact_request_of_a_product_changes_nothing():
    request = GenerationRequest(
        task="product_description",
        messages=[Message("user", "Describe: Linen shirt, 30 x 40 cm, £12.50, since 2019.")],
        facts={"title": "Linen shirt", "price": "12.50", "attributes": {"Size": "30 x 40 cm"}},
    )
    redacted, count = redact_request(request, [])
    assert (redacted, count) == (request, 0)


class Backend:
    name = "test"

    def __init__(self, external: bool):
        self.external = external


class Unlabelled:
    name = "unlabelled"


def test_must_redact_only_external_backends_unless_allowed():
    assert must_redact(Backend(external=True)) is True
    assert must_redact(Backend(external=False)) is False
    assert must_redact(Unlabelled()) is True  # type: ignore[arg-type]
    with override_settings(OSCAR_AI_CRM={"PRIVACY": {"SEND_PII_TO_EXTERNAL_LLM": True}}):
        assert must_redact(Backend(external=True)) is False
    assert must_redact(Backend(external=True)) is True


@pytest.mark.django_db
def test_personal_values_for_user_from_the_user_and_their_addresses():
    user = factories.UserFactory(
        first_name="Ann", last_name="Smith", email="ann@example.com", username="annsmith"
    )
    factories.UserAddressFactory(
        user=user,
        first_name="Ann",
        last_name="Smith-Jones",
        line1="Flat 2",
        line2="1 High Street",
        line3="",
        line4="London",
        postcode="SW1A 1AA",
        phone_number="+447700900123",
    )
    other = factories.UserFactory(email="bob@example.com")
    factories.UserAddressFactory(user=other, line1="9 Other Road", postcode="M1 1AE")

    values = personal_values_for_user(user)

    assert values == [
        "Ann Smith",
        "Ann",
        "Smith",
        "ann@example.com",
        "annsmith",
        "Ann Smith-Jones",
        "Smith-Jones",
        "Flat 2",
        "1 High Street",
        "London",
        "SW1A 1AA",
        "+447700900123",
        "07700 900123",
        "+44 7700 900123",
    ]
    letter = "Dear Ann Smith-Jones, 1 High Street, London SW1A 1AA, tel 07700 900123."
    assert redact_text(letter, values) == (
        "Dear [PERSONAL], [PERSONAL], [PERSONAL] [POSTCODE], tel [PHONE].",
        5,
    )
