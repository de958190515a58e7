"""The vector-store seam: where the window vectors are searched.

:class:`FaissStore` keeps them in memory (the default): exact inner-product search, or an
inverted-file index (IVF) past :data:`ANN_FROM` windows. ``MilvusStore``
(``rag/store_milvus.py``) keeps them in Milvus: Milvus Lite from a file, or a Milvus
server, with the same code.

Each index generation's vectors are written once, by :class:`GenerationVectors` before
the generation is switched in (``save_index``), so a reader that opens a generation with
:func:`open_store` finds them whole; they are dropped with the generation. The paragraph
metadata, the sentence vectors and the keyword index stay in the index folder.
"""

from __future__ import annotations

import json
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Collection, Protocol, Sequence, runtime_checkable

import faiss
import numpy as np

from rag.errors import IndexError_

if TYPE_CHECKING:
    from rag.index import CorpusIndex
    from rag.settings import Settings

# Chosen by `make bench-scale` (eval/reports/scale.md): up to ANN_FROM windows a flat index
# is exact and fast enough; past it, IVF with about 2*sqrt(n) lists, IVF_NPROBE of them
# searched, keeps recall@10 >= 0.95 (HNSW did not: its graph falls apart into clusters).
ANN_FROM = 20_000
IVF_NPROBE = 16
IVF_TRAIN_PER_LIST = 64  # k-means training points per list (faiss warns below 39)

ANN_FILE = "windows-ivf.faiss"  # in the generation folder, beside the flat windows.faiss
RECORD = "store.json"  # in the generation folder: where its vectors are outside it


@dataclass(frozen=True, slots=True)
class Hits:
    """Search results, best first: the vectors' ids and their inner products with the query."""

    ids: np.ndarray  # int64
    scores: np.ndarray  # float32

    def __len__(self) -> int:
        return len(self.ids)


@runtime_checkable
class VectorStore(Protocol):
    """Vectors with ids and the document each belongs to, searched by inner product."""

    def add(self, ids: np.ndarray, vectors: np.ndarray, documents: Sequence[str]) -> None:
        """Store ``vectors`` (one row per id) with the document id of each."""
        ...

    def delete_document(self, doc_id: str) -> int:
        """Remove every vector of a document; returns how many were removed."""
        ...

    def search(self, vector: np.ndarray, k: int, *, documents: Collection[str] | None = None) -> Hits:
        """The ``k`` nearest vectors to ``vector`` (within ``documents`` when given), best first."""
        ...

    def count(self) -> int:
        """How many vectors are stored."""
        ...


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be greater than 0. Currently, k is {k!r}")


def _check_rows(ids: np.ndarray, vectors: np.ndarray, documents: Sequence[str], dimension: int) -> None:
    if vectors.ndim != 2 or vectors.shape[1] != dimension:
        raise ValueError(f"vectors must have shape (n, {dimension}). Currently, they have {vectors.shape}")
    if not len(ids) == len(vectors) == len(documents):
        raise ValueError(f"need one id and one document per vector. Currently, {len(ids)} ids, "
                         f"{len(vectors)} vectors, {len(documents)} documents")


def ivf_lists(n: int) -> int:
    """How many inverted lists an IVF index over ``n`` vectors gets (about 2*sqrt(n))."""
    return max(1, min(n, round(2 * math.sqrt(n))))


def ivf_probes(k: int, lists: int, n: int) -> int:
    """Lists to probe for ``k`` hits: IVF_NPROBE, or enough to hold about twice ``k`` vectors."""
    return max(1, min(lists, max(IVF_NPROBE, math.ceil(2 * k * lists / max(n, 1)))))


class FaissStore:
    """Vectors in a FAISS index in memory: flat (exact) or IVF (approximate). Removed
    vectors are masked out of searches; a search within documents, or for every vector,
    is exact.

    Usage::

        store = FaissStore(faiss.IndexFlatIP(384))
        store.add(np.arange(3), vectors, ["doc-a", "doc-a", "doc-b"])
        hits = store.search(query_vector, 2, documents={"doc-a"})
    """

    def __init__(self, index: faiss.Index, ids: np.ndarray | None = None, documents: Sequence[str] = ()) -> None:
        n = index.ntotal
        ids = np.arange(n, dtype=np.int64) if ids is None else np.asarray(ids, dtype=np.int64)
        if len(ids) != n or len(documents) != n:
            raise ValueError(f"the index holds {n} vectors; got {len(ids)} ids and {len(documents)} documents")
        self._index = index
        self._ids = ids.copy()
        self._names: list[str] = []
        self._codes: dict[str, int] = {}
        self._docs = np.array([self._code(d) for d in documents], dtype=np.int32)
        self._live = np.ones(n, dtype=bool)
        self._removed = 0
        self._lock = threading.Lock()

    @property
    def approximate(self) -> bool:
        """True when searches probe only some inverted lists."""
        return isinstance(self._index, faiss.IndexIVF)

    def _code(self, doc_id: str) -> int:
        code = self._codes.get(doc_id)
        if code is None:
            code = self._codes[doc_id] = len(self._names)
            self._names.append(doc_id)
        return code

    def add(self, ids: np.ndarray, vectors: np.ndarray, documents: Sequence[str]) -> None:
        """Store ``vectors`` with their ids and documents."""
        ids = np.asarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        _check_rows(ids, vectors, documents, self._index.d)
        with self._lock:
            self._index.add(vectors)
            self._ids = np.concatenate([self._ids, ids])
            self._docs = np.concatenate([self._docs, np.array([self._code(d) for d in documents], dtype=np.int32)])
            self._live = np.concatenate([self._live, np.ones(len(ids), dtype=bool)])

    def delete_document(self, doc_id: str) -> int:
        """Mask out every vector of ``doc_id``; returns how many."""
        with self._lock:
            code = self._codes.get(doc_id)
            if code is None:
                return 0
            rows = (self._docs == code) & self._live
            self._live[rows] = False
            removed = int(rows.sum())
            self._removed += removed
            return removed

    def count(self) -> int:
        """How many vectors are stored (removed ones not counted)."""
        return self._index.ntotal - self._removed

    def search(self, vector: np.ndarray, k: int, *, documents: Collection[str] | None = None) -> Hits:
        """The ``k`` best vectors by inner product, best first."""
        _check_k(k)
        query = np.ascontiguousarray(np.asarray(vector, dtype=np.float32).reshape(1, -1))
        with self._lock:
            allowed = None
            if documents is not None:
                codes = [self._codes[d] for d in documents if d in self._codes]
                allowed = np.isin(self._docs, codes) & self._live
            elif self._removed:
                allowed = self._live
            available = self._index.ntotal if allowed is None else int(allowed.sum())
            k = min(int(k), available)
            if k == 0:
                return Hits(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
            if allowed is None and not self.approximate:
                scores, rows = self._index.search(query, k)
            else:
                exact = documents is not None or k >= available  # nothing to gain from probing fewer lists
                if self.approximate:
                    lists = self._index.nlist
                    params = faiss.SearchParametersIVF(nprobe=lists if exact else ivf_probes(k, lists, self._index.ntotal))
                else:
                    params = faiss.SearchParameters()
                if allowed is not None:  # the bitmap and its selector must outlive the search: keep both named
                    bits = np.packbits(allowed, bitorder="little")
                    selector = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bits))
                    params.sel = selector
                scores, rows = self._index.search(query, k, params=params)
            ids = self._ids
        found = rows[0] >= 0
        return Hits(ids[rows[0][found]], scores[0][found])


def ivf_index(vectors: np.ndarray, *, seed: int = 0) -> faiss.Index:
    """An IVF index over ``vectors`` (inner product; lists by :func:`ivf_lists`), trained
    on a sample of them."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    lists = ivf_lists(len(vectors))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(vectors.shape[1]), vectors.shape[1], lists, faiss.METRIC_INNER_PRODUCT)
    sample = min(len(vectors), lists * IVF_TRAIN_PER_LIST)
    rows = np.sort(np.random.default_rng(seed).choice(len(vectors), sample, replace=False))
    index.train(vectors[rows])
    index.add(vectors)
    return index


def window_documents(index: CorpusIndex) -> list[str]:
    """The document id of each window row of ``index``."""
    doc_of = [p.doc_id for p in index.paragraphs]
    return [doc_of[i] for i in index.window_paragraph.tolist()]


def window_vectors(index: CorpusIndex) -> np.ndarray:
    """The window vectors of ``index``, in row order."""
    return index.window_index.reconstruct_n(0, index.window_index.ntotal)


def faiss_store(index: CorpusIndex, generation: Path | None = None) -> FaissStore:
    """The FAISS store over ``index``'s windows: the generation's IVF index when it has
    one, else the exact flat index loaded with it."""
    ann = generation / ANN_FILE if generation is not None else None
    if ann is not None and ann.exists():
        try:
            ivf = faiss.read_index(str(ann))
        except RuntimeError as exc:
            raise IndexError_(f"the index in {generation} is damaged ({' '.join(str(exc).split())[:200]}); "
                              "rebuild it with `rag ingest --rebuild`") from None
        if ivf.ntotal == index.window_index.ntotal:
            return FaissStore(ivf, documents=window_documents(index))
    return FaissStore(index.window_index, documents=window_documents(index))


def generation_of(index: CorpusIndex, directory: Path) -> Path | None:
    """The generation folder ``index`` was saved in under the index folder ``directory``."""
    name = index.manifest.get("generation")
    if not name or "/" in name or not (Path(directory) / name).is_dir():
        return None
    return Path(directory) / name


def read_record(generation: Path) -> dict:
    """Where a generation's vectors are outside its folder ({} when nowhere else)."""
    try:
        return json.loads((generation / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_record(generation: Path, record: dict) -> None:
    """Write the store record into a generation folder (atomically: a file renamed into place)."""
    temporary = generation / f".{RECORD}.{os.getpid()}"
    with temporary.open("w", encoding="utf-8") as f:
        json.dump(record, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, generation / RECORD)


def open_store(settings: Settings, index: CorpusIndex, directory: Path) -> VectorStore:
    """The store ``settings`` ask for, over the vectors of ``index`` (saved under the index
    folder ``directory``). A generation not yet in Milvus is copied there first."""
    generation = generation_of(index, directory)
    if settings.store == "milvus":
        from rag import store_milvus

        return store_milvus.open_generation(settings, index, directory, generation)
    return faiss_store(index, generation)


class GenerationVectors:
    """What ``save_index`` calls to put a generation's window vectors where the store
    serves them from (before the generation is switched in), and to drop them with it.

    Usage::

        open_index(paths, directory, embedder, vectors=GenerationVectors(settings))
    """

    def __init__(self, settings: Settings, *, ann_from: int = ANN_FROM) -> None:
        if ann_from < 1:
            raise ValueError(f"ann_from must be greater than 0. Currently, it is {ann_from}")
        self.settings = settings
        self.ann_from = ann_from

    def write(self, index: CorpusIndex, generation: Path) -> None:
        """Write the vectors of ``index`` for the (not yet switched-in) folder ``generation``."""
        if self.settings.store == "milvus":
            from rag import store_milvus

            store_milvus.publish(self.settings, index, generation)
        elif index.window_index.ntotal >= self.ann_from:
            path = generation / ANN_FILE
            faiss.write_index(ivf_index(window_vectors(index)), str(path))
            with path.open("rb") as f:
                os.fsync(f.fileno())

    def drop(self, generation: Path) -> None:
        """Drop what :meth:`write` put outside the folder ``generation`` (it is being removed)."""
        record = read_record(generation)
        if record.get("store") == "milvus":
            from rag import store_milvus

            store_milvus.drop(self.settings, record)
