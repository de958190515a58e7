"""The question-answering pipeline: validate, retrieve, answer, time."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Iterator, Sequence

from langchain_core.runnables import ConfigurableField, RunnableConfig, RunnableLambda

from rag.answering import Answerer
from rag.answering.extractive import ExtractiveAnswerer
from rag.answering.features import Vocabulary
from rag.conversation import search_query
from rag.embedder import Embedder, load_embedder
from rag.errors import InvalidQuestion, InvalidRequest
from rag.index import CorpusIndex, read_manifest
from rag.collection import open_index
from rag.retriever import HybridRetriever, HybridSearcher, Retriever, passages_of
from rag.settings import Settings
from rag.store import GenerationVectors, VectorStore, open_store
from rag.types import Answer

MAX_TOP_K = 50


def validate_question(question: object, max_chars: int) -> str:
    """The question, stripped; raises :class:`InvalidQuestion` with the reason when unusable."""
    if not isinstance(question, str):
        raise InvalidQuestion("the question must be a string")
    question = question.strip()
    if not question:
        raise InvalidQuestion("the question is empty")
    if len(question) > max_chars:
        raise InvalidQuestion(f"the question is {len(question)} characters long; the limit is {max_chars}")
    if "\x00" in question:
        raise InvalidQuestion("the question contains a NUL character")
    return question


class Assistant:
    """Answers questions about the indexed documents, with citations. It composes the
    seams it is handed: a :class:`Retriever` and an :class:`Answerer`.

    Usage::

        searcher = HybridSearcher(index, embedder)
        assistant = Assistant(index, searcher, default_answerer(index, embedder))
        answer = assistant.ask("When did UNAMID operations cease?")
        print(answer.answer, answer.citations[0].quote.text)
    """

    def __init__(
        self,
        index: CorpusIndex,
        retriever: Retriever,
        answerer: Answerer,
        *,
        top_k: int = 5,
        max_question_chars: int = 2000,
    ) -> None:
        if not 1 <= top_k <= MAX_TOP_K:
            raise ValueError(f"top_k must be between 1 and {MAX_TOP_K}. Currently, top_k is {top_k}")
        self.index = index
        self.searcher = retriever
        self.answerer = answerer
        self.top_k = top_k
        self.max_question_chars = max_question_chars
        self.retriever = HybridRetriever(searcher=retriever, top_k=top_k).configurable_fields(
            top_k=ConfigurableField(id="top_k", name="top_k", description="passages to retrieve")
        )
        # retrieve -> answer, in sequence (no thread pool per call); the conversation and
        # the per-call timings ride in the run's configurable values
        self.chain = self.retriever | RunnableLambda(self._answer_step)

    def _answer_step(self, documents: list, config: RunnableConfig) -> Answer:
        call = config["configurable"]
        call["timings"]["retrieved"] = time.perf_counter()
        return self.answerer.answer(call["question"], call["history"], passages_of(documents))

    def validate(self, question: object) -> str:
        """The question, stripped; raises :class:`InvalidQuestion` when unusable."""
        return validate_question(question, self.max_question_chars)

    def retrieval_query(self, question: str, history: Sequence[str] = ()) -> str:
        """The text retrieval searches for: a follow-up rewritten to stand on its own, with the earlier turn."""
        return search_query(question, self._history(history))

    @staticmethod
    def _history(history: Sequence[str]) -> list[str]:
        if isinstance(history, str):
            raise InvalidRequest("history must be a list of earlier questions")
        return [h.strip() for h in history if isinstance(h, str) and h.strip()]

    def _check_k(self, top_k: int | None) -> int:
        k = self.top_k if top_k is None else top_k
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_TOP_K:
            raise InvalidRequest(f"top_k must be an integer between 1 and {MAX_TOP_K}; got {k!r}")
        return k

    def ask(self, question: str, history: Sequence[str] = (), top_k: int | None = None) -> Answer:
        """Answer ``question``; ``history`` holds earlier user questions, oldest first."""
        start = time.perf_counter()
        question = self.validate(question)
        k = self._check_k(top_k)
        history = self._history(history)
        timings: dict[str, float] = {}
        query = self.retrieval_query(question, history)
        answer = self.chain.invoke(query, config={"configurable": {
            "top_k": k, "question": question, "history": history, "timings": timings}})
        end = time.perf_counter()
        retrieved = timings.get("retrieved", end)
        return dataclasses.replace(
            answer,
            question=question,
            timings_ms={
                "retrieve": (retrieved - start) * 1000,
                "answer": (end - retrieved) * 1000,
                "total": (end - start) * 1000,
            },
        )

    def stream(self, question: str, history: Sequence[str] = (), top_k: int | None = None) -> Iterator[str | Answer]:
        """The answer's text in pieces as the answerer makes them, then the finished :class:`Answer`."""
        start = time.perf_counter()
        question = self.validate(question)
        k = self._check_k(top_k)
        history = self._history(history)
        passages = self.searcher.search(search_query(question, history), k)
        retrieved = time.perf_counter()
        for item in self.answerer.stream(question, history, passages):
            if isinstance(item, Answer):
                end = time.perf_counter()
                item = dataclasses.replace(item, question=question, timings_ms={
                    "retrieve": (retrieved - start) * 1000, "answer": (end - retrieved) * 1000,
                    "total": (end - start) * 1000})
            yield item


def default_answerer(index: CorpusIndex, embedder: Embedder | None = None) -> ExtractiveAnswerer:
    """The extractive answerer over what ``index`` knows (term weights, acronyms), and with
    ``embedder`` how alike two phrases are (the fitted selector expects it)."""
    return ExtractiveAnswerer(Vocabulary.of(index, embedder))


def build_assistant(index: CorpusIndex, embedder: Embedder, *, top_k: int = 5, max_question_chars: int = 2000,
                    query_cache: int = 1024, answerer: Answerer | None = None,
                    store: VectorStore | None = None) -> Assistant:
    """The default composition: hybrid search over ``index`` (its window vectors in ``store``,
    by default the index's own FAISS vectors) and the extractive answerer."""
    searcher = HybridSearcher(index, embedder, cache_size=query_cache, store=store)
    return Assistant(index, searcher, answerer or default_answerer(index, embedder), top_k=top_k,
                     max_question_chars=max_question_chars)


def corpus_paths(settings: Settings) -> list[Path]:
    """What to answer from: ``RAG_CORPUS_DIR`` if set, else what was last ingested, else the corpus."""
    if "corpus_dir" not in settings.model_fields_set:
        inputs = (read_manifest(settings.index_dir) or {}).get("inputs")
        if inputs and all(Path(p).exists() for p in inputs):
            return [Path(p) for p in inputs]
    return [settings.corpus_dir]


def load_assistant(
    settings: Settings,
    *,
    progress: bool = False,
    rebuild: bool = False,
    paths: list[Path] | None = None,
    serving: bool = False,
) -> tuple[Assistant, bool]:
    """Build an assistant from settings, building or refreshing the index as needed.
    ``serving`` loads model replicas so concurrent requests embed in parallel."""
    if serving:
        embedder = load_embedder(settings.model, replicas=settings.serve_replicas, threads=settings.serve_threads)
    else:
        embedder = load_embedder(settings.model)
    paths = paths or corpus_paths(settings)
    index, built = open_index(paths, settings.index_dir, embedder, rebuild=rebuild, progress=progress,
                              max_bytes=settings.max_file_bytes, wait=serving, vectors=GenerationVectors(settings))
    return assistant_for(index, embedder, settings), built


def assistant_for(index: CorpusIndex, embedder: Embedder, settings: Settings) -> Assistant:
    """The assistant the settings ask for over ``index`` of ``RAG_INDEX_DIR`` (its vectors in
    ``RAG_STORE``; the LLM answerer when ``RAG_ANSWERER=llm``, over the extractive one as its fallback)."""
    answerer: Answerer = default_answerer(index, embedder)
    if settings.answerer == "llm":
        from rag.answering.llm import LLMAnswerer, openai_chat_model

        model = openai_chat_model(settings.llm_base_url, settings.llm_model, settings.llm_api_key.get_secret_value(),
                                  settings.llm_timeout_s)
        answerer = LLMAnswerer(model, answerer, min_support=settings.llm_min_support)
    return build_assistant(index, embedder, top_k=settings.top_k, max_question_chars=settings.max_question_chars,
                           query_cache=settings.query_cache, answerer=answerer,
                           store=open_store(settings, index, settings.index_dir))
