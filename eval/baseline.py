"""The tutorial recipe, measured on the same questions: 1000/200 character chunks,
all-MiniLM-L6-v2, FAISS, top 4."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Sequence

import faiss
from langchain_text_splitters import RecursiveCharacterTextSplitter

from eval.harness import percentile
from rag.embedder import Embedder
from rag.ingest import read_sources


class TutorialRecipe:
    """RecursiveCharacterTextSplitter(1000, 200) + the same embedder + FAISS top-4."""

    top_k = 4

    def __init__(self, paths: Sequence[Path], embedder: Embedder) -> None:
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        self.chunks: list[str] = []
        for source in read_sources(paths):
            self.chunks.extend(splitter.split_text(source.text))
        self.embedder = embedder
        self.index = faiss.IndexFlatIP(embedder.dimension)
        self.index.add(embedder.embed(self.chunks))
        self.latencies: list[float] = []

    def search(self, question: str, k: int) -> list[str]:
        """The ``k`` chunks nearest to the question."""
        start = time.perf_counter()
        _, rows = self.index.search(self.embedder.embed([question]), k)
        self.latencies.append((time.perf_counter() - start) * 1000)
        return [self.chunks[i] for i in rows[0] if i >= 0]

    @property
    def latency_p50_ms(self) -> float:
        return percentile(self.latencies, 0.5)

    @property
    def latency_p95_ms(self) -> float:
        return percentile(self.latencies, 0.95)
