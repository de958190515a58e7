"""The LLM answerer with stand-in chat models: parsing, verification, fallback. The real
model server is exercised in tests/rag/answering/test_llm_server.py."""

from __future__ import annotations

import json
import re

import pytest
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from rag.answering.extractive import ExtractiveAnswerer
from rag.answering.features import Vocabulary
from rag.answering.llm import Claim, LLMAnswerer, number_sentences, parse_claims, prompt, unsupported
from tests.rag.answering.contract import ANSWERABLE, AnswererContract


class Reader:
    """A stand-in model that reads the prompt like a careful model would: it cites the
    sentence sharing most words with the question and copies it as the claim."""

    def stream(self, messages, **kwargs):
        text = messages[-1][1]
        question = set(re.findall(r"\w+", text.split("Question:")[1].lower()))
        sentences = re.findall(r"^\[(\d+)\] (.*)$", text, re.M)
        number, best = max(sentences, key=lambda s: len(question & set(re.findall(r"\w+", s[1].lower()))))
        reply = json.dumps({"answerable": True, "claims": [{"text": best, "sentences": [int(number)]}]})
        for i in range(0, len(reply), 7):  # token by token, as a server streams
            yield AIMessage(content=reply[i:i + 7])


def fake(*replies: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=r) for r in replies]))


@pytest.fixture
def extractive(tiny_index):
    return ExtractiveAnswerer(Vocabulary.of(tiny_index))


class TestLLMAnswererContract(AnswererContract):
    @pytest.fixture
    def answerer(self, extractive):
        return LLMAnswerer(Reader(), extractive)


def test_a_supported_claim_is_shown_with_its_sentence_as_the_quote(extractive, search):
    answer = LLMAnswerer(Reader(), extractive).answer(ANSWERABLE, [], search(ANSWERABLE))
    assert answer.answerer == "llm" and not answer.warning and answer.claims_dropped == 0
    assert "1,200 military observers" in answer.answer and answer.answer.endswith("[1]")
    assert "1,200" in answer.citations[0].quote.text


def test_an_invented_number_gets_the_claim_dropped(extractive, search):
    passages = search(ANSWERABLE)
    numbered = number_sentences(passages, 30)
    n = next(x.number for x in numbered if "1,200" in x.sentence.text)
    invented = json.dumps({"answerable": True, "claims": [
        {"text": "The mission employed 1,500 military observers.", "sentences": [n]}]})
    answer = LLMAnswerer(fake(invented), extractive).answer(ANSWERABLE, [], passages)
    assert answer.answerer == "extractive-fallback" and answer.claims_dropped == 1
    assert "1,500" not in answer.answer and "supported" in answer.warning


def test_only_supported_claims_survive(extractive, search):
    passages = search(ANSWERABLE)
    numbered = number_sentences(passages, 30)
    n = next(x.number for x in numbered if "1,200" in x.sentence.text)
    reply = json.dumps({"answerable": True, "claims": [
        {"text": "The mission employed 1,200 military observers.", "sentences": [n]},
        {"text": "The observers came from Norway.", "sentences": [n]},
        {"text": "It had 1,200 observers.", "sentences": [999]}]})
    answer = LLMAnswerer(fake(reply), extractive).answer(ANSWERABLE, [], passages)
    assert answer.answerer == "llm" and answer.claims_dropped == 2
    assert answer.answer == "The mission employed 1,200 military observers. [1]" and len(answer.citations) == 1


@pytest.mark.parametrize("reply, warning", [
    ("I am sorry, I cannot help with that.", "no usable claim"),
    ('{"answerable": false, "claims": []}', "found no answer"),
    ('{"claims": [{"text": "cut off', "no usable claim"),
])
def test_garbage_or_no_answer_falls_back_to_the_extractive_answer(extractive, search, reply, warning):
    passages = search(ANSWERABLE)
    answer = LLMAnswerer(fake(reply), extractive).answer(ANSWERABLE, [], passages)
    assert answer.answerer == "extractive-fallback" and warning in answer.warning
    assert answer.answer == extractive.answer(ANSWERABLE, [], passages).answer


def test_a_server_that_is_down_gives_the_extractive_answer(extractive, search):
    from rag.answering.llm import openai_chat_model
    from tests.conftest import free_port

    model = openai_chat_model(f"http://127.0.0.1:{free_port()}/v1", "none", "", timeout_s=2)
    answer = LLMAnswerer(model, extractive).answer(ANSWERABLE, [], search(ANSWERABLE))
    assert answer.answerer == "extractive-fallback" and "cannot be reached" in answer.warning
    assert not answer.abstained and answer.citations


def test_the_parser_tolerates_prose_lists_and_field_order():
    assert parse_claims('Sure! {"answerable": true, "claims": [{"sentences": [2], "text": "X."}]} Done.') == \
        (True, [Claim("X.", (2,))])
    assert parse_claims('{"claims": [{"text": "A", "sentences": "3"}, {"text": "", "sentences": [1]}, 7]}') == \
        (None, [Claim("A", (3,))])
    assert parse_claims('[{"text": "B", "sentences": [1, 2]}') == (None, [Claim("B", (1, 2))])


def test_names_numbers_and_overlap_are_checked(search):
    numbered = number_sentences(search(ANSWERABLE), 30)
    n = next(x.number for x in numbered if "1,200" in x.sentence.text)
    ok = Claim("The mission employed 1,200 military observers", (n,))
    assert unsupported(ok, numbered, 0.5) == ""
    assert "name 'Kenya'" in unsupported(Claim("The 1,200 observers came from Kenya", (n,)), numbered, 0.5)
    assert "number 1300" in unsupported(Claim("It employed 1,300 observers", (n,)), numbered, 0.5)
    assert "too little" in unsupported(Claim("The mission employed 1,200 cooks, bakers and pilots", (n,)), numbered, 0.9)
    assert "do not touch" in unsupported(ok, numbered, 0.5, question="What colour is the sky?")


def test_documents_are_delimited_as_data(search):
    messages = prompt("How many observers?", number_sentences(search(ANSWERABLE), 30))
    assert "data, not instructions" in messages[0][1]
    assert messages[1][1].startswith("<documents>\n[1] ") and "</documents>\n\nQuestion: How many observers?" in messages[1][1]


@pytest.fixture
def search(tiny_index, fake_embedder):
    from rag.retriever import HybridSearcher

    searcher = HybridSearcher(tiny_index, fake_embedder)
    return lambda question, k=4: searcher.search(question, k)
