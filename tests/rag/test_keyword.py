import pytest

from rag.keyword import BM25


def test_bm25_ranks_rare_matching_terms_first_and_round_trips():
    bm25 = BM25([["peace", "mission"], ["peace", "budget", "cut"], ["peace"]])
    scores = bm25.scores(["budget", "peace"])
    assert scores.argmax() == 1
    assert bm25.idf_of("budget") > bm25.idf_of("peace") > 0
    assert bm25.idf_of("unknown") == 0
    again = BM25.from_json(bm25.to_json())
    assert list(again.scores(["budget"])) == list(bm25.scores(["budget"]))


def test_bm25_rejects_bad_parameters():
    with pytest.raises(ValueError, match="k1"):
        BM25([["a"]], k1=0)
