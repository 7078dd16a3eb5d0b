"""Ranking knowledge-base articles for a question: sentence embeddings and BM25 combined.

Plain code on arrays (no ORM, no model loading): :class:`PassageRanker` is fitted on an
index's passages and their MiniLM embeddings, then scores questions. Passages are grouped
by language, each group with its own lexical index (word analyzer, or character n-grams
for Chinese). A question is matched against the articles in its own language when there
are any, else against all.

Score of a passage = ``w * dense + (1 - w) * bm25`` with ``bm25`` the normalised BM25 of
:mod:`.lexical` and ``dense`` a cosine mapped linearly from ``[floor, full]`` to ``[0, 1]``:

* questions in a language MiniLM reads (English), with MiniLM embeddings: the MiniLM
  cosine, ``w = minilm_weight`` (0.75, embeddings lead: they catch paraphrases);
* otherwise (Chinese, which MiniLM does not read, or a TF-IDF index): the TF-IDF cosine of
  the lexical terms, ``w = tfidf_weight`` (0.4: BM25 over character n-grams leads).

An article scores as its best passage. Every part is in [0, 1] and calibrated so that
0.5 separates "the article answers this" from "nothing does" on both paths.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .language import is_chinese, primary_subtag
from .lexical import LexicalIndex, chinese_terms, english_terms
from .passages import passage_body

#: One indexed passage: (article id, article language, text).
Passage = tuple[int, str, str]


@dataclass(frozen=True)
class ArticleScore:
    """An article's score for a question and the index of its best passage."""

    article_id: int
    score: float
    passage_index: int


class PassageRanker:
    """Scores every indexed passage for a question and ranks articles by their best one.

    Parameters
    ----------
    minilm_weight : weight of the MiniLM cosine against BM25, where MiniLM applies.
    tfidf_weight : weight of the TF-IDF cosine against BM25 elsewhere.
    minilm_cosine : (floor, full) MiniLM cosines mapped to 0 and 1. Unrelated sentences
        sit near 0.1-0.2 with all-MiniLM-L6-v2, a close paraphrase at 0.6 and above.
    tfidf_cosine : (floor, full) for the TF-IDF cosine.
    minilm_languages : question languages (primary subtags) MiniLM reads.
    k1, b : BM25 parameters.
    """

    def __init__(
        self,
        minilm_weight: float = 0.75,
        tfidf_weight: float = 0.4,
        minilm_cosine: tuple[float, float] = (0.2, 0.6),
        tfidf_cosine: tuple[float, float] = (0.0, 0.6),
        minilm_languages: Sequence[str] = ("en",),
        k1: float = 1.2,
        b: float = 0.75,
    ):
        self.minilm_weight = minilm_weight
        self.tfidf_weight = tfidf_weight
        self.minilm_cosine = minilm_cosine
        self.tfidf_cosine = tfidf_cosine
        self.minilm_languages = minilm_languages
        self.k1 = k1
        self.b = b

    def fit(
        self, passages: Sequence[Passage], embeddings: np.ndarray | None = None
    ) -> PassageRanker:
        """Index ``passages``; ``embeddings`` are their L2-normalised MiniLM rows, or None.

        Passages of one article must be consecutive, its title passage first (as
        :func:`.passages.article_passages` makes them).
        """
        self.texts_ = [text for _, _, text in passages]
        self.article_ids_ = np.array([article for article, _, _ in passages], dtype=np.int64)
        languages = np.array([primary_subtag(language) for _, language, _ in passages])
        self.embeddings_ = embeddings if embeddings is not None and len(embeddings) else None
        self.is_title_ = np.ones(len(passages), dtype=bool)
        self.is_title_[1:] = self.article_ids_[1:] != self.article_ids_[:-1]
        self.groups_: dict[str, tuple[np.ndarray, LexicalIndex]] = {}
        for language in sorted(set(languages)):
            rows = np.flatnonzero(languages == language)
            analyzer = chinese_terms if is_chinese(language) else english_terms
            lexical = LexicalIndex(analyzer, self.k1, self.b).fit([self.texts_[i] for i in rows])
            self.groups_[language] = (rows, lexical)
        return self

    def uses_minilm(self, language: str) -> bool:
        """True when questions in ``language`` are scored with MiniLM embeddings."""
        return self.embeddings_ is not None and primary_subtag(language) in self.minilm_languages

    def rank(
        self, question: str, language: str, question_vector: np.ndarray | None = None
    ) -> list[ArticleScore]:
        """Articles with a positive score, best first; ``question_vector`` is the question's
        MiniLM embedding when :meth:`uses_minilm` (ignored otherwise)."""
        scores = np.zeros(len(self.texts_))
        for rows, lexical in self._groups_for(language):
            scores[rows] = self._score_group(question, language, rows, lexical, question_vector)
        return self._best_per_article(scores)

    def _groups_for(self, language: str) -> list[tuple[np.ndarray, LexicalIndex]]:
        own = self.groups_.get(primary_subtag(language))
        return [own] if own is not None else list(self.groups_.values())

    def _score_group(
        self,
        question: str,
        language: str,
        rows: np.ndarray,
        lexical: LexicalIndex,
        question_vector: np.ndarray | None,
    ) -> np.ndarray:
        bm25 = lexical.bm25(question)
        if self.uses_minilm(language) and question_vector is not None:
            assert self.embeddings_ is not None
            cosine = self.embeddings_[rows] @ np.asarray(question_vector, dtype=np.float32)
            weight, (floor, full) = self.minilm_weight, self.minilm_cosine
        else:
            cosine = lexical.tfidf_cosine(question)
            weight, (floor, full) = self.tfidf_weight, self.tfidf_cosine
        dense = np.clip((cosine - floor) / (full - floor), 0.0, 1.0)
        return weight * dense + (1.0 - weight) * bm25

    def _best_per_article(self, scores: np.ndarray) -> list[ArticleScore]:
        order = np.lexsort((-scores, self.article_ids_))  # by article, best passage first
        first = np.ones(len(order), dtype=bool)
        first[1:] = self.article_ids_[order][1:] != self.article_ids_[order][:-1]
        best = order[first]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [
            ArticleScore(int(self.article_ids_[i]), float(scores[i]), int(i))
            for i in best
            if scores[i] > 0
        ]

    def answer_passage(self, index: int) -> str:
        """The text a hit quotes for passage ``index``, without the title line.

        For a title passage (title and tags), the article's first paragraph instead.
        """
        if self.is_title_[index] and index + 1 < len(self.texts_) and not self.is_title_[index + 1]:
            index += 1
        return passage_body(self.texts_[index])
