"""The contract every answerer passes (the extractive default, an LLM answerer, ...).

Subclass :class:`AnswererContract` and provide the ``answerer`` fixture; the ``tiny_*``
fixtures of ``tests/conftest.py`` give the documents and the retrieval.
"""

from __future__ import annotations

import copy
import re

import pytest

from rag.answering import Answerer
from rag.retriever import HybridSearcher
from rag.types import Answer

ANSWERABLE = "How many military observers did the mission employ?"
FOLLOW_UP = ("What did the Security Council decide about the Mission Alpha Observation Force?", "When did it close?")
UNANSWERABLE = "What was the mission's annual budget for helicopters in Antarctica?"


class AnswererContract:
    @pytest.fixture
    def answerer(self) -> Answerer:  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    @pytest.fixture
    def search(self, tiny_index, fake_embedder):
        searcher = HybridSearcher(tiny_index, fake_embedder)
        return lambda question, k=4: searcher.search(question, k)

    def test_is_an_answerer(self, answerer):
        assert isinstance(answerer, Answerer)

    def test_answers_with_verbatim_citations(self, answerer, search, corpus_dir):
        answer = answerer.answer(ANSWERABLE, [], search(ANSWERABLE))
        assert isinstance(answer, Answer) and not answer.abstained and answer.citations
        for c in answer.citations:
            text = (corpus_dir / f"{c.doc_id}.txt").read_text() if (corpus_dir / f"{c.doc_id}.txt").exists() \
                else (corpus_dir / f"{c.doc_id}.md").read_text()
            assert text[c.start:c.end] == c.text
            assert text[c.quote.start:c.quote.end] == c.quote.text
            assert f"[{c.marker}]" in answer.answer
        assert sorted(int(m) for m in re.findall(r"\[(\d+)\]", answer.answer)) == [c.marker for c in answer.citations]

    def test_no_passages_means_abstention(self, answerer):
        answer = answerer.answer(ANSWERABLE, [], [])
        assert answer.abstained and answer.citations == ()

    def test_abstention_has_no_citations(self, answerer, search):
        answer = answerer.answer(UNANSWERABLE, [], search(UNANSWERABLE))
        assert answer.abstained == (answer.citations == ())

    def test_takes_history_for_a_follow_up(self, answerer, search):
        first, follow_up = FOLLOW_UP
        answer = answerer.answer(follow_up, [first], search(f"{first} {follow_up}"))
        assert answer.question == follow_up
        assert answer.abstained or all(f"[{c.marker}]" in answer.answer for c in answer.citations)

    def test_does_not_mutate_its_input(self, answerer, search):
        passages = search(ANSWERABLE)
        before = copy.deepcopy(passages)
        history = ["an earlier question"]
        answerer.answer(ANSWERABLE, history, passages)
        assert passages == before and history == ["an earlier question"]

    def test_streams_text_then_the_same_answer(self, answerer, search):
        passages = search(ANSWERABLE)
        items = list(answerer.stream(ANSWERABLE, [], passages))
        final = items[-1]
        assert isinstance(final, Answer) and all(isinstance(i, str) for i in items[:-1])
        assert "".join(items[:-1]) == final.answer
        assert final.answer == answerer.answer(ANSWERABLE, [], passages).answer
