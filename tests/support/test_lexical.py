"""Analyzers and the normalised BM25 / TF-IDF scores of the lexical index."""

import numpy as np
import pytest

from oscar_ai_crm.support.lexical import LexicalIndex, chinese_terms, english_terms, fold

PASSAGES = [
    "Returns and refunds\nYou can return items within 30 days for a full refund.",
    "Shipping\nStandard delivery takes 3 to 5 business days and is free over 50 EUR.",
    "Payment methods\nWe accept cards, PayPal and bank transfer.",
    "Gift cards\nGift cards are sent by email and never expire.",
]


@pytest.mark.parametrize(
    ("words", "folded"),
    [
        (["returns", "returned", "returning", "return"], "return"),
        (["shipping", "shipped", "ships", "ship"], "ship"),
        (["policies", "policy"], "policy"),
        (["charges", "charged", "charge"], "charg"),
    ],
)
def test_fold_meets_word_forms(words, folded):
    assert {fold(word) for word in words} == {folded}


def test_english_terms_drop_stop_words_and_keep_numbers():
    assert english_terms("How do I return my 2 Jackets?") == ["return", "2", "jacket"]


def test_chinese_terms_are_character_ngrams_of_runs_cut_at_function_characters():
    terms = chinese_terms("可以用PayPal付款吗？订单100042")

    assert {"付", "款", "付款", "订单", "paypal", "100042"} <= set(terms)
    assert not {"可", "以", "吗", "款吗", "用p"} & set(terms)


def test_a_passage_holding_every_term_scores_one_and_others_less():
    index = LexicalIndex(english_terms).fit(PASSAGES)

    scores = index.bm25("refund within 30 days")

    assert scores[0] == pytest.approx(1.0)
    assert scores[1:].max() < 0.5
    assert np.all((scores >= 0) & (scores <= 1))


def test_terms_no_passage_contains_lower_the_score():
    index = LexicalIndex(english_terms).fit(PASSAGES)

    known = index.bm25("gift cards")[3]
    half_unknown = index.bm25("gift cards weather forecast")[3]

    assert known == pytest.approx(1.0)
    assert 0 < half_unknown < 0.6
    assert index.bm25("weather forecast in Paris").max() == 0.0


def test_rare_terms_weigh_more_than_common_ones():
    index = LexicalIndex(english_terms).fit(PASSAGES)
    scores = index.bm25("paypal days")  # "paypal" is in one passage, "days" in two

    assert scores[2] > scores[0] > 0


def test_chinese_bm25_finds_the_passage_and_ignores_word_boundary_bigrams():
    passages = ["退货与退款\n签收后30天内可以退货并全额退款。", "配送\n标准配送需3至5个工作日。"]
    index = LexicalIndex(chinese_terms).fit(passages)

    scores = index.bm25("退货退款？")  # "货退" spans two words: not held against it

    assert scores[0] == pytest.approx(1.0) and scores[1] == 0.0
    assert 0 < index.bm25("退货退款运费")[0] < 1  # "运费" is not in the passages
    # Interrogatives ask, they do not name the topic: they cost nothing.
    assert index.bm25("退货退款要多久？")[0] == pytest.approx(1.0)
    assert index.bm25("明天北京天气").max() < 0.2


def test_tfidf_cosine_is_bounded_and_ranks_like_bm25():
    index = LexicalIndex(english_terms).fit(PASSAGES)

    cosine = index.tfidf_cosine("bank transfer payment")

    assert cosine.argmax() == 2
    assert np.all((cosine >= 0) & (cosine <= 1))
    assert index.tfidf_cosine("unrelated words only").max() == 0.0


def test_empty_corpus_and_empty_question():
    index = LexicalIndex(english_terms).fit(["", "!!!"])

    assert index.bm25("refund").tolist() == [0.0, 0.0]
    assert LexicalIndex().fit(PASSAGES).bm25("").tolist() == [0.0] * 4
