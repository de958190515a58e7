"""A collection that changes: add, replace, skip the same file, remove, stay in step with a folder."""

from __future__ import annotations

import pytest

from rag.collection import ModelInfo, Upload, change, open_index
from rag.embedder import HashEmbedder
from rag.errors import CorpusError, DocumentNotFound
from rag.index import TEXTS, load_index, read_manifest

NOTE = "Field notes\n\nThe Zanzibar liaison cell moved to Harbour House in March 2024.\n"


class CountingEmbedder(HashEmbedder):
    """The fake model, counting what it is asked to embed."""

    def __init__(self) -> None:
        super().__init__(64)
        self.texts: list[str] = []

    def embed(self, texts):
        self.texts.extend(texts)
        return super().embed(texts)


@pytest.fixture
def directory(corpus_dir, tmp_path, fake_embedder):
    open_index([corpus_dir], tmp_path / "index", fake_embedder)
    return tmp_path / "index"


def _verbatim(index) -> None:
    for p in index.paragraphs:
        assert index.document_text(p.doc_id)[p.start:p.end] == p.text


def test_adding_embeds_only_the_new_document(directory):
    embedder = CountingEmbedder()
    result = change(directory, embedder, add=[Upload("notes.txt", NOTE.encode())])
    assert [d.doc_id for d in result.added] == ["notes"]
    assert embedder.texts and all("Zanzibar" in t or "Field notes" in t for t in embedder.texts)
    index = load_index(directory)
    assert index.documents["notes"].origin == "added" and index.documents["notes"].added
    assert any("Harbour House" in p.text for p in index.document_paragraphs("notes"))
    _verbatim(index)


def test_the_same_file_twice_is_recognised_and_a_changed_one_replaced(directory, fake_embedder):
    change(directory, fake_embedder, add=[Upload("notes.txt", NOTE.encode())])
    generation = read_manifest(directory)["built_at"], sorted(directory.glob("gen-*"))
    again = change(directory, fake_embedder, add=[Upload("notes.txt", NOTE.encode())])
    assert again.unchanged and not again.added and again.index is None
    assert sorted(directory.glob("gen-*")) == generation[1]  # nothing written
    changed = change(directory, fake_embedder, add=[Upload("notes.txt", NOTE.replace("March", "May").encode())])
    assert [d.doc_id for d in changed.replaced] == ["notes"]
    index = load_index(directory)
    assert sum(d.source == "notes.txt" for d in index.documents.values()) == 1
    assert "May 2024" in index.document_text("notes")


def test_removing_embeds_nothing_and_drops_the_stored_text(directory, fake_embedder):
    change(directory, fake_embedder, add=[Upload("notes.txt", NOTE.encode())])
    name = load_index(directory).text_name("notes")
    assert (directory / TEXTS / f"{name}.txt").exists()
    model = ModelInfo(fake_embedder.model_id, fake_embedder.dimension)  # raises if asked to embed
    result = change(directory, model, remove=["notes"])
    assert [d.doc_id for d in result.removed] == ["notes"]
    assert "notes" not in load_index(directory).documents
    change(directory, model, remove=["forum-beta"])  # a third generation: the text of the first two goes
    assert not (directory / TEXTS / f"{name}.txt").exists()


def test_bad_file_or_unknown_id_changes_nothing(directory, fake_embedder):
    before = (directory / "CURRENT").read_text()
    with pytest.raises(CorpusError, match=r"^bad\.txt: binary content"):
        change(directory, fake_embedder, add=[Upload("ok.txt", NOTE.encode()), Upload("bad.txt", b"\x00\x01" * 50)])
    with pytest.raises(CorpusError, match="unsupported file type '.exe'"):
        change(directory, fake_embedder, add=[Upload("tool.exe", b"MZ")])
    with pytest.raises(DocumentNotFound, match="no document with id 'nope'"):
        change(directory, fake_embedder, remove=["nope"])
    with pytest.raises(CorpusError, match="over the"):
        change(directory, fake_embedder, add=[Upload("big.txt", b"word " * 400)], max_bytes=1000)
    assert (directory / "CURRENT").read_text() == before


def test_folder_sync_keeps_added_documents_and_respects_removals(directory, corpus_dir, fake_embedder):
    change(directory, fake_embedder, add=[Upload("notes.txt", NOTE.encode())])
    change(directory, fake_embedder, remove=["forum-beta"])
    index, built = open_index([corpus_dir], directory, fake_embedder)
    assert not built and "notes" in index.documents and "forum-beta" not in index.documents
    (corpus_dir / "mission-alpha.txt").write_text(
        (corpus_dir / "mission-alpha.txt").read_text() + "\n\nA late annex names Lake Tana.\n")
    index, built = open_index([corpus_dir], directory, fake_embedder)
    assert built and "notes" in index.documents and "forum-beta" not in index.documents
    assert any("Lake Tana" in p.text for p in index.document_paragraphs("mission-alpha"))
    _verbatim(index)


def test_unchanged_files_are_not_read_again(directory, corpus_dir, fake_embedder, monkeypatch):
    import rag.ingest

    calls = []
    real = rag.ingest.extract
    monkeypatch.setattr(rag.ingest, "extract", lambda name, raw, **kw: calls.append(name) or real(name, raw, **kw))
    (corpus_dir / "extra.md").write_text("# Extra\n\nThe Kivu desk opened in 2023.\n")
    open_index([corpus_dir], directory, fake_embedder)
    assert calls == ["extra.md"]


def test_a_file_read_anew_as_other_text_gets_a_stored_text_of_its_own(directory, corpus_dir, fake_embedder, monkeypatch):
    import rag.ingest

    before = load_index(directory)
    real = rag.ingest.extract
    # as after an upgrade of a reader: the same bytes now read as other text
    monkeypatch.setattr(rag.ingest, "extract", lambda name, raw, **kw: real(name, raw + b"\n\nRead again.\n", **kw))
    index, built = open_index([corpus_dir], directory, fake_embedder, rebuild=True)
    assert built and all(index.text_name(d) != before.text_name(d) for d in index.documents)
    _verbatim(load_index(directory))  # offsets and the stored text agree
    assert before.document_text("forum-beta") != index.document_text("forum-beta")


def test_changed_readers_read_the_folder_again_and_keep_added_documents(directory, corpus_dir, fake_embedder, monkeypatch):
    import rag.collection
    import rag.index
    import rag.ingest

    change(directory, fake_embedder, add=[Upload("notes.txt", NOTE.encode())])
    calls = []
    real = rag.ingest.extract
    # as after an upgrade of rag/formats: the same bytes now read as other text
    monkeypatch.setattr(rag.ingest, "extract", lambda name, raw, **kw: calls.append(name) or real(name, raw + b"\n\nRead again.\n", **kw))
    for module in (rag.collection, rag.index):
        monkeypatch.setattr(module, "READERS", "a-newer-reader")
    index, built = open_index([corpus_dir], directory, fake_embedder)
    folder = [d for d in index.documents.values() if d.origin == "folder"]
    assert built and folder and len(calls) == len(folder)  # every file of the folder read anew
    assert "notes" in index.documents and "Harbour House" in index.document_text("notes")  # its file is gone: kept
    assert all("Read again." in index.document_text(d.doc_id) for d in folder)
    _verbatim(load_index(directory))  # the new text under a name of its own: offsets and stored text agree
    calls.clear()
    index, built = open_index([corpus_dir], directory, fake_embedder)
    assert not built and calls == []  # in step again


def test_documents_added_on_their_own_outlive_a_new_index_format(directory, corpus_dir, fake_embedder, monkeypatch):
    import rag.collection
    import rag.index

    change(directory, fake_embedder, add=[Upload("notes.txt", NOTE.encode())])
    newer = rag.index.FORMAT_VERSION + 1
    for module in (rag.collection, rag.index):  # as after an upgrade that changes the index format
        monkeypatch.setattr(module, "FORMAT_VERSION", newer)
    index, built = open_index([corpus_dir], directory, fake_embedder)
    assert built and index.manifest["format_version"] == newer
    assert index.documents["notes"].origin == "added" and "Harbour House" in index.document_text("notes")
    _verbatim(load_index(directory))


def test_an_added_document_whose_text_is_not_stored_is_reported_lost_at_a_new_index_format(
        directory, corpus_dir, fake_embedder, monkeypatch):
    import rag.collection
    import rag.index

    change(directory, fake_embedder, add=[Upload("notes.txt", NOTE.encode())])
    stored = load_index(directory)
    (stored.text_dir / f"{stored.text_name('notes')}.txt").unlink()  # as in an index too old to store texts
    newer = rag.index.FORMAT_VERSION + 1
    for module in (rag.collection, rag.index):
        monkeypatch.setattr(module, "FORMAT_VERSION", newer)
    index, built = open_index([corpus_dir], directory, fake_embedder)
    assert built and "notes" not in index.documents
    lost = [s for s in index.manifest["skipped"] if s["source"] == stored.documents["notes"].source]
    assert lost and "add the file again" in lost[0]["reason"]


def test_removing_every_document_is_refused(directory, fake_embedder):
    ids = list(load_index(directory).documents)
    with pytest.raises(CorpusError, match="empty"):
        change(directory, fake_embedder, remove=ids)
