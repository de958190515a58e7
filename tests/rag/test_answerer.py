import pytest

from rag.answerer import NOT_COVERED, ExtractiveAnswerer, make_citation
from rag.retriever import HybridSearcher


@pytest.fixture
def answerer(tiny_index):
    return ExtractiveAnswerer(idf=tiny_index.keyword.idf_of, knows_term=tiny_index.knows_term, acronyms=tiny_index.acronyms)


def _ask(tiny_index, fake_embedder, answerer, question):
    passages = HybridSearcher(tiny_index, fake_embedder).search(question, 4)
    return answerer.answer(question, passages)


def test_number_question_leads_with_the_counting_sentence(tiny_index, fake_embedder, answerer):
    answer = _ask(tiny_index, fake_embedder, answerer, "How many military observers did the mission employ?")
    assert not answer.abstained
    assert answer.answer.startswith("The mission employed 1,200 military observers")
    assert answer.answer.endswith("[1]")
    (c,) = answer.citations
    assert c.doc_id == "mission-alpha" and c.marker == 1 and c.title == "Mission Alpha: Closure Report"


def test_citation_quotes_are_file_slices(tiny_index, fake_embedder, answerer, corpus_dir):
    answer = _ask(tiny_index, fake_embedder, answerer, "When would MAOF operations cease?")
    text = (corpus_dir / "mission-alpha.txt").read_text()
    for c in answer.citations:
        assert text[c.start:c.end] == c.text
        assert text[c.quote.start:c.quote.end] == c.quote.text
        assert "30 June 2021" in c.quote.text


def test_unknown_names_abstain(tiny_index, fake_embedder, answerer):
    answer = _ask(tiny_index, fake_embedder, answerer, "When did MINUSMA operations cease?")
    assert answer.abstained and answer.answer == NOT_COVERED and answer.citations == ()


def test_number_question_without_a_count_of_that_thing_abstains(tiny_index, fake_embedder, answerer):
    answer = _ask(tiny_index, fake_embedder, answerer, "How many helicopters did the mission operate?")
    assert answer.abstained


def test_conflicting_sources_are_both_shown_and_cited(tiny_index, fake_embedder, answerer):
    answer = _ask(tiny_index, fake_embedder, answerer, "From how many countries did participants attend the Beta Forum?")
    assert answer.conflict and not answer.abstained
    assert "20 countries" in answer.answer and "25 countries" in answer.answer
    assert [c.marker for c in answer.citations] == [1, 2]
    assert answer.citations[0].paragraph != answer.citations[1].paragraph


def test_make_citation_refuses_a_sentence_outside_its_paragraph(tiny_index, fake_embedder):
    passage = HybridSearcher(tiny_index, fake_embedder).search("observers", 1)[0]
    from rag.types import Sentence

    with pytest.raises(ValueError, match="outside"):
        make_citation(1, passage, Sentence(0, 5, "xx"))


def test_constructor_validates(tiny_index):
    with pytest.raises(ValueError, match="min_confidence"):
        ExtractiveAnswerer(idf=tiny_index.keyword.idf_of, knows_term=tiny_index.knows_term, min_confidence=2)
