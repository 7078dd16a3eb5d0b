"""Articles cut into the passages the knowledge-base index searches.

An article gives a *title passage* (its title and tags: matches questions naming the
topic) and one passage per paragraph, each led by the title so that a paragraph keeps its
topic ("Returns and refunds" + "Refunds go back to ... within 5 to 10 days"). Paragraphs
longer than ``max_chars`` are cut at sentence ends (``.!?`` followed by a space, or the
Chinese ``。！？``). Passages are plain text: the title, a newline, then the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
SENTENCE_END = re.compile(r"(?<=[。！？])|(?<=[.!?])\s+")
WHITESPACE = re.compile(r"\s+")

#: Longest passage body, in characters, before a paragraph is cut at sentence ends
#: (MiniLM reads about 250 word pieces: some 150 English words).
MAX_CHARS = 400


def plain(text: str) -> str:
    """``text`` on one line: runs of whitespace become one space."""
    return WHITESPACE.sub(" ", text).strip()


def split_sentences(paragraph: str) -> list[str]:
    """The sentences of a paragraph, ends kept (``"A. B!"`` -> ``["A.", "B!"]``)."""
    return [s.strip() for s in SENTENCE_END.split(paragraph) if s.strip()]


def chunk_paragraph(paragraph: str, max_chars: int = MAX_CHARS) -> list[str]:
    """Whole sentences packed into chunks of at most ``max_chars`` characters.

    A single sentence longer than ``max_chars`` is a chunk of its own (it is not cut
    mid-sentence). English sentences are joined by a space, Chinese ones directly.
    """
    chunks: list[str] = []
    current = ""
    for sentence in split_sentences(paragraph):
        joined = _join(current, sentence)
        if current and len(joined) > max_chars:
            chunks.append(current)
            current = sentence
        else:
            current = joined
    return chunks + [current] if current else chunks


def _join(left: str, right: str) -> str:
    if not left:
        return right
    return left + right if left.endswith(("。", "！", "？")) else f"{left} {right}"


def article_passages(
    title: str, body: str, tags: Iterable[str] = (), max_chars: int = MAX_CHARS
) -> list[str]:
    """The passages of one article: the title passage first, then the body's chunks.

    The title passage is the title, a newline and the tags (comma separated; the title
    alone when there are none). Each body passage is the title, a newline and a chunk
    of a paragraph. Empty paragraphs give no passage.
    """
    heading = plain(title)
    labels = ", ".join(plain(str(tag)) for tag in tags if plain(str(tag)))
    passages = [f"{heading}\n{labels}" if labels else heading]
    for paragraph in PARAGRAPH_BREAK.split(body or ""):
        for chunk in chunk_paragraph(plain(paragraph), max_chars):
            passages.append(f"{heading}\n{chunk}")
    return passages


def passage_body(passage: str) -> str:
    """What a passage says without its title line (the title itself for a bare title)."""
    heading, _, rest = passage.partition("\n")
    return rest or heading
