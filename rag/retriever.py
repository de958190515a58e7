"""Hybrid retrieval: dense windows + BM25 + best-sentence similarity, fused per paragraph."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag import text as T
from rag.acronyms import expansions
from rag.embedder import Embedder
from rag.index import CorpusIndex
from rag.kinds import has_kind
from rag.question import COUNTRY, DATE, NUMBER, PERSON, analyse
from rag.types import Passage


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

    def __post_init__(self) -> None:
        if min(self.dense, self.sentence, self.keyword, self.kind) < 0:
            raise ValueError(f"weights must be non-negative. Currently, they are {self}")


class HybridSearcher:
    """Scores every searchable paragraph for a query; the corpus is small enough to be exact.

    Usage::

        searcher = HybridSearcher(index, embedder)
        passages = searcher.search("When did UNAMID operations cease?", k=5)
    """

    def __init__(
        self, index: CorpusIndex, embedder: Embedder, weights: Weights = Weights(), *, cache_size: int = 1024
    ) -> None:
        if cache_size < 0:
            raise ValueError(f"cache_size must be 0 or more. Currently, it is {cache_size}")
        if index.manifest.get("dimension") != embedder.dimension:
            raise ValueError(
                f"index dimension {index.manifest.get('dimension')} does not match "
                f"the embedder's {embedder.dimension}"
            )
        self.index = index
        self.embedder = embedder
        self.weights = weights
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()  # query -> vector, most recent last
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        starts = index.sentence_start
        self._has_sentences = starts[1:] > starts[:-1]
        self._reduce_at = starts[:-1][self._has_sentences]
        self._kinds = {
            kind: np.array([has_kind(kind, p.clean) for p in index.paragraphs], dtype=np.float32)
            for kind in (NUMBER, DATE, PERSON, COUNTRY)
        }

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
        vector = self._embed_query(query)
        n_windows = index.window_index.ntotal
        sims, rows = index.window_index.search(vector[None, :], n_windows)
        dense = np.full(len(index.paragraphs), -1.0, dtype=np.float32)
        np.maximum.at(dense, index.window_paragraph[rows[0]], sims[0])

        sentence_sims = index.sentence_vectors @ vector
        best_sentence = np.full(len(index.paragraphs), -1.0, dtype=np.float32)
        if len(self._reduce_at):
            best_sentence[self._has_sentences] = np.maximum.reduceat(sentence_sims, self._reduce_at)

        keyword = index.keyword.scores(terms)
        top_kw = float(keyword.max()) if keyword.size else 0.0
        keyword_norm = keyword / top_kw if top_kw > 0 else keyword

        w = self.weights
        fused = w.dense * dense + w.sentence * best_sentence + w.keyword * keyword_norm
        wanted = analyse(query).answer_type
        if wanted in self._kinds:
            fused = fused + w.kind * self._kinds[wanted]
        fused[~index.searchable] = -np.inf
        k = min(k, int(index.searchable.sum()))
        top = np.argpartition(-fused, k - 1)[:k]
        top = top[np.argsort(-fused[top], kind="stable")]
        passages = []
        for rank, i in enumerate(top, start=1):
            paragraph = index.paragraphs[i]
            rows_ = index.sentence_rows(int(i))
            passages.append(
                Passage(
                    paragraph=paragraph,
                    document=index.documents[paragraph.doc_id],
                    score=float(fused[i]),
                    dense=float(dense[i]),
                    keyword=float(keyword[i]),
                    sentence_scores=tuple(float(x) for x in sentence_sims[rows_.start:rows_.stop]),
                    rank=rank,
                )
            )
        return passages


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
