"""Faults with the vectors in Milvus: kill -9 of an ingest at any moment leaves a generation
whose collection is whole, and the next ingest drops what the killed ones left behind."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from rag.index import generation_dir, load_index
from rag.store import read_record
from rag.store_milvus import MilvusStore, collection_name, connect, disconnect
from tests.conftest import FIXTURE_CORPUS, REAL_CORPUS
from tests.faults.helpers import kill_ingest_after, rag

pytestmark = [pytest.mark.faults, pytest.mark.slow]


def test_kill_9_of_a_milvus_ingest_leaves_a_whole_generation_and_no_strays(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    uri = str(tmp_path / "milvus.db")
    env = {"RAG_CORPUS_DIR": str(corpus), "RAG_INDEX_DIR": str(tmp_path / "index"), "RAG_MODEL": "hash-64",
           "RAG_STORE": "milvus", "RAG_MILVUS_URI": uri}
    directory = Path(env["RAG_INDEX_DIR"])
    assert rag(["ingest"], env).returncode == 0

    def check() -> set[str]:
        """The current generation loads and its collection holds every window; the collections there are."""
        index = load_index(directory)
        name = collection_name("peaceops", generation_dir(directory).name)
        try:
            client = connect(uri)
            client.load_collection(name)
            assert MilvusStore(client, name).count() == index.window_index.ntotal
            return set(client.list_collections())
        finally:
            disconnect(uri)  # Milvus Lite: one process per file, and the next ingest is another

    check()
    bigger = {**env, "RAG_CORPUS_DIR": str(REAL_CORPUS)}
    for delay in [*np.linspace(0.5, 2.5, 6), 15.0]:  # the last one lets the ingest finish
        kill_ingest_after(delay, bigger)
        check()
    assert load_index(directory).manifest["documents"] == 5
    assert rag(["ingest", "--rebuild"], bigger).returncode == 0  # cleans up after the killed ones
    kept = {read_record(g).get("collection") for g in directory.glob("gen-*")}
    assert check() == kept and len(kept) == 2
    assert not list(directory.glob(".gen-*"))
