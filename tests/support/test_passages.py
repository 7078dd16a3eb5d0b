"""Articles cut into passages: the title passage, then title-led paragraphs and sentences."""

from oscar_ai_crm.support.passages import (
    article_passages,
    chunk_paragraph,
    passage_body,
    split_sentences,
)


def test_title_passage_then_one_passage_per_paragraph():
    body = "First paragraph line one.\nStill the first.\n\n\nSecond  paragraph.\n\n  \n"

    passages = article_passages("Returns", body, ["refund", " ", "exchange"])

    assert passages == [
        "Returns\nrefund, exchange",
        "Returns\nFirst paragraph line one. Still the first.",
        "Returns\nSecond paragraph.",
    ]


def test_title_alone_without_tags_or_body():
    assert article_passages("  Gift   cards ", "", []) == ["Gift cards"]


def test_sentences_end_at_western_and_chinese_marks():
    assert split_sentences("It costs 3.95 EUR. Free over 50! Why? 好的。谢谢！真的吗？") == [
        "It costs 3.95 EUR.",
        "Free over 50!",
        "Why?",
        "好的。",
        "谢谢！",
        "真的吗？",
    ]


def test_long_paragraphs_are_cut_at_sentence_ends():
    english = " ".join(f"Sentence number {i} is here." for i in range(20))
    chinese = "退货需要在三十天内申请。" * 12

    for paragraph in (english, chinese):
        chunks = chunk_paragraph(paragraph, max_chars=80)
        assert len(chunks) > 1
        assert all(len(chunk) <= 80 for chunk in chunks)
        assert all(chunk.endswith((".", "。")) for chunk in chunks)
        assert "".join(chunks).replace(" ", "") == paragraph.replace(" ", "")


def test_a_sentence_longer_than_the_limit_stays_whole():
    sentence = "word " * 50 + "end."
    assert chunk_paragraph(sentence.strip(), max_chars=20) == [sentence.strip()]


def test_passage_body_drops_the_title_line():
    assert passage_body("Returns\nRefunds take 5 days.") == "Refunds take 5 days."
    assert passage_body("Returns") == "Returns"
