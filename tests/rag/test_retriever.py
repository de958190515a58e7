import numpy as np
import pytest

from rag.question import analyse
from rag.retriever import HybridRetriever, HybridSearcher


def test_search_ranks_matching_paragraph_first(tiny_index, fake_embedder):
    searcher = HybridSearcher(tiny_index, fake_embedder)
    passages = searcher.search("When would MAOF operations cease?", 3)
    assert "30 June 2021" in passages[0].paragraph.clean
    assert [p.rank for p in passages] == [1, 2, 3]
    assert passages[0].score >= passages[1].score >= passages[2].score
    assert len(passages[0].sentence_scores) == len(passages[0].paragraph.sentences)


def _gain(index, embedder, question: str, holding: str, **without) -> float:
    """How much more the paragraph holding ``holding`` scores with the index as built than
    with the parts named in ``without`` emptied."""
    import dataclasses

    def score(ix):
        passages = HybridSearcher(ix, embedder).search(question, 10)
        return next(p.score for p in passages if holding in p.paragraph.clean)

    return score(index) - score(dataclasses.replace(index, **without))


def test_spelled_out_acronym_reaches_text_using_it(tiny_index, fake_embedder):
    question = "When did the Alpha observation force stop its operations?"
    assert _gain(tiny_index, fake_embedder, question, "MAOF operations would cease", acronyms={}) > 0.02


def test_langchain_retriever_returns_documents_with_provenance(tiny_index, fake_embedder):
    retriever = HybridRetriever(searcher=HybridSearcher(tiny_index, fake_embedder), top_k=2)
    docs = retriever.invoke("How many military observers did the mission employ?")
    assert len(docs) == 2
    meta = docs[0].metadata
    assert {"doc_id", "paragraph", "source", "start", "end", "score", "passage"} <= set(meta)
    assert docs[0].page_content == meta["passage"].paragraph.clean


def test_search_rejects_bad_k_and_mismatched_index(tiny_index, fake_embedder):
    from rag.embedder import HashEmbedder

    with pytest.raises(ValueError, match="k must be greater than 0"):
        HybridSearcher(tiny_index, fake_embedder).search("x", 0)
    with pytest.raises(ValueError, match="dimension"):
        HybridSearcher(tiny_index, HashEmbedder(32))


def test_query_vectors_are_cached_and_bounded(tiny_index):
    from rag.embedder import HashEmbedder

    class Counting(HashEmbedder):
        calls = 0

        def embed(self, texts):
            Counting.calls += 1
            return super().embed(texts)

    searcher = HybridSearcher(tiny_index, Counting(64), cache_size=2)
    first = searcher.search("observers", 2)
    assert searcher.search("observers", 2) == first and Counting.calls == 1
    searcher.search("budget", 1), searcher.search("exit", 1), searcher.search("observers", 1)
    assert Counting.calls == 4  # "observers" was evicted
    uncached = HybridSearcher(tiny_index, Counting(64), cache_size=0)
    uncached.search("observers", 1), uncached.search("observers", 1)
    assert Counting.calls == 6


def test_small_collections_are_scored_exactly_large_ones_by_candidates(tiny_index, fake_embedder):
    assert HybridSearcher(tiny_index, fake_embedder).exact
    assert not HybridSearcher(tiny_index, fake_embedder, exact_up_to=0).exact
    with pytest.raises(ValueError, match="candidates"):
        HybridSearcher(tiny_index, fake_embedder, candidates=0)


def test_candidates_covering_every_window_score_as_exact(tiny_index, fake_embedder):
    exact = HybridSearcher(tiny_index, fake_embedder)
    by_candidates = HybridSearcher(tiny_index, fake_embedder, exact_up_to=0, candidates=10_000)
    for question in ("When would MAOF operations cease?", "How many observers?", "budget of the forum"):
        a, b = exact.search(question, 5), by_candidates.search(question, 5)
        assert [p.paragraph for p in a] == [p.paragraph for p in b]
        for x, y in zip(a, b):
            assert x.score == pytest.approx(y.score, abs=1e-6) and x.dense == pytest.approx(y.dense, abs=1e-6)
            assert np.allclose(x.sentence_scores, y.sentence_scores, atol=1e-6)


def test_keyword_candidates_join_the_best_windows(tiny_index, fake_embedder):
    from rag.text import tokens

    question = "How many military observers did the mission employ?"
    searcher = HybridSearcher(tiny_index, fake_embedder, exact_up_to=0, candidates=1)
    found = {p.paragraph: p for p in searcher.search(question, 5)}
    hit = searcher.store.search(fake_embedder.embed_query([question])[0], 1)
    by_window = tiny_index.paragraphs[int(tiny_index.window_paragraph[hit.ids[0]])]
    by_keyword = tiny_index.paragraphs[int(np.argmax(tiny_index.keyword.scores(tokens(question))))]
    assert set(found) == {by_window, by_keyword}
    assert found[by_window].dense == pytest.approx(float(hit.scores[0]))
    exact = {p.paragraph: p for p in HybridSearcher(tiny_index, fake_embedder).search(question, 50)}
    for paragraph, passage in found.items():  # candidates are scored as exact scoring scores them
        assert passage.dense == pytest.approx(exact[paragraph].dense, abs=1e-6)
        assert passage.score == pytest.approx(exact[paragraph].score, abs=1e-6)


@pytest.mark.parametrize("question", ["what does MAOF stand for?", "maof = ?", "What is the full name of the force abbreviated MAOF?"])
@pytest.mark.parametrize("exact_up_to", [1_000, 0])  # every paragraph scored, or only the candidates
def test_a_question_about_an_acronym_gets_the_paragraph_that_spells_it_out(tiny_index, fake_embedder, question, exact_up_to):
    passages = HybridSearcher(tiny_index, fake_embedder, exact_up_to=exact_up_to).search(question, 1)
    assert "Mission Alpha Observation Force (MAOF)" in passages[0].paragraph.clean


def test_a_question_with_more_to_it_is_searched_as_usual(tiny_index, fake_embedder):
    searcher = HybridSearcher(tiny_index, fake_embedder)
    assert searcher._definition(analyse("When would MAOF operations cease in 2021?")) is None


def test_initials_the_documents_never_write_find_the_name_they_spell(tiny_index, fake_embedder):
    assert tiny_index.initialisms["sc"][0] == "Security Council"
    assert _gain(tiny_index, fake_embedder, "what did the SC decide?", "Security Council decided", initialisms={}) > 0.02


def test_a_typo_finds_the_word_meant(tiny_index, fake_embedder):
    top = HybridSearcher(tiny_index, fake_embedder).search("coucil", 1)[0]
    assert "Council" in top.paragraph.clean and top.keyword > 0


def test_a_document_the_question_names_ranks_its_paragraphs_higher(tiny_index, fake_embedder):
    from rag.retriever import Weights
    from rag.titles import names_of

    names = names_of(tiny_index)
    doc_id, words = next((d, sorted(w)) for d, w in names.items() if w)
    question = f"what does the {words[0]} say?"
    on = HybridSearcher(tiny_index, fake_embedder).search(question, 10)
    off = HybridSearcher(tiny_index, fake_embedder, Weights(document=0.0)).search(question, 10)
    gain = {p.paragraph.number: p.score for p in on if p.paragraph.doc_id == doc_id}
    base = {p.paragraph.number: p.score for p in off if p.paragraph.doc_id == doc_id}
    assert gain and all(abs(gain[n] - base[n] - Weights().document) < 1e-5 for n in gain.keys() & base.keys())
