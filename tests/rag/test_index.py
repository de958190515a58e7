import json

import numpy as np
import pytest

from rag.embedder import HashEmbedder
from rag.errors import IndexError_
from rag.index import CURRENT, FILES, generation_dir, load_index, read_manifest


from rag.collection import open_index


def test_build_save_load_round_trip(corpus_dir, tmp_path, fake_embedder):
    directory = tmp_path / "idx"
    built, was_built = open_index([corpus_dir], directory, fake_embedder)
    assert was_built
    generation = generation_dir(directory)
    assert generation.parent == directory and (directory / CURRENT).read_text().strip() == generation.name
    assert sorted(p.name for p in generation.iterdir()) == sorted(FILES)
    loaded = load_index(directory)
    assert loaded.paragraphs == built.paragraphs
    assert loaded.documents == built.documents
    assert loaded.window_index.ntotal == built.window_index.ntotal
    assert np.array_equal(loaded.sentence_vectors, built.sentence_vectors)
    from rag.text import tokens

    assert loaded.acronyms["maof"] == tokens("Mission Alpha Observation Force")


def test_manifest_records_model_dimension_and_hashes(tiny_index, tmp_path, corpus_dir):
    manifest = read_manifest(tmp_path / "index")
    assert manifest["model"] == "hash-64" and manifest["dimension"] == 64
    assert set(manifest["corpus"]) == {s for s in manifest["corpus"]}  # paths
    assert len(manifest["corpus"]) == 2
    assert all(len(h) == 64 for h in manifest["corpus"].values())
    # metadata is JSON, vectors are FAISS/npy: nothing pickled
    generation = generation_dir(tmp_path / "index")
    json.loads((generation / "paragraphs.json").read_text())
    np.load(generation / "sentences.npy", allow_pickle=False)


def test_reloads_when_fresh_rebuilds_when_corpus_or_model_changes(corpus_dir, tmp_path, fake_embedder):
    directory = tmp_path / "idx"
    open_index([corpus_dir], directory, fake_embedder)
    _, built = open_index([corpus_dir], directory, fake_embedder)
    assert not built
    with (corpus_dir / "forum-beta.md").open("a") as f:
        f.write("\nA new paragraph about logistics.\n")
    _, built = open_index([corpus_dir], directory, fake_embedder)
    assert built
    _, built = open_index([corpus_dir], directory, HashEmbedder(32))
    assert built
    assert read_manifest(directory)["dimension"] == 32


def test_damaged_or_missing_index_is_a_clear_error(tiny_index, tmp_path):
    with pytest.raises(IndexError_, match="no index"):
        load_index(tmp_path / "nowhere")
    (generation_dir(tmp_path / "index") / "windows.faiss").write_bytes(b"garbage")
    with pytest.raises(IndexError_, match="damaged"):
        load_index(tmp_path / "index")


class Counting:
    """The fake embedder, counting the texts it is asked to embed."""

    def __init__(self, inner):
        self.inner, self.texts = inner, []
        self.model_id, self.dimension = inner.model_id, inner.dimension

    def embed(self, texts):
        self.texts.extend(texts)
        return self.inner.embed(texts)

    def embed_query(self, texts):
        return self.inner.embed_query(texts)


def test_unchanged_text_is_never_embedded_again(corpus_dir, tmp_path, fake_embedder):
    directory = tmp_path / "idx"
    first = Counting(fake_embedder)
    built, _ = open_index([corpus_dir], directory, first)
    assert len(first.texts) == len(set(first.texts))  # each distinct text once
    assert sorted(first.texts, key=len) == first.texts  # shortest first: little padding
    (corpus_dir / "gamma.txt").write_text("Gamma Report\n\nThe Gamma mission closed in 2022 after six years.\n")
    second = Counting(fake_embedder)
    rebuilt, was_built = open_index([corpus_dir], directory, second)
    assert was_built and 0 < len(second.texts) <= 3 and all("Gamma" in t for t in second.texts)
    fresh, _ = open_index([corpus_dir], tmp_path / "fresh", fake_embedder)
    assert np.allclose(rebuilt.sentence_vectors, fresh.sentence_vectors)
    assert rebuilt.window_index.ntotal == fresh.window_index.ntotal


def test_headings_are_not_embedded_as_sentences(corpus_dir, tmp_path, fake_embedder):
    counting = Counting(fake_embedder)
    built, _ = open_index([corpus_dir], tmp_path / "idx", counting)
    headings = [p for p in built.paragraphs if not p.searchable]
    assert headings, "the sample corpus has headings"
    for p in headings:
        rows = built.sentence_rows(built.paragraphs.index(p))
        assert not built.sentence_vectors[rows].any()  # never scored: zero rows, no model time
        assert all(s.text not in counting.texts for s in p.sentences)
    assert "" in built.text_keys
    from rag.index import known_vectors

    assert "" not in known_vectors(built)  # a later build never reuses the zero rows
