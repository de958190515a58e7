"""The vector-store seam: every store passes the same tests (FAISS flat, FAISS IVF, and
Milvus Lite in tmp_path), then the generation hooks and the retriever over each store."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from rag.errors import IndexError_
from rag.collection import open_index
from rag.index import CURRENT, generation_dir, load_index
from rag.retriever import HybridSearcher
from rag.settings import Settings
from rag.store import ANN_FILE, RECORD, FaissStore, GenerationVectors, VectorStore, ivf_index, ivf_lists, open_store
from rag.store_milvus import MilvusStore, connect, disconnect

DIM = 16
QUESTIONS = ("When would MAOF operations cease?", "How many military observers did the mission employ?",
             "What was the budget?", "Who chaired the forum?")


def unit_vectors(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture
def milvus_uri(tmp_path: Path):
    uri = str(tmp_path / "milvus.db")
    yield uri
    disconnect(uri)


@pytest.fixture(params=["faiss-flat", "faiss-ivf", "milvus-lite"])
def store(request, tmp_path) -> VectorStore:
    if request.param == "faiss-flat":
        return FaissStore(faiss.IndexFlatIP(DIM))
    if request.param == "faiss-ivf":  # four lists, all probed: exact, through the IVF code paths
        ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(DIM), DIM, 4, faiss.METRIC_INNER_PRODUCT)
        ivf.train(unit_vectors(400, seed=5))
        return FaissStore(ivf)
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


# --- generations: vectors written before the switch, dropped with the generation -------------


def milvus_settings(tmp_path: Path, uri: str) -> Settings:
    return Settings(index_dir=tmp_path / "index", store="milvus", milvus_uri=uri)


def test_milvus_generation_has_its_own_collection_dropped_with_it(corpus_dir, tmp_path, fake_embedder, milvus_uri):
    settings = milvus_settings(tmp_path, milvus_uri)
    directory = settings.index_dir
    client = connect(milvus_uri)
    index, _ = open_index([corpus_dir], directory, fake_embedder, vectors=GenerationVectors(settings))
    first = generation_dir(directory)
    record = (first / RECORD).read_text()
    assert index.manifest["generation"] == first.name and first.name.removeprefix("gen-").replace("-", "_") in record
    store = open_store(settings, index, directory)
    assert isinstance(store, MilvusStore) and store.count() == index.window_index.ntotal
    assert client.list_collections() == [store.collection]
    for _ in range(2):
        open_index([corpus_dir], directory, fake_embedder, vectors=GenerationVectors(settings), rebuild=True)
    kept = sorted(p.name for p in directory.glob("gen-*"))
    assert first.name not in kept and len(kept) == 2
    assert sorted(client.list_collections()) == sorted(
        f"peaceops_{name.removeprefix('gen-').replace('-', '_')}" for name in kept)


def test_failed_milvus_write_leaves_the_previous_generation(corpus_dir, tmp_path, fake_embedder, milvus_uri,
                                                            monkeypatch):
    settings = milvus_settings(tmp_path, milvus_uri)
    directory = settings.index_dir
    open_index([corpus_dir], directory, fake_embedder, vectors=GenerationVectors(settings))
    before, collections = (directory / CURRENT).read_text(), connect(milvus_uri).list_collections()

    def broken(self, ids, vectors, documents):
        raise ConnectionError("Milvus went away")

    monkeypatch.setattr(MilvusStore, "add", broken)
    with pytest.raises(IndexError_, match="previous index is unchanged"):
        open_index([corpus_dir], directory, fake_embedder, vectors=GenerationVectors(settings), rebuild=True)
    assert (directory / CURRENT).read_text() == before
    assert connect(milvus_uri).list_collections() == collections
    assert not list(directory.glob(".gen-*"))
    load_index(directory)  # whole


def test_generation_missing_from_milvus_is_copied_there_on_open(tiny_index, tmp_path, milvus_uri):
    settings = milvus_settings(tmp_path, milvus_uri)  # tiny_index was built for FAISS in tmp_path/index
    store = open_store(settings, tiny_index, settings.index_dir)
    assert store.count() == tiny_index.window_index.ntotal
    assert "collection" in (generation_dir(settings.index_dir) / RECORD).read_text()
    again = open_store(settings, tiny_index, settings.index_dir)
    assert again.count() == store.count() and connect(milvus_uri).list_collections() == [store.collection]


def test_faiss_writes_an_ivf_index_past_the_threshold(corpus_dir, tmp_path, fake_embedder):
    settings = Settings(index_dir=tmp_path / "index")
    index, _ = open_index([corpus_dir], settings.index_dir, fake_embedder, vectors=GenerationVectors(settings, ann_from=1))
    assert (generation_dir(settings.index_dir) / ANN_FILE).exists()
    store = open_store(settings, load_index(settings.index_dir), settings.index_dir)
    assert isinstance(store, FaissStore) and store.approximate and store.count() == index.window_index.ntotal
    small = tmp_path / "small"
    index, _ = open_index([corpus_dir], small, fake_embedder, vectors=GenerationVectors(settings))
    assert not (generation_dir(small) / ANN_FILE).exists()
    assert not open_store(settings, index, small).approximate


# --- the retriever over each store ---------------------------------------------------------------


def top(searcher: HybridSearcher, question: str, k: int = 5) -> list[tuple[str, int]]:
    return [(p.paragraph.doc_id, p.paragraph.number) for p in searcher.search(question, k)]


def test_faiss_and_milvus_give_the_same_passages(tiny_index, fake_embedder, tmp_path, milvus_uri):
    milvus = open_store(milvus_settings(tmp_path, milvus_uri), tiny_index, tmp_path / "index")
    for exact_up_to in (10_000, 0):  # every paragraph scored; candidates only
        on_faiss = HybridSearcher(tiny_index, fake_embedder, exact_up_to=exact_up_to, candidates=4)
        on_milvus = HybridSearcher(tiny_index, fake_embedder, store=milvus, exact_up_to=exact_up_to, candidates=4)
        assert on_faiss.exact == on_milvus.exact == bool(exact_up_to)
        for question in QUESTIONS:
            assert top(on_faiss, question) == top(on_milvus, question)
            scores = [p.score for p in on_faiss.search(question, 5)]
            assert np.allclose(scores, [p.score for p in on_milvus.search(question, 5)], atol=1e-5)


@pytest.mark.integration
def test_real_index_same_top_passages_on_faiss_and_milvus(real_assistant, real_index_dir, tmp_path, milvus_uri):
    index, embedder = real_assistant.index, real_assistant.searcher.embedder
    settings = Settings(index_dir=real_index_dir, store="milvus", milvus_uri=milvus_uri)
    milvus = open_store(settings, index, real_index_dir)
    assert isinstance(milvus, MilvusStore) and milvus.count() == index.window_index.ntotal
    on_faiss = HybridSearcher(index, embedder)
    on_milvus = HybridSearcher(index, embedder, store=milvus)
    for question in ("When did UNAMID operations cease?", "How many member states endorsed the A4P Declaration?",
                     "Who chaired the Working Group in 2020?", "What is the Challenges Forum?",
                     "Which partnerships did the ministerial dialogue discuss?"):
        assert top(on_faiss, question) == top(on_milvus, question)


def test_ivf_index_finds_nearly_what_exact_search_finds():
    vectors = unit_vectors(8000, seed=3)
    store, exact = FaissStore(ivf_index(vectors), documents=["d"] * 8000), FaissStore(faiss.IndexFlatIP(DIM))
    exact.add(np.arange(8000), vectors, ["d"] * 8000)
    assert store.approximate and ivf_lists(8000) == 179
    queries = unit_vectors(50, seed=4)
    recall = np.mean([len(set(store.search(q, 10).ids) & set(exact.search(q, 10).ids)) / 10 for q in queries])
    assert 0.5 < recall < 1.0  # 16 of 179 lists probed: approximate, not exact ...
    assert list(store.search(queries[0], 8000).ids) == list(exact.search(queries[0], 8000).ids)  # ... unless asked for all


@pytest.mark.parametrize("backend", ["faiss", "milvus"])
def test_adding_and_removing_a_document_on_each_store(backend, corpus_dir, tmp_path, fake_embedder, milvus_uri):
    from rag.assistant import build_assistant
    from rag.collection import ModelInfo, Upload, change

    settings = Settings(index_dir=tmp_path / "index", store=backend, milvus_uri=milvus_uri)
    directory = settings.index_dir
    open_index([corpus_dir], directory, fake_embedder, vectors=GenerationVectors(settings))
    note = "Depot notes\n\nThe Bunia depot holds 312 water purification units.\n"
    change(directory, fake_embedder, add=[Upload("depot.txt", note.encode())], vectors=GenerationVectors(settings))

    def answer(question: str):
        index = load_index(directory)
        return build_assistant(index, fake_embedder, store=open_store(settings, index, directory)).ask(question)

    found = answer("How many water purification units does the Bunia depot hold?")
    assert found.citations and found.citations[0].doc_id == "depot" and "312" in found.answer
    change(directory, ModelInfo(fake_embedder.model_id, fake_embedder.dimension), remove=["depot"],
           vectors=GenerationVectors(settings))
    gone = answer("How many water purification units does the Bunia depot hold?")
    assert all(c.doc_id != "depot" for c in gone.citations)
    if backend == "milvus":
        store = open_store(settings, load_index(directory), directory)
        assert store.count() == load_index(directory).window_index.ntotal


def test_a_milvus_lite_file_in_use_is_one_clear_error(tmp_path, monkeypatch):
    import pymilvus
    from pymilvus.exceptions import ConnectionConfigException

    def in_use(*args, **kwargs):
        raise ConnectionConfigException(message="Open local milvus failed")

    monkeypatch.setattr(pymilvus, "MilvusClient", in_use)
    with pytest.raises(IndexError_, match="Milvus Lite serves one process per file"):
        connect(str(tmp_path / "busy.db"))
