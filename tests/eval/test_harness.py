from collections import Counter

import pytest

from eval.gate import GATE, failures
from eval.questions import CORPORA, KINDS, Evidence, Question, gold_paragraphs, load_questions
from eval.split import assign
from rag.errors import CorpusError


def test_the_main_question_set_meets_the_brief():
    questions = load_questions(CORPORA[0].questions)
    kinds = Counter(q.kind for q in questions)
    assert len(questions) >= 300
    assert all(kinds[k] >= 15 for k in KINDS), kinds
    assert kinds["followup"] >= 30 and all(q.history for q in questions if q.kind == "followup")
    assert kinds["unanswerable"] >= 0.2 * len(questions)
    groups = Counter(q.group for q in questions if q.group)
    assert sum(n >= 3 for n in groups.values()) >= 40
    docs = {ev.doc for q in questions for ev in q.evidence}
    assert docs == {p.stem for p in CORPORA[0].documents.glob("*.txt")}


@pytest.mark.parametrize("corpus", CORPORA[1:], ids=lambda c: c.name)
def test_every_other_corpus_has_its_own_questions_with_evidence_in_its_documents(corpus):
    from rag.ingest import read_sources, split_paragraphs

    questions = load_questions(corpus.questions)
    assert len(questions) >= 60
    assert sum(not q.answerable for q in questions) >= 10
    # read as the product reads them (the handbook's pages are HTML)
    paragraphs = [p for source in read_sources([corpus.documents]).sources
                  for p in split_paragraphs(source.info.doc_id, source.text)]
    for q in questions:
        if q.answerable:
            assert gold_paragraphs(q, paragraphs), q.id  # raises when an evidence snippet is not in the text


@pytest.mark.parametrize("corpus", CORPORA, ids=lambda c: c.name)
def test_the_split_is_fixed_stratified_and_keeps_groups_together(corpus):
    questions = load_questions(corpus.questions)
    share = sum(q.split == "test" for q in questions) / len(questions)
    assert 0.25 <= share <= 0.4
    sides = {}
    for q in questions:
        if q.group:
            assert sides.setdefault(q.group, q.split) == q.split
    import yaml

    items = yaml.safe_load(corpus.questions.read_text())
    before = [i["split"] for i in items]
    assign(items)
    assert [i["split"] for i in items] == before  # running the split again changes nothing


def test_gold_patterns_and_evidence(tiny_index):
    q = Question("x", "How many observers?", "number", answers=(r"1,200", r"observers"),
                 evidence=(Evidence("mission-alpha", "employed 1,200 military observers"),))
    assert q.matches("The mission employed 1,200 military observers.")
    assert not q.matches("The mission employed 1,200 staff.")
    assert len(gold_paragraphs(q, tiny_index.paragraphs)) == 1
    bad = Question("y", "?", "number", answers=("a",), evidence=(Evidence("mission-alpha", "not in the text"),))
    with pytest.raises(CorpusError, match="evidence not found"):
        gold_paragraphs(bad, tiny_index.paragraphs)


def test_gate_failures_name_the_missed_thresholds():
    rules = GATE[("main", "test")]
    good = {k: (1.0 if op == ">=" else 0.0) for k, (op, _) in rules.items()}
    assert failures("main", "test", good) == []
    assert failures("main", "test", {**good, "verbatim_rate": 0.99}) == ["main/test verbatim_rate 0.990 (gate >= 1.0)"]
    assert failures("main", "dev", {}) == []  # dev is never the gate


def test_citations_of_an_html_page_are_checked_against_the_text_the_product_extracted(tmp_path, fake_embedder):
    from dataclasses import replace
    from types import SimpleNamespace

    from eval.harness import _verbatim
    from rag.answering.base import make_citation
    from rag.collection import open_index
    from rag.retriever import HybridSearcher

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "page.html").write_text("<html><head><title>Backups</title></head><body><p>Menu</p>"
                                      "<p>Backups on tape were deemed too slow and costly.</p></body></html>")
    index, _ = open_index([folder], tmp_path / "index", fake_embedder)
    passage = HybridSearcher(index, fake_embedder).search("tape backups", 1)[0]
    sentence = next(s for s in passage.paragraph.sentences if "tape" in s.text)
    cited = SimpleNamespace(citations=(make_citation(1, passage, sentence),))
    # the raw HTML holds tags at those offsets; the stored text holds the sentence
    assert _verbatim(cited, {}, tmp_path, index) == [True]
    citation = cited.citations[0]
    shifted = SimpleNamespace(citations=(replace(citation, start=citation.start + 1, end=citation.end + 1),))
    assert _verbatim(shifted, {}, tmp_path, index) == [False]
