from pathlib import Path

import pytest

from rag.errors import CorpusError
from rag.ingest import read_sources, split_paragraphs, windows
from tests.conftest import REAL_CORPUS


def _paragraphs(corpus_dir: Path, doc_id: str):
    source = next(s for s in read_sources([corpus_dir]) if s.info.doc_id == doc_id)
    return source, split_paragraphs(doc_id, source.text)


@pytest.mark.parametrize("corpus", [REAL_CORPUS, Path(__file__).parents[1] / "data" / "corpus"])
def test_every_paragraph_and_sentence_is_an_exact_slice(corpus):
    for source in read_sources([corpus]):
        paragraphs = split_paragraphs(source.info.doc_id, source.text)
        assert paragraphs, source.info.doc_id
        for p in paragraphs:
            assert p.text == source.text[p.start:p.end]
            for s in p.sentences:
                assert p.start <= s.start < s.end <= p.end
                assert source.text[s.start:s.end].strip()


def test_manifest_metadata_is_used(corpus_dir):
    info = {s.info.doc_id: s.info for s in read_sources([corpus_dir])}
    assert info["mission-alpha"].title == "Mission Alpha: Closure Report"
    assert info["mission-alpha"].publisher == "Example Peace Institute"
    assert info["forum-beta"].source.endswith("forum-beta.md")
    assert len(info["forum-beta"].sha256) == 64


def test_debris_is_dropped_and_page_breaks_joined(corpus_dir):
    _, paragraphs = _paragraphs(corpus_dir, "mission-alpha")
    texts = [p.clean for p in paragraphs]
    assert not any("Sponsor Logo Block" in t for t in texts)  # repeated logo
    assert "3" not in texts  # lone page number
    joined = next(p for p in paragraphs if "Riverside" in p.clean)
    assert joined.clean.endswith("chosen for its airport and road links.")
    assert "\n\n3\n\n" in joined.text  # the span is still the exact file slice
    assert any(s.text.endswith("road links.") and "Most observers" in s.text for s in joined.sentences)


def test_list_items_are_paragraphs_and_headings_become_sections(corpus_dir):
    _, paragraphs = _paragraphs(corpus_dir, "mission-alpha")
    items = [p for p in paragraphs if p.kind == "list"]
    assert [p.clean[:2] for p in items] == ["1.", "2."]
    assert items[0].section == "Key lessons:"
    headings = [p for p in paragraphs if p.kind == "heading"]
    assert all(not p.searchable for p in headings)


def test_duplicate_pull_quotes_are_not_searchable(tmp_path):
    text = "Intro heading\n\nCovid-19 exposed fractures in the system as a whole.\n\nCovid-19 exposed fractures in the system as a whole. It also showed resilience.\n"
    (tmp_path / "d.txt").write_text(text)
    paragraphs = split_paragraphs("d", text)
    searchable = [p.clean for p in paragraphs if p.searchable]
    assert searchable == ["Covid-19 exposed fractures in the system as a whole. It also showed resilience."]


def test_long_paragraphs_are_windowed_for_embedding():
    source = next(s for s in read_sources([REAL_CORPUS]) if s.info.doc_id.startswith("challenges"))
    paragraphs = split_paragraphs(source.info.doc_id, source.text)
    longest = max((p for p in paragraphs if p.searchable), key=lambda p: len(p.clean.split()))
    parts = windows(longest, max_words=60)
    assert len(parts) > 1
    assert all(len(w.split()) <= 60 + len(longest.section.split()) + 40 for w in parts)


def test_bad_inputs_raise_corpus_errors(tmp_path):
    with pytest.raises(CorpusError, match="no such file"):
        read_sources([tmp_path / "missing"])
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(CorpusError, match="only .txt, .md"):
        read_sources([tmp_path / "x.pdf"])
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CorpusError, match="not UTF-8"):
        read_sources([tmp_path / "bad.txt"])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CorpusError, match="no .txt or .md"):
        read_sources([empty])
