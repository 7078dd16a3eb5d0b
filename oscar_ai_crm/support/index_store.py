"""Building and storing the knowledge-base index (``KnowledgeIndex`` rows).

:func:`rebuild_index` cuts every published article into passages, embeds them with the
configured encoder (``SUPPORT["ENCODER"]``) and saves one new row; the newest row is the
one served, the last :data:`KEEP` rows are kept. A build that fails is logged and saves
nothing, so the previous index keeps serving. The TF-IDF encoder stores no vectors: they
are recomputed from the passages' text when the index is loaded.
"""

from __future__ import annotations

import hashlib
import io
import logging
import time

import numpy as np

from ..conf import crm_settings
from ..models import KnowledgeArticle, KnowledgeIndex
from ..recommenders.content import ENCODERS, encode_minilm, minilm_available
from .passages import article_passages

logger = logging.getLogger(__name__)

#: Index rows kept (the newest serves; older ones show the history of builds).
KEEP = 3

MINILM = "minilm"
TFIDF = "tfidf"


def resolve_encoder(name: str | None = None) -> str:
    """``"minilm"`` or ``"tfidf"`` for ``SUPPORT["ENCODER"]`` (or ``name``).

    ``"auto"`` is MiniLM when sentence-transformers and the weights are installed.
    """
    name = name or crm_settings.SUPPORT["ENCODER"]
    if name not in ENCODERS:
        raise ValueError(f'SUPPORT["ENCODER"] must be one of {ENCODERS}, not {name!r}.')
    if name == "auto":
        return MINILM if minilm_available() else TFIDF
    return name


def articles_fingerprint() -> str:
    """A hash of (id, updated_at, language, published) of every article."""
    rows = KnowledgeArticle.objects.order_by("pk").values_list(
        "pk", "updated_at", "language", "is_published"
    )
    digest = hashlib.sha256()
    for pk, updated_at, language, published in rows:
        digest.update(f"{pk}|{updated_at.isoformat()}|{language}|{published}\n".encode())
    return digest.hexdigest()


def collect_passages() -> tuple[list[list], int]:
    """``[article_id, language, text]`` of every published article; the article count."""
    articles = KnowledgeArticle.objects.filter(is_published=True).order_by("pk")
    passages: list[list] = []
    count = 0
    for pk, title, body, tags, language in articles.values_list(
        "pk", "title", "body", "tags", "language"
    ):
        count += 1
        labels = tags if isinstance(tags, list) else []
        passages += [[pk, language, text] for text in article_passages(title, body, labels)]
    return passages, count


def embeddings_to_bytes(vectors: np.ndarray) -> bytes:
    """``vectors`` as the bytes of a ``.npy`` file (no pickle)."""
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(vectors, dtype=np.float32), allow_pickle=False)
    return buffer.getvalue()


def embeddings_from_bytes(data: bytes | memoryview) -> np.ndarray | None:
    """The array stored by :func:`embeddings_to_bytes`; None for empty bytes."""
    raw = bytes(data or b"")
    return np.load(io.BytesIO(raw), allow_pickle=False) if raw else None


#: Passage text -> MiniLM row of the last build in this process (see :func:`known_vectors`).
_last_vectors: dict[str, np.ndarray] = {}


def known_vectors(newest: KnowledgeIndex | None) -> dict[str, np.ndarray]:
    """Passage text -> MiniLM row already computed: the newest stored index's rows and the
    last build's in this process. A rebuild encodes only passages that are new or changed
    (MiniLM gives the same row for the same text), so editing one article costs one
    article's encoding, not the whole knowledge base's."""
    known = dict(_last_vectors)
    if newest is not None and newest.encoder == MINILM:
        stored = KnowledgeIndex.objects.filter(pk=newest.pk).values_list("passages", "embeddings")
        for passages, data in stored:
            vectors = embeddings_from_bytes(data)
            if vectors is not None and len(vectors) == len(passages):
                texts = [text for _, _, text in passages]
                known.update(zip(texts, vectors, strict=True))
    return known


def encode_passages(
    texts: list[str], encoder: str, known: dict[str, np.ndarray] | None = None
) -> bytes:
    """The stored embeddings of ``texts``: MiniLM rows as ``.npy`` bytes; none for TF-IDF.

    Rows of texts in ``known`` are reused; the others are encoded.
    """
    if encoder != MINILM or not texts:
        return b""
    known = known or {}
    missing = sorted({text for text in texts if text not in known})
    if missing:
        known = {**known, **dict(zip(missing, encode_minilm(missing), strict=True))}
    vectors = np.stack([known[text] for text in texts])
    _last_vectors.clear()
    _last_vectors.update(zip(texts, vectors, strict=True))
    return embeddings_to_bytes(vectors)


def rebuild_index(*, force: bool = False) -> KnowledgeIndex:
    """Build and save a new index of the published articles; the row saved.

    Returns the newest row unchanged when it already covers the same articles with the
    same encoder (unless ``force``). On failure the error is logged and raised, nothing
    is saved and the previous index keeps serving.
    """
    started = time.perf_counter()
    try:
        encoder = resolve_encoder()
        fingerprint = articles_fingerprint()
        newest = newest_index(fields=("fingerprint", "encoder", "article_count", "created_at"))
        if not force and newest and (newest.fingerprint, newest.encoder) == (fingerprint, encoder):
            return newest
        passages, article_count = collect_passages()
        texts = [text for _, _, text in passages]
        embeddings = encode_passages(texts, encoder, known_vectors(newest))
        index = KnowledgeIndex.objects.create(
            encoder=encoder,
            fingerprint=fingerprint,
            article_count=article_count,
            passages=passages,
            embeddings=embeddings,
            duration_seconds=time.perf_counter() - started,
        )
    except Exception:
        logger.exception("Knowledge-base index rebuild failed; the previous index still serves")
        raise
    prune_indexes()
    logger.info(
        "Knowledge-base index %s: %d articles, %d passages, %s, %.2fs",
        index.pk, article_count, len(passages), encoder, index.duration_seconds,
    )  # fmt: skip
    return index


def newest_index(fields: tuple[str, ...] = ()) -> KnowledgeIndex | None:
    """The index row being served (the newest), or None before the first build.

    ``fields``: load only these (not the passages and embeddings).
    """
    rows = KnowledgeIndex.objects.order_by("-created_at", "-pk")
    return (rows.only(*fields) if fields else rows).first()


def newest_index_key() -> tuple[int, str] | None:
    """(id, fingerprint) of the newest index row: one cheap query, to see whether a
    reload is due (the fingerprint guards against an id reused after a rollback)."""
    rows = KnowledgeIndex.objects.order_by("-created_at", "-pk")
    return rows.values_list("pk", "fingerprint").first()


def prune_indexes(keep: int = KEEP) -> int:
    """Delete all but the ``keep`` newest index rows; how many were deleted."""
    stale = KnowledgeIndex.objects.order_by("-created_at", "-pk").values_list("pk", flat=True)[
        keep:
    ]
    deleted, _ = KnowledgeIndex.objects.filter(pk__in=list(stale)).delete()
    return deleted
