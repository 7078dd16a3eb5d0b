"""Word-matching search over passages: BM25 and TF-IDF on scikit-learn count matrices.

Two analyzers turn text into terms: :func:`english_terms` (lower-cased unicode words, a
small stop list, light suffix folding so "returns", "returned" and "returning" meet) and
:func:`chinese_terms` (the character unigrams and bigrams of every run of CJK characters,
which needs no word segmenter, plus the latin words and numbers in between).

:class:`LexicalIndex` scores every passage for a question at once, as sparse products:

* :meth:`~LexicalIndex.bm25`: BM25 normalised by the question's attainable score, i.e. the
  idf-weighted share of the question's terms that a passage contains, each term's weight
  saturating at one occurrence in a passage of average length (longer passages are
  discounted as in BM25). Terms no passage contains count with the highest idf, so a
  question about something the knowledge base never mentions scores near 0, and one whose
  every term is found scores 1.
* :meth:`~LexicalIndex.tfidf_cosine`: cosine of sublinear TF-IDF vectors, the query's norm
  including its unknown terms; the sentence-embedding stand-in when MiniLM is absent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CHINESE_TOKEN = re.compile(rf"([{CJK}]+)|([^\W_{CJK}]+)")
CJK_CHARACTER = re.compile(f"[{CJK}]")
ENGLISH_WORD = re.compile(rf"[^\W_{CJK}]+")  # CJK text is not read as English words

ENGLISH_STOP_WORDS = frozenset(
    """a about also am an and any are as at be been being but by can could did do does
    doing don for from had has have he her here hi hello him his how i if im in into is it
    its just let me mine my of on or our ours please she should so some something than
    thank thanks that the their them then there these they this those to too us very was
    we were what when where which who whom whose why will with would you your yours""".split()
)

# Function characters of Chinese questions (particles, pronouns, "can", "what", "how"):
# the counterpart of the English stop list. CJK runs are cut at them, so no bigram spans one.
CHINESE_STOP_CHARACTERS = frozenset(
    "的了吗呢吧啊呀哦嘛么"  # particles
    "我你您他她它们"  # pronouns
    "是在有和与及或就都也还很请问要想能会可以这那哪什怎谁"
)

#: Interrogatives, which ask rather than name what is asked about ("how long", "how much").
CHINESE_STOP_WORDS = ("为什么", "怎么样", "怎么办", "多长", "多久", "多少", "如何", "怎样", "几")

STOP_SPLIT = re.compile(
    "(?:" + "|".join(CHINESE_STOP_WORDS) + "|[" + "".join(sorted(CHINESE_STOP_CHARACTERS)) + "])+"
)

Analyzer = Callable[[str], list[str]]


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """A light English suffix folding: plural, -ed, -ing and a final e removed.

    ``returns``/``returned``/``returning`` -> ``return``, ``shipping``/``shipped`` ->
    ``ship``, ``policies`` -> ``policy``, ``charges``/``charged`` -> ``charg``. Words of
    three letters or fewer and numbers are kept as they are.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # shipp -> ship
            break
    else:
        if word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def english_terms(text: str) -> list[str]:
    """Lower-cased words without stop words, suffix-folded (numbers kept)."""
    words = ENGLISH_WORD.findall(text.lower())
    return [fold(w) for w in words if w not in ENGLISH_STOP_WORDS and (len(w) > 1 or w.isdigit())]


def chinese_terms(text: str) -> list[str]:
    """Character unigrams and bigrams of CJK runs; latin words and numbers whole."""
    terms: list[str] = []
    for run, word in CHINESE_TOKEN.findall(text.lower()):
        if run:
            for part in STOP_SPLIT.split(run):
                terms.extend(part)
                terms.extend(part[i : i + 2] for i in range(len(part) - 1))
        elif word not in ENGLISH_STOP_WORDS:
            terms.append(fold(word))
    return terms


class LexicalIndex:
    """BM25 and TF-IDF over a fixed list of passages (fit once, query many times).

    Parameters
    ----------
    analyzer : text -> terms; :func:`english_terms` or :func:`chinese_terms`.
    k1, b : BM25's term-frequency saturation and length normalisation.

    Attributes
    ----------
    vectorizer_ : the fitted ``CountVectorizer``.
    idf_ : BM25 idf per vocabulary term, float64.
    unknown_idf_ : the idf of a term no passage contains.
    weights_ : CSR (n_passages, n_terms) of per-term BM25 weights, each at most its idf.
    tfidf_ : CSR of L2-normalised sublinear TF-IDF rows.
    """

    def __init__(self, analyzer: Analyzer = english_terms, k1: float = 1.2, b: float = 0.75):
        self.analyzer = analyzer
        self.k1 = k1
        self.b = b

    def fit(self, texts: Sequence[str]) -> LexicalIndex:
        """Count the passages' terms and precompute the BM25 and TF-IDF matrices."""
        self.vectorizer_ = CountVectorizer(analyzer=self.analyzer)
        try:
            counts = sparse.csr_matrix(self.vectorizer_.fit_transform(list(texts)), dtype=float)
        except ValueError:  # no passage has a single term
            self.vectorizer_.vocabulary_ = {}
            counts = sparse.csr_matrix((len(texts), 0), dtype=float)
        n_passages = counts.shape[0]
        document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
        self.idf_ = _bm25_idf(document_frequency, n_passages)
        self.unknown_idf_ = float(_bm25_idf(np.zeros(1), n_passages)[0])
        self.weights_ = self._bm25_weights(counts)
        self.tfidf_ = _tfidf_rows(counts, self.idf_)
        return self

    def _bm25_weights(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        average = lengths.mean() if len(lengths) and lengths.mean() > 0 else 1.0
        norm = self.k1 * (1 - self.b + self.b * lengths / average)
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        tf = counts.data
        saturation = np.minimum(1.0, tf * (self.k1 + 1) / (tf + norm[rows]))
        weights = counts.copy()
        weights.data = self.idf_[counts.indices] * saturation
        return weights

    def _query(self, question: str) -> tuple[np.ndarray, int]:
        """Vocabulary indices of the question's distinct known terms; count of unknown."""
        vocabulary = self.vectorizer_.vocabulary_
        terms = set(self.analyzer(question))
        known = np.array(sorted(vocabulary[t] for t in terms if t in vocabulary), dtype=int)
        unknown = [t for t in terms if t not in vocabulary and not _straddles(t, vocabulary)]
        return known, len(unknown)

    def bm25(self, question: str) -> np.ndarray:
        """Normalised BM25 of every passage for ``question``, float64 in [0, 1]."""
        known, unknown = self._query(question)
        bound = self.idf_[known].sum() + unknown * self.unknown_idf_
        if bound <= 0 or not len(known):
            return np.zeros(self.weights_.shape[0])
        matched = np.asarray(self.weights_[:, known].sum(axis=1)).ravel()
        return np.clip(matched / bound, 0.0, 1.0)

    def tfidf_cosine(self, question: str) -> np.ndarray:
        """Cosine of the question's TF-IDF vector with every passage, in [0, 1].

        The question's unknown terms lengthen its vector (with the highest idf), so a
        question half made of words the passages never use scores accordingly lower.
        """
        known, unknown = self._query(question)
        if not len(known):
            return np.zeros(self.tfidf_.shape[0])
        query_idf = self.idf_[known] + 1.0
        norm = np.sqrt((query_idf**2).sum() + unknown * (self.unknown_idf_ + 1.0) ** 2)
        products = self.tfidf_[:, known] @ query_idf
        return np.clip(np.asarray(products).ravel() / norm, 0.0, 1.0)


def _straddles(term: str, vocabulary: dict[str, int]) -> bool:
    """True for an unknown CJK bigram of two known characters ("货吗" of "退货吗").

    Such a bigram most likely spans a word boundary of the question, so it is not
    something the knowledge base fails to mention: it does not lower the question's
    attainable score.
    """
    return len(term) == 2 and all(c in vocabulary and CJK_CHARACTER.match(c) for c in term)


def _bm25_idf(document_frequency: np.ndarray, n_passages: int) -> np.ndarray:
    """BM25 idf as in Lucene: log(1 + (N - df + 0.5) / (df + 0.5)), never negative."""
    df = np.asarray(document_frequency, dtype=float)
    return np.log1p((n_passages - df + 0.5) / (df + 0.5))


def _tfidf_rows(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear tf (1 + log tf) times (idf + 1), rows L2-normalised."""
    rows = counts.copy()
    rows.data = (1.0 + np.log(rows.data)) * (idf[rows.indices] + 1.0)
    norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ rows)
