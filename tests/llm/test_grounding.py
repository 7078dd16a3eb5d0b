"""Grounding: grounded text passes; invented numbers, units and attribute values are flagged."""

from decimal import Decimal

import pytest

from oscar_ai_crm.llm.grounding import extract_quantities, parse_number, unsupported_claims

#: A realistic product's facts, in the shape GenerationRequest.facts documents.
FLASK = {
    "title": "Thermos King Food Flask 470ml",
    "product_class": "Drinkware",
    "categories": ["Kitchen > Drinkware > Food flasks"],
    "attributes": {
        "Capacity": "470 ml",
        "Weight": "0.5 kg",
        "Colour": "Midnight blue",
        "Material": "Stainless steel",
        "Keeps hot": "9 hours",
        "Keeps cold": "14 hours",
        "Warranty": "5 years",
        "Dishwasher safe": "No",
    },
    "price": Decimal("24.99"),
    "currency": "GBP",
    "description": "Vacuum insulated food flask with a folding spoon.",
    "reviews": {"count": 38, "average": 4.7},
}


def claims(text: str, facts: dict = FLASK) -> list[tuple[str, str]]:
    return [(flag["claim"], flag["kind"]) for flag in unsupported_claims(text, facts)]


def test_a_grounded_description_has_no_flags():
    text = (
        "<h3>Hot lunches, anywhere</h3><p>Keep soup hot for 9 hours, or a salad chilled for"
        " up to 14 hours, in this 470 ml stainless steel flask.</p><ul><li>Weighs just 500 g"
        "</li><li>Deep blue colour</li><li>Backed by a 5-year guarantee</li></ul>"
        "<p>Rated 4.7 out of 5 by 38 customers. Yours for £24.99.</p>"
    )
    assert unsupported_claims(text, FLASK) == []


def test_the_hand_worked_example():
    """Each sentence checked by hand against FLASK's facts.

    "hot for 12 hours": FLASK keeps hot 9 hours, cold 14 -> 12 hours is invented.
    "0.5 litre": no volume of 500 ml; 0.5 is only the weight in kg -> wrong unit.
    "1.2 kg": the flask weighs 0.5 kg -> invented. "black" is not in a colour sentence.
    "10-year warranty": 5 years -> invented. "25% off" and "£18.74": no discount in the
    facts -> invented. "RRP £24.99" is the price -> fine. "two" is a word -> no claim.
    "Made from bamboo": Material is stainless steel -> contradicted.
    """
    text = (
        "Keeps food hot for 12 hours in its 0.5 litre, 1.2 kg, black body with two handles. "
        "10-year warranty, and 25% off this week only: just £18.74 (RRP £24.99). "
        "Made from bamboo fibre."
    )
    assert unsupported_claims(text, FLASK) == [
        {"claim": "12 hours", "kind": "number", "reason": "not found in the product data"},
        {
            "claim": "0.5 litre",
            "kind": "unit",
            "reason": "the product data has 0.5 kg, not 0.5 litre",
        },
        {"claim": "1.2 kg", "kind": "number", "reason": "not found in the product data"},
        {"claim": "10-year", "kind": "number", "reason": "not found in the product data"},
        {"claim": "25%", "kind": "number", "reason": "not found in the product data"},
        {"claim": "£18.74", "kind": "number", "reason": "not found in the product data"},
        {
            "claim": "bamboo",
            "kind": "attribute",
            "reason": "the product's Material is 'Stainless steel'",
        },
    ]


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("A generous 750 ml capacity.", "750 ml"),
        ("At only 2.5kg it travels well.", "2.5kg"),
        ("Comes with a 3 year warranty.", "3 year"),
        ("Now 40% off!", "40%"),
        ("Was £34.99, now on sale.", "£34.99"),
        ("Holds 1.5 litres.", "1.5 litres"),
        ("Stays hot for 24h.", "24h"),
        ("Includes 6 pieces.", "6 pieces"),
        ("Trusted by 10,000 customers.", "10,000"),
    ],
)
def test_invented_numbers_are_flagged(text, claim):
    assert claims(text) == [(claim, "number")]


@pytest.mark.parametrize(
    "text",
    [
        "0.47 litres of space",  # = 470 ml
        "470 millilitres",
        "470 mL",
        "weighs 500 grams",  # = 0.5 kg
        "weighs 0,5 kg",  # decimal comma
        "a 60-month warranty",  # = 5 years
        "hot for nine hours, cold for 14 hrs",  # words are not claims; hrs = hours
        "about 15.9 fl oz",  # 470.2 ml, within rounding
    ],
)
def test_equivalent_units_and_spellings_are_supported(text):
    assert claims(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "£24.99",
        "only 24.99",
        "GBP 24.99",
        "24.99 GBP",
        "£ 24.99",
        "Rated 4.7/5 by 38 buyers",
    ],
)
def test_price_formats_and_review_figures_are_supported(text):
    assert claims(text) == []


@pytest.mark.parametrize(
    ("text", "claim"),
    [("$24.99", "$24.99"), ("€24.99", "€24.99"), ("¥24.99", "¥24.99"), ("24.99元", "24.99元")],
)
def test_the_right_number_in_the_wrong_currency_is_a_unit_flag(text, claim):
    flags = unsupported_claims(f"Only {text} today.", FLASK)
    assert flags == [{"claim": claim, "kind": "unit", "reason": "the product's price is in GBP"}]


@pytest.mark.parametrize(
    ("price", "currency", "text"),
    [
        ("1299.00", "GBP", "£1,299"),
        ("1299", "GBP", "£1,299.00"),
        ("1299.5", "EUR", "1.299,50 €"),
        ("1299.5", "EUR", "EUR 1299,50"),
        ("199", "CNY", "¥199"),
        ("199", "CNY", "￥199"),
        ("199", "CNY", "199元"),
        ("199", "", "$199"),  # no currency in the facts: the number is enough
    ],
)
def test_thousands_separators_decimal_commas_and_currency_symbols(price, currency, text):
    facts = {"title": "Desk", "price": price, "currency": currency}
    assert claims(f"Yours for {text}.", facts) == []
    assert claims(f"Yours for {text}, was 1,499.", facts) == [("1,499", "number")]


def test_an_amount_of_money_is_not_supported_by_a_duration():
    assert claims("A 5-year warranty for just £5.") == [("£5", "number")]


def test_a_number_with_the_wrong_unit_is_a_unit_flag():
    assert unsupported_claims("It holds 470 g.", FLASK) == [
        {"claim": "470 g", "kind": "unit", "reason": "the product data has 470ml, not 470 g"}
    ]


def test_chinese_units():
    facts = {
        "title": "保温饭盒",
        "attributes": {"容量": "500毫升", "重量": "0.5公斤", "质保": "2年", "颜色": "黑色"},
        "price": "129",
        "currency": "CNY",
    }
    grounded = "容量500毫升，约0.5升；重500克，质保2年，颜色为黑色，售价¥129（129元）。"
    assert unsupported_claims(grounded, facts) == []
    invented = "容量750毫升，质保3年，限时8折只要99元，颜色为红色。"
    assert claims(invented, facts) == [
        ("750毫升", "number"),
        ("3年", "number"),
        ("8折", "number"),
        ("99元", "number"),
        ("红色", "attribute"),
    ]


def test_numbers_in_the_title_are_never_flagged():
    facts = {"title": "Nike Air Max 90 Trainers, Pack of 2 pairs", "price": "120"}
    assert claims("The Air Max 90 is a classic; 2 pairs in every box, 90 reasons.", facts) == []
    assert claims("A 470 ml flask, 470 times better.") == []  # title: "... Flask 470ml"


def test_numbers_written_as_words_are_not_claims():
    assert claims("Two pockets, three colours and ten reasons to love it.") == []


def test_list_markers_and_rating_scales_are_not_claims():
    assert claims("1. Light\n2. Strong\n3) Warm\n\nScores 4.7 out of 5, or 4.7/5.") == []


def test_dimensions_and_ranges_take_their_unit():
    facts = {"title": "Frame", "attributes": {"Size": "30 x 40 cm", "Delivery": "3-5 days"}}
    assert claims("A 30 x 40 cm frame, delivered in 3-5 days.", facts) == []
    assert claims("A 30 × 50 cm frame, delivered in 3 to 7 days.", facts) == [
        ("50 cm", "number"),
        ("7 days", "number"),
    ]


def test_a_bare_attribute_number_supports_a_claim_in_the_attributes_unit():
    facts = {"title": "Jug", "attributes": {"Capacity (ml)": 1200, "Cups": "4"}}
    assert claims("Holds 1200 ml, enough for 4 cups.", facts) == []
    assert claims("Holds 1300 ml.", facts) == [("1300 ml", "number")]


def test_product_codes_ordinals_and_times_are_not_numeric_claims():
    assert claims("Model TK-470, the 2nd generation, 4K-ready, 3D-printed, USB3.") == []


def test_calendar_years_are_numbers_not_durations():
    facts = {"title": "Tea", "description": "Harvested in 2023."}
    assert claims("Harvested in 2023年, first sold in 1998.", facts) == [("1998", "number")]


def test_each_claim_is_flagged_once():
    assert claims("12 hours hot. Yes, 12 hours! And 12 HOURS.") == [("12 hours", "number")]


def test_colour_contradictions_only_in_sentences_about_colour():
    assert claims("Available in red and navy.") == [("red", "attribute")]
    assert claims("The colour is a rich crimson.") == [("crimson", "attribute")]
    assert claims("Pairs well with a red scarf.") == []  # not a statement about its colour
    assert claims("Its navy colour hides scuffs.") == []  # navy is a blue, like the facts
    assert claims("Comes in midnight blue.") == []


def test_material_contradictions_and_the_words_already_in_the_facts():
    assert claims("Made of glass and plastic.") == [
        ("glass", "attribute"),
        ("plastic", "attribute"),
    ]
    assert claims("Crafted from stainless steel.") == []
    facts = {**FLASK, "description": "Steel body, glass-free, with a plastic spoon."}
    assert claims("Made of steel with a plastic spoon.", facts) == []


def test_no_attribute_checks_without_a_known_attribute_value():
    unknown = {"title": "Scarf", "attributes": {"Colour": "Sunset", "Pattern": "Striped"}}
    assert claims("Comes in red, made of silk.", unknown) == []
    none = {"title": "Scarf"}
    assert claims("Comes in red, made of silk.", none) == []


def test_html_is_read_as_text():
    assert claims("<p>Holds <strong>750</strong>&nbsp;ml<script>470</script></p>") == [
        ("750 ml", "number")
    ]


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("1,299.50", [1299.5]),
        ("1.299,50", [1299.5]),
        ("2,5", [2.5]),
        ("2.5", [2.5]),
        ("1,500", [1500.0]),
        ("1,000,000", [1000000.0]),
        ("1.000.000", [1000000.0]),
        ("8,10,12", [8.0, 10.0, 12.0]),
        ("470", [470.0]),
    ],
)
def test_parse_number(text, numbers):
    assert parse_number(text) == numbers


def test_extract_quantities_normalises_units_and_currencies():
    found = {
        (q.text, q.value, q.unit) for q in extract_quantities("５００毫升, 2.5 Kilograms, 40 %")
    }
    assert found == {("500毫升", 500.0, "ml"), ("2.5 Kilograms", 2.5, "kg"), ("40 %", 40.0, "%")}
    (price,) = extract_quantities("¥199")
    assert price.currencies == {"CNY", "JPY"}


def test_bad_input_is_a_clear_error():
    with pytest.raises(TypeError, match="text must be a str"):
        unsupported_claims(None, FLASK)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="facts must be a dict"):
        unsupported_claims("text", ["facts"])  # type: ignore[arg-type]
