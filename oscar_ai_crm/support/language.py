"""Which language a customer wrote in: Simplified Chinese or English, from the script used."""

from __future__ import annotations

import re

CHINESE = "zh-hans"
ENGLISH = "en"

# Han ideographs (CJK unified, extension A, compatibility) and the Japanese kana that may
# appear in CJK text: each character counts as one word.
CJK_CHARACTER = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# A run of letters of any other script: one word. Digits (order numbers, prices) and
# punctuation count for neither language.
LATIN_WORD = re.compile(r"[^\W\d_\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

#: Share of CJK characters among the words at or above which a text is Chinese.
CHINESE_SHARE = 0.5


def cjk_share(text: str) -> float:
    """CJK characters / (CJK characters + words of other letters); 0.0 for no words.

    A Chinese character is about a word, so a Chinese sentence naming a product
    ("我的 MacBook Pro 保修多久") stays mostly Chinese, and an English one quoting a
    Chinese term ("what does 退货 mean") mostly English.
    """
    cjk = len(CJK_CHARACTER.findall(text))
    words = len(LATIN_WORD.findall(text))
    return cjk / (cjk + words) if cjk + words else 0.0


def detect_language(text: str) -> str:
    """``"zh-hans"`` when at least half of the words are CJK characters, else ``"en"``.

    Texts without any letters (an order number alone, punctuation) are ``"en"``.
    """
    return CHINESE if cjk_share(text) >= CHINESE_SHARE else ENGLISH


def primary_subtag(language: str) -> str:
    """The language without region or script, lower case: ``"zh-Hans"`` -> ``"zh"``."""
    return language.lower().replace("_", "-").split("-")[0]


def is_chinese(language: str) -> bool:
    """True for Chinese language codes: ``zh``, ``zh-hans``, ``zh-Hant``, ``zh_CN``..."""
    return primary_subtag(language) == "zh"


def same_language(left: str, right: str) -> bool:
    """True when two codes name the same language (``"en"`` and ``"en-GB"``)."""
    return primary_subtag(left) == primary_subtag(right)


def reply_language(language: str) -> str:
    """The language the assistant's own texts are written in for ``language``: Chinese
    codes get Simplified Chinese, everything else English."""
    return CHINESE if is_chinese(language) else ENGLISH
