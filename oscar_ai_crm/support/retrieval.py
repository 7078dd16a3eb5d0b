"""Knowledge-base search: :func:`search` for the assistant, :func:`rebuild_index` for tasks.

The newest ``KnowledgeIndex`` row is loaded once per process into a fitted
:class:`.ranking.PassageRanker` (lexical indexes and TF-IDF built in memory from the
stored passages, MiniLM embeddings read from the stored ``.npy`` bytes). Each search
checks the newest row's id (one small query) and reloads when a rebuild saved a newer
row; articles deleted or unpublished since the build are filtered out with one query.
Before the first build, the first search builds the index synchronously.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import cache

import numpy as np
from threadpoolctl import ThreadpoolController

from ..models import KnowledgeArticle, KnowledgeIndex
from ..recommenders.content import encode_minilm, load_minilm, minilm_available
from .index_store import MINILM, embeddings_from_bytes, newest_index_key, rebuild_index
from .language import detect_language
from .ranking import PassageRanker
from .types import ArticleHit

__all__ = ["rebuild_index", "search", "loaded_ranker"]

logger = logging.getLogger(__name__)

#: Articles ranked beyond ``limit`` whose publication is checked, in case some of the
#: best were deleted or unpublished since the index was built.
SPARE = 10


@dataclass(frozen=True)
class LoadedIndex:
    """A ``KnowledgeIndex`` row ready to search."""

    key: tuple[int, str]  # (id, fingerprint)
    encoder: str
    ranker: PassageRanker


_loaded: LoadedIndex | None = None
_lock = threading.Lock()


def search(question: str, language: str | None = None, limit: int = 3) -> list[ArticleHit]:
    """The published articles that best answer ``question``, best first (at most ``limit``).

    ``language`` defaults to :func:`.language.detect_language` of the question; articles
    in it are searched when there are any, else all articles. Each hit's ``score`` is in
    [0, 1], comparable across languages and encoders (see docs/support-retrieval.md);
    ``passage`` is the text of the article that matched best.
    """
    question = (question or "").strip()
    if not question or limit <= 0:
        return []
    language = language or detect_language(question)
    ranker = loaded_ranker()
    vector = _question_vector(question) if ranker.uses_minilm(language) else None
    ranked = ranker.rank(question, language, vector)[: limit + SPARE]
    live = KnowledgeArticle.objects.filter(
        pk__in=[item.article_id for item in ranked], is_published=True
    ).values_list("pk", "title", "language", "body")
    articles = {pk: (title, article_language, body) for pk, title, article_language, body in live}
    hits = [
        ArticleHit(
            article_id=item.article_id,
            title=articles[item.article_id][0],
            language=articles[item.article_id][1],
            score=round(item.score, 4),
            passage=ranker.answer_passage(item.passage_index),
            body=articles[item.article_id][2],
        )
        for item in ranked
        if item.article_id in articles
    ]
    return hits[:limit]


def loaded_ranker() -> PassageRanker:
    """The ranker of the newest index, loaded once per process (built on first use)."""
    global _loaded
    key = newest_index_key()
    if key is None:
        logger.info("No knowledge-base index yet: building one now")
        index = rebuild_index()
        key = (index.pk, index.fingerprint)
    loaded = _loaded
    if loaded is not None and loaded.key == key:
        return loaded.ranker
    with _lock:
        if _loaded is None or _loaded.key != key:
            _loaded = load_index(KnowledgeIndex.objects.get(pk=key[0]))
        return _loaded.ranker


def load_index(index: KnowledgeIndex) -> LoadedIndex:
    """A fitted ranker for ``index``: its passages, and its MiniLM embeddings if usable."""
    embeddings = None
    if index.encoder == MINILM:
        if minilm_available():
            embeddings = embeddings_from_bytes(index.embeddings)
        else:
            logger.warning(
                "Knowledge-base index %s was built with MiniLM, which is not installed "
                "here: searching it with TF-IDF",
                index.pk,
            )
    passages = [(int(a), str(lang), str(text)) for a, lang, text in index.passages]
    ranker = PassageRanker().fit(passages, embeddings)
    return LoadedIndex(
        (index.pk, index.fingerprint), index.encoder if embeddings is not None else "tfidf", ranker
    )


def _question_vector(question: str) -> np.ndarray:
    """The question's MiniLM embedding, computed on one CPU thread.

    One short sentence gains nothing from more threads, and torch's OpenMP threads
    spin-wait when the CPU is shared (other workers, other processes): measured here,
    2 threads took ~490 ms per question under load against ~18 ms for one.
    """
    load_minilm()  # torch loaded first, so that the controller sees its OpenMP library
    with _thread_controller().limit(limits=1):
        return encode_minilm([question])[0]


@cache
def _thread_controller() -> ThreadpoolController:
    return ThreadpoolController()


def clear_loaded_index() -> None:
    """Forget the loaded index (the next search loads the newest row again)."""
    global _loaded
    with _lock:
        _loaded = None
