import pytest

from eval.harness import Evidence, Question, gate_failures, gold_paragraphs, load_questions
from rag.errors import CorpusError


def test_question_set_meets_the_brief():
    questions = load_questions()
    answerable = [q for q in questions if q.answerable]
    assert len(questions) >= 60
    assert len(questions) - len(answerable) >= 10
    assert sum(q.conflict for q in questions) >= 2
    docs = {ev.doc for q in answerable for ev in q.evidence}
    assert len(docs) == 5
    assert len({q.id for q in questions}) == len(questions)


def test_gold_patterns_and_evidence(tiny_index):
    q = Question("x", "How many observers?", answers=(r"1,200", r"observers"),
                 evidence=(Evidence("mission-alpha", "employed 1,200 military observers"),))
    assert q.matches("The mission employed 1,200 military observers.")
    assert not q.matches("The mission employed 1,200 staff.")
    assert len(gold_paragraphs(q, tiny_index.paragraphs)) == 1
    bad = Question("y", "?", answers=("a",), evidence=(Evidence("mission-alpha", "not in the text"),))
    with pytest.raises(CorpusError, match="evidence not found"):
        gold_paragraphs(bad, tiny_index.paragraphs)


def test_gate_failures_names_the_missed_thresholds():
    ok = {"answer_accuracy": 0.96, "citation_precision": 1.0, "abstention_accuracy": 0.95, "verbatim_rate": 1.0}
    assert gate_failures(ok) == []
    assert gate_failures({**ok, "verbatim_rate": 0.99}) == ["verbatim_rate 0.990 < 1.0"]
