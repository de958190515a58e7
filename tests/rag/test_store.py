"""The vector-store seam: every store passes the same tests (FAISS flat, FAISS HNSW, and
Milvus Lite in tmp_path)."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from rag.store import FaissStore, VectorStore
from rag.store_milvus import MilvusStore, connect, disconnect

DIM = 16


def unit_vectors(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture(params=["faiss-flat", "faiss-hnsw", "milvus-lite"])
def store(request, tmp_path) -> VectorStore:
    if request.param == "faiss-flat":
        return FaissStore(faiss.IndexFlatIP(DIM))
    if request.param == "faiss-hnsw":
        return FaissStore(faiss.IndexHNSWFlat(DIM, 8, faiss.METRIC_INNER_PRODUCT))
    uri = str(tmp_path / "milvus.db")
    request.addfinalizer(lambda: disconnect(uri))
    return MilvusStore.create(connect(uri), "contract", DIM)


VECTORS = unit_vectors(60)
IDS = np.arange(1000, 1060)
DOCS = ["doc-a"] * 20 + ["doc-b"] * 25 + ["doc-c"] * 15


@pytest.fixture
def filled(store) -> VectorStore:
    store.add(IDS, VECTORS, DOCS)
    return store


def test_is_a_vector_store(store):
    assert isinstance(store, VectorStore)
    assert store.count() == 0


def test_search_finds_the_vector_itself_first_and_ranks_by_inner_product(filled):
    assert filled.count() == 60
    hits = filled.search(VECTORS[7], 5)
    assert len(hits) == 5 and hits.ids[0] == 1007
    assert hits.scores[0] == pytest.approx(1.0, abs=1e-5)
    assert list(hits.scores) == sorted(hits.scores, reverse=True)
    exact = np.argsort(-(VECTORS @ VECTORS[7]))[:5] + 1000
    assert list(hits.ids) == list(exact)
    assert np.allclose(hits.scores, np.sort(VECTORS @ VECTORS[7])[::-1][:5], atol=1e-5)


def test_k_larger_than_the_store_returns_everything(filled):
    hits = filled.search(VECTORS[0], 500)
    assert sorted(hits.ids) == list(IDS)


def test_search_within_documents(filled):
    hits = filled.search(VECTORS[0], 10, documents={"doc-b"})
    assert len(hits) == 10 and all(1020 <= i < 1045 for i in hits.ids)
    assert hits.ids[0] == 1020 + int(np.argmax(VECTORS[20:45] @ VECTORS[0]))
    both = filled.search(VECTORS[0], 100, documents=["doc-a", "doc-c"])
    assert sorted(both.ids) == list(range(1000, 1020)) + list(range(1045, 1060))
    assert len(filled.search(VECTORS[0], 10, documents={"no-such-doc"})) == 0


def test_delete_by_document(filled):
    assert filled.delete_document("doc-a") == 20
    assert filled.count() == 40
    hits = filled.search(VECTORS[3], 60)
    assert len(hits) == 40 and not any(1000 <= i < 1020 for i in hits.ids)
    assert filled.delete_document("doc-a") == 0
    assert filled.delete_document("no-such-doc") == 0
    assert len(filled.search(VECTORS[3], 5, documents={"doc-a"})) == 0


def test_added_after_a_delete_is_found(filled):
    filled.delete_document("doc-c")
    extra = unit_vectors(3, seed=9)
    filled.add(np.array([7, 8, 9]), extra, ["doc-d"] * 3)
    assert filled.count() == 48
    assert filled.search(extra[1], 1).ids[0] == 8
    assert sorted(filled.search(extra[0], 10, documents={"doc-d"}).ids) == [7, 8, 9]


def test_bad_arguments_are_refused_and_inputs_untouched(store):
    vectors, ids = VECTORS.copy(), IDS.copy()
    store.add(ids, vectors, DOCS)
    assert np.array_equal(vectors, VECTORS) and np.array_equal(ids, IDS)
    with pytest.raises(ValueError, match="k must be greater than 0"):
        store.search(VECTORS[0], 0)
    with pytest.raises(ValueError, match="shape"):
        store.add(np.arange(2), unit_vectors(2)[:, :8], ["x", "x"])
    with pytest.raises(ValueError, match="one id and one document per vector"):
        store.add(np.arange(2), unit_vectors(2), ["x"])
