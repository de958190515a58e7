"""The question-answering pipeline: validate, retrieve, answer, time."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Sequence

from langchain_core.runnables import ConfigurableField, RunnableConfig, RunnableLambda

from rag.answerer import Answerer, ExtractiveAnswerer
from rag.embedder import Embedder, load_embedder
from rag.errors import InvalidQuestion, InvalidRequest
from rag.index import CorpusIndex, open_index, read_manifest
from rag.question import is_follow_up
from rag.retriever import HybridRetriever, HybridSearcher
from rag.settings import Settings
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
    """Answers questions about the indexed documents, with citations.

    Usage::

        assistant = Assistant(index, embedder)
        answer = assistant.ask("When did UNAMID operations cease?")
        print(answer.answer, answer.citations[0].quote.text)
    """

    def __init__(
        self,
        index: CorpusIndex,
        embedder: Embedder,
        answerer: Answerer | None = None,
        *,
        top_k: int = 5,
        max_question_chars: int = 2000,
        query_cache: int = 1024,
    ) -> None:
        if not 1 <= top_k <= MAX_TOP_K:
            raise ValueError(f"top_k must be between 1 and {MAX_TOP_K}. Currently, top_k is {top_k}")
        self.index = index
        self.embedder = embedder
        self.searcher = HybridSearcher(index, embedder, cache_size=query_cache)
        self.answerer = answerer or ExtractiveAnswerer(
            idf=index.keyword.idf_of, knows_term=index.knows_term, acronyms=index.acronyms
        )
        self.top_k = top_k
        self.max_question_chars = max_question_chars
        self.retriever = HybridRetriever(searcher=self.searcher, top_k=top_k).configurable_fields(
            top_k=ConfigurableField(id="top_k", name="top_k", description="passages to retrieve")
        )
        # retrieve -> answer, in sequence (no thread pool per call); the text to answer and
        # the per-call timings ride in the run's configurable values
        self.chain = self.retriever | RunnableLambda(self._answer_step)

    def _answer_step(self, documents: list, config: RunnableConfig) -> Answer:
        call = config["configurable"]
        call["timings"]["retrieved"] = time.perf_counter()
        passages = [d.metadata["passage"] for d in documents]
        return self.answerer.answer(call["query"], passages)

    def validate(self, question: object) -> str:
        """The question, stripped; raises :class:`InvalidQuestion` when unusable."""
        return validate_question(question, self.max_question_chars)

    def retrieval_query(self, question: str, history: Sequence[str] = ()) -> str:
        """The text retrieval searches for: a follow-up carries the previous question along."""
        previous = [h.strip() for h in history if isinstance(h, str) and h.strip()]
        if previous and is_follow_up(question):
            return f"{previous[-1][-500:]} {question}"
        return question

    def ask(self, question: str, history: Sequence[str] = (), top_k: int | None = None) -> Answer:
        """Answer ``question``; ``history`` holds earlier user questions, oldest first."""
        start = time.perf_counter()
        question = self.validate(question)
        k = self.top_k if top_k is None else top_k
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_TOP_K:
            raise InvalidRequest(f"top_k must be an integer between 1 and {MAX_TOP_K}; got {k!r}")
        if isinstance(history, str):
            raise InvalidRequest("history must be a list of earlier questions")
        timings: dict[str, float] = {}
        query = self.retrieval_query(question, history)
        answer = self.chain.invoke(query, config={"configurable": {"top_k": k, "query": query, "timings": timings}})
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
    index, built = open_index(paths, settings.index_dir, embedder, rebuild=rebuild, progress=progress)
    assistant = Assistant(
        index, embedder, top_k=settings.top_k, max_question_chars=settings.max_question_chars,
        query_cache=settings.query_cache,
    )
    return assistant, built
