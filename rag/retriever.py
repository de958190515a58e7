"""Hybrid retrieval: dense windows + BM25 + best-sentence similarity, fused per paragraph.

Up to :data:`EXACT_UP_TO` windows every paragraph is scored. Past it, only candidates
are: the best :data:`CANDIDATES` windows from the vector store and the best
:data:`CANDIDATES` paragraphs by BM25 (both numbers measured by ``make bench-scale``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

import faiss
import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag import text as T
from rag.acronyms import defining_paragraphs, expansions, spelled_initials
from rag.embedder import Embedder
from rag.index import CorpusIndex
from rag.kinds import has_kind
from rag.question import COUNTRY, DATE, DEFINITION, NUMBER, PERSON, QuestionInfo, analyse
from rag.store import VectorStore, faiss_store
from rag.titles import named
from rag.types import Passage

# Chosen by `make bench-scale` (eval/reports/scale.md).
EXACT_UP_TO = 1_000  # windows: up to here every paragraph is scored (the shipped corpus has 326)
CANDIDATES = 1_600  # past it: the best windows, and the best paragraphs by BM25, that are scored
KINDS = (NUMBER, DATE, PERSON, COUNTRY)


@runtime_checkable
class Retriever(Protocol):
    """The seam the assistant retrieves through: the ``k`` best passages for a query."""

    def search(self, query: str, k: int) -> list[Passage]:
        """The ``k`` best passages for ``query``, best first."""
        ...


@dataclass(frozen=True, slots=True)
class Weights:
    """How the three signals are fused (they need not sum to one)."""

    dense: float = 0.40
    sentence: float = 0.35
    keyword: float = 0.25
    kind: float = 0.05  # the paragraph holds the kind of thing asked for (a date, a count...)
    document: float = 0.1  # the paragraph is in a document the question names ("in the MPL")

    def __post_init__(self) -> None:
        if min(self.dense, self.sentence, self.keyword, self.kind, self.document) < 0:
            raise ValueError(f"weights must be non-negative. Currently, they are {self}")


class HybridSearcher:
    """Scores the paragraphs for a query: every one in a small collection, the candidates
    (best windows from the vector store, best paragraphs by BM25) in a large one.

    Usage::

        searcher = HybridSearcher(index, embedder)  # the index's own FAISS vectors
        searcher = HybridSearcher(index, embedder, store=open_store(settings, index, directory))
        passages = searcher.search("When did UNAMID operations cease?", k=5)
    """

    def __init__(
        self, index: CorpusIndex, embedder: Embedder, weights: Weights = Weights(), *, cache_size: int = 1024,
        store: VectorStore | None = None, exact_up_to: int = EXACT_UP_TO, candidates: int = CANDIDATES,
    ) -> None:
        if cache_size < 0:
            raise ValueError(f"cache_size must be 0 or more. Currently, it is {cache_size}")
        if exact_up_to < 0 or candidates < 1:
            raise ValueError(f"need exact_up_to >= 0 and candidates >= 1. Currently, exact_up_to={exact_up_to}, "
                             f"candidates={candidates}")
        if index.manifest.get("dimension") != embedder.dimension:
            raise ValueError(
                f"index dimension {index.manifest.get('dimension')} does not match "
                f"the embedder's {embedder.dimension}"
            )
        self.index = index
        self.embedder = embedder
        self.weights = weights
        self.store = faiss_store(index) if store is None else store
        self.exact = self.store.count() <= exact_up_to
        self.candidates = candidates
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()  # query -> vector, most recent last
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        starts = index.sentence_start
        by_paragraph = index.window_paragraph  # window rows in paragraph order, as built (sorted here if not)
        self._window_order = None if np.all(by_paragraph[1:] >= by_paragraph[:-1]) else np.argsort(by_paragraph, kind="stable")
        if self._window_order is not None:
            by_paragraph = by_paragraph[self._window_order]
        self._window_start = np.searchsorted(by_paragraph, np.arange(len(index.paragraphs) + 1))
        self._has_sentences = starts[1:] > starts[:-1]
        self._reduce_at = starts[:-1][self._has_sentences]
        self._kinds = {kind: np.full(len(index.paragraphs), -1, dtype=np.int8) for kind in KINDS}  # -1: not yet known
        self._defined_in = defining_paragraphs(index.paragraphs)
        self._names = index.document_names
        self._doc_of = np.array([p.doc_id for p in index.paragraphs], dtype=object)
        if self.exact:
            for kind in KINDS:
                self._kind_flags(kind, np.arange(len(index.paragraphs)))

    def _kind_flags(self, kind: str, positions: np.ndarray) -> np.ndarray:
        """1.0 where the paragraph holds the kind of thing asked for (worked out on first need)."""
        known = self._kinds[kind]
        for i in positions[known[positions] < 0].tolist():
            known[i] = has_kind(kind, self.index.paragraphs[i].clean)
        return known[positions].astype(np.float32)

    def _embed_query(self, query: str) -> np.ndarray:
        """The query's vector, from a bounded LRU cache when it was asked recently."""
        with self._cache_lock:
            vector = self._cache.get(query)
            if vector is not None:
                self._cache.move_to_end(query)
                return vector
        vector = self.embedder.embed_query([query])[0]
        if self._cache_size:
            with self._cache_lock:
                self._cache[query] = vector
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return vector

    def search(self, query: str, k: int) -> list[Passage]:
        """The ``k`` best paragraphs for ``query``, best first."""
        if k < 1:
            raise ValueError(f"k must be greater than 0. Currently, k is {k}")
        index = self.index
        terms = T.tokens(query)
        extra = expansions(terms, index.acronyms, index.keyword.idf_of)
        if extra:  # the question spells out an acronym the documents use
            terms += extra
            query = f"{query} ({' '.join(a.upper() for a in extra)})"
        names = list(dict.fromkeys(spelled_initials(query, index.initialisms).values()))
        names += index.speller.corrections(query).values()
        if names:  # initials the documents never write ("DPL"): the name they spell; typos: the word meant
            terms += [t for name in names for t in T.tokens(name)]
            query = f"{query} ({', '.join(names)})"
        vector = self._embed_query(query)
        keyword = index.keyword.scores(terms)
        top_kw = float(keyword.max()) if keyword.size else 0.0
        keyword_norm = keyword / top_kw if top_kw > 0 else keyword
        info = analyse(query)
        defined = self._definition(info)
        if self.exact:
            positions, dense, best_sentence, sentence_sims, first = self._score_all(vector)
        else:
            positions, dense, best_sentence, sentence_sims, first = self._score_candidates(vector, keyword, defined)
        keyword, keyword_norm = keyword[positions], keyword_norm[positions]

        w = self.weights
        fused = w.dense * dense + w.sentence * best_sentence + w.keyword * keyword_norm
        wanted = info.answer_type
        searchable = index.searchable[positions]
        if wanted in self._kinds and self.exact:
            fused = fused + w.kind * self._kind_flags(wanted, positions)
        documents = named(query, self._names) if w.document else set()
        if documents:
            fused = fused + w.document * np.isin(self._doc_of[positions], list(documents)).astype(np.float32)
        fused[~searchable] = -np.inf
        k = min(k, int(searchable.sum()))
        if k == 0:
            return []
        if wanted in self._kinds and not self.exact:
            # the kind bonus can lift into the top k only what is within w.kind of it: look only there
            near = np.flatnonzero(fused >= np.partition(fused, -k)[-k] - w.kind)
            fused[near] += w.kind * self._kind_flags(wanted, positions[near])
        if defined is not None:  # among the k, at the least as the k-th
            where = np.flatnonzero(positions == defined)
            fused[where] = np.maximum(fused[where], np.partition(fused, -k)[-k] + 1e-6)
        top = np.argpartition(-fused, k - 1)[:k]
        top = top[np.argsort(-fused[top], kind="stable")]
        passages = []
        for rank, j in enumerate(top, start=1):
            i = int(positions[j])
            paragraph = index.paragraphs[i]
            rows_ = index.sentence_rows(i)
            start = int(first[j])
            passages.append(
                Passage(
                    paragraph=paragraph,
                    document=index.documents[paragraph.doc_id],
                    score=float(fused[j]),
                    dense=float(dense[j]),
                    keyword=float(keyword[j]),
                    sentence_scores=tuple(float(x) for x in sentence_sims[start:start + len(rows_)]),
                    rank=rank,
                )
            )
        return passages

    def _score_all(self, vector: np.ndarray):
        """Every paragraph: (positions, dense, best sentence, sentence similarities, the row
        of each position's first sentence among them)."""
        index = self.index
        hits = self.store.search(vector, max(self.store.count(), 1))
        dense = np.full(len(index.paragraphs), -1.0, dtype=np.float32)
        np.maximum.at(dense, index.window_paragraph[hits.ids], hits.scores)
        sentence_sims = index.sentence_vectors @ vector
        best_sentence = np.full(len(index.paragraphs), -1.0, dtype=np.float32)
        if len(self._reduce_at):
            best_sentence[self._has_sentences] = np.maximum.reduceat(sentence_sims, self._reduce_at)
        return np.arange(len(index.paragraphs)), dense, best_sentence, sentence_sims, index.sentence_start[:-1]

    def _definition(self, info: QuestionInfo) -> int | None:
        """For a question about what an acronym stands for ("what does A4P stand for?", "a4p =
        ?"), the paragraph where the documents spell it out: few other words, no figures."""
        asked = [t for t in info.terms if t in self._defined_in]
        if asked and not info.numbers and (len(info.terms) == 1 or (info.form == DEFINITION and len(info.terms) <= 4)):
            return self._defined_in[asked[0]]
        return None

    def _score_candidates(self, vector: np.ndarray, keyword: np.ndarray, defined: int | None = None):
        """The paragraphs of the best windows and the best paragraphs by BM25, scored as
        :meth:`_score_all` scores them (their windows and sentences from the index's own
        vectors): only the choice of candidates is approximate."""
        index = self.index
        hits = self.store.search(vector, self.candidates)
        n_kw = min(self.candidates, len(keyword))
        by_keyword = np.argpartition(-keyword, n_kw - 1)[:n_kw] if n_kw else np.zeros(0, dtype=np.int64)
        positions = np.union1d(index.window_paragraph[hits.ids], by_keyword[keyword[by_keyword] > 0])
        if defined is not None:
            positions = np.union1d(positions, [defined])

        rows, first, counts = _rows_of(self._window_start, positions)
        if self._window_order is not None:
            rows = self._window_order[rows]
        window_sims = _inner_products(_window_vectors(index.window_index, rows), vector)
        dense = np.full(len(positions), -1.0, dtype=np.float32)
        if counts.any():
            dense[counts > 0] = np.maximum.reduceat(window_sims, first[counts > 0])

        rows, first, counts = _rows_of(index.sentence_start, positions)
        sentence_sims = _inner_products(index.sentence_vectors[rows], vector)
        best_sentence = np.full(len(positions), -1.0, dtype=np.float32)
        if counts.any():
            best_sentence[counts > 0] = np.maximum.reduceat(sentence_sims, first[counts > 0])
        return positions, dense, best_sentence, sentence_sims, first


def _window_vectors(window_index: faiss.Index, rows: np.ndarray) -> np.ndarray:
    """Rows of the index's window vectors (read in place from a flat index)."""
    if isinstance(window_index, faiss.IndexFlat):
        d = window_index.d
        return faiss.rev_swig_ptr(window_index.get_xb(), window_index.ntotal * d).reshape(-1, d)[rows]
    return window_index.reconstruct_batch(rows)


def _inner_products(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``matrix @ vector`` on one thread (FAISS's kernel): numpy's threaded OpenBLAS spends
    ~8 ms waking its threads for any matrix past ~2,000 rows on a busy 2-core machine."""
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    vector = np.ascontiguousarray(vector, dtype=np.float32)
    out = np.empty(len(matrix), dtype=np.float32)
    if len(matrix):
        faiss.fvec_inner_products_ny(faiss.swig_ptr(out), faiss.swig_ptr(vector), faiss.swig_ptr(matrix),
                                     matrix.shape[1], len(matrix))
    return out


def _rows_of(starts: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows ``starts[p]:starts[p + 1]`` of each position ``p``, concatenated; where each
    position's rows begin among them; how many each has."""
    begin, counts = starts[positions], starts[positions + 1] - starts[positions]
    first = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return np.repeat(begin - first, counts) + np.arange(int(counts.sum())), first, counts


def to_document(passage: Passage) -> Document:
    """A LangChain document for a passage (the passage itself rides in the metadata)."""
    p = passage.paragraph
    return Document(
        page_content=p.clean,
        metadata={
            "doc_id": p.doc_id,
            "paragraph": p.number,
            "source": passage.document.source,
            "start": p.start,
            "end": p.end,
            "score": passage.score,
            "passage": passage,
        },
    )


class HybridRetriever(BaseRetriever):
    """LangChain retriever over :class:`HybridSearcher`.

    Usage::

        retriever = HybridRetriever(searcher=searcher, top_k=5)
        docs = retriever.invoke("Who chaired the Working Group?")
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Retriever
    top_k: int = 5

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, top_k: int | None = None
    ) -> list[Document]:
        k = self.top_k if top_k is None else top_k
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"top_k must be a positive integer. Currently, top_k is {k!r}")
        return [to_document(p) for p in self.searcher.search(query, k)]


def passages_of(documents: Sequence[Document]) -> list[Passage]:
    """The passages a list of retrieved LangChain documents carries."""
    return [d.metadata["passage"] for d in documents]
