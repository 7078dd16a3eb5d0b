"""detect_language: Chinese or English from the share of CJK characters."""

import pytest

from oscar_ai_crm.support.language import cjk_share, detect_language, is_chinese, same_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What is your return policy?", "en"),
        ("你们的退货政策是什么？", "zh-hans"),
        ("可以用PayPal付款吗？", "zh-hans"),  # a brand name inside Chinese
        ("我的订单100042到哪了？", "zh-hans"),  # an order number inside Chinese
        ("我的 MacBook Pro 保修多久", "zh-hans"),
        ("what does 退货 mean on my receipt", "en"),  # a Chinese term inside English
        ("Where is order #100042?", "en"),
        ("100042", "en"),  # no letters at all
        ("？？！！...", "en"),
        ("", "en"),
        ("Ça va? Où est ma commande", "en"),  # other latin scripts are not Chinese
    ],
)
def test_detect_language(text, expected):
    assert detect_language(text) == expected


def test_share_counts_chinese_characters_against_words():
    assert cjk_share("退货 policy") == pytest.approx(2 / 3)
    assert cjk_share("12345 !!!") == 0.0


def test_language_codes():
    assert is_chinese("zh-hans") and is_chinese("zh_CN") and is_chinese("ZH")
    assert not is_chinese("en")
    assert same_language("en", "en-GB") and not same_language("en", "zh-hans")
