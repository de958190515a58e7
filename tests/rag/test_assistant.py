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


def test_follow_up_uses_the_previous_question_for_retrieval(tiny_assistant):
    first = "What did the Security Council decide about the Mission Alpha Observation Force?"
    query = tiny_assistant.retrieval_query("When did it close?", [first])
    assert query.startswith(first) and query.endswith("When did it close?")
    assert tiny_assistant.retrieval_query("How many observers did Mission Alpha employ?", [first]).startswith("How many")
    answer = tiny_assistant.ask("When did its operations cease?", history=[first])
    assert not answer.abstained and "30 June 2021" in answer.answer


def test_history_must_be_a_list(tiny_assistant):
    with pytest.raises(InvalidRequest, match="history"):
        tiny_assistant.ask("When?", history="previous question")


def test_constructor_validates_top_k(tiny_index, fake_embedder):
    with pytest.raises(ValueError, match="top_k"):
        Assistant(tiny_index, fake_embedder, top_k=0)
