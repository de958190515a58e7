import pytest

from rag.assistant import Assistant
from rag.errors import InvalidQuestion, InvalidRequest


def test_answer_shape_matches_the_api_contract(tiny_assistant):
    data = tiny_assistant.ask("How many military observers did the mission employ?").to_dict()
    assert set(data) >= {"question", "answer", "abstained", "citations", "timings_ms"}
    assert set(data["timings_ms"]) == {"retrieve", "answer", "total"}
    citation = data["citations"][0]
    assert set(citation) >= {"doc_id", "title", "source", "paragraph", "start", "end", "text", "score", "quote"}
    assert set(citation["quote"]) == {"text", "start", "end"}


@pytest.mark.parametrize("bad", ["", "   ", None, 42, "x" * 2001, "a\x00b"])
def test_bad_questions_are_rejected_with_a_reason(tiny_assistant, bad):
    with pytest.raises(InvalidQuestion):
        tiny_assistant.ask(bad)


@pytest.mark.parametrize("top_k", [0, 51, "3", True])
def test_bad_top_k_is_rejected(tiny_assistant, top_k):
    with pytest.raises(InvalidRequest, match="top_k"):
        tiny_assistant.ask("observers?", top_k=top_k)


def test_top_k_limits_the_passages_considered(tiny_assistant):
    docs = tiny_assistant.retriever.with_config(configurable={"top_k": 1}).invoke("observers")
    assert len(docs) == 1


def test_follow_up_is_rewritten_from_the_history_for_retrieval(tiny_assistant):
    first = "What did the Security Council decide about the Mission Alpha Observation Force?"
    query = tiny_assistant.retrieval_query("When did it close?", [first])
    assert "Mission Alpha Observation Force" in query and query.startswith("When did")
    standalone = "How many observers did Mission Alpha employ?"
    assert tiny_assistant.retrieval_query(standalone, [first]) == f"{standalone} {first}"  # not rewritten
    assert tiny_assistant.retrieval_query(standalone, []) == standalone


def test_history_must_be_a_list(tiny_assistant):
    with pytest.raises(InvalidRequest, match="history"):
        tiny_assistant.ask("When?", history="previous question")


def test_constructor_validates_top_k(tiny_index, tiny_assistant):
    with pytest.raises(ValueError, match="top_k"):
        Assistant(tiny_index, tiny_assistant.searcher, tiny_assistant.answerer, top_k=0)


def test_the_assistant_composes_the_seams_it_is_handed(tiny_assistant):
    from rag.answering import Answerer
    from rag.retriever import Retriever

    assert isinstance(tiny_assistant.searcher, Retriever) and isinstance(tiny_assistant.answerer, Answerer)


def test_stream_yields_text_then_the_answer(tiny_assistant):
    from rag.types import Answer

    items = list(tiny_assistant.stream("How many military observers did the mission employ?"))
    assert isinstance(items[-1], Answer)
    assert "".join(i for i in items[:-1]) == items[-1].answer
