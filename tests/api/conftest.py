"""Live servers on free loopback ports, started as a user would: ``rag serve``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import FIXTURE_CORPUS, REAL_CORPUS


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
def live(real_index_dir, tmp_path_factory):
    """The real product: real model, real index, real HTTP."""
    log = tmp_path_factory.mktemp("logs") / "live.log"
    proc, base = start_server(
        {"RAG_CORPUS_DIR": str(REAL_CORPUS), "RAG_INDEX_DIR": str(real_index_dir),
         "RAG_DATA_DIR": str(tmp_path_factory.mktemp("data"))}, log)
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
