"""Fault injection: every probe of the reliability review as a test (`make faults` runs
them alone). Real processes, real files, real HTTP on loopback; the fake embedder keeps
them quick, the faults are real (kill -9, stalled sockets, failed writes)."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from rag.embedder import HashEmbedder
from rag.errors import IndexError_
from rag.index import generation_dir, load_index, read_manifest, writer_lock
from rag.collection import open_index
from tests.conftest import FIXTURE_CORPUS, REAL_CORPUS, free_port, start_server, stop
from tests.faults.helpers import kill_ingest_after, rag

pytestmark = [pytest.mark.faults, pytest.mark.slow]
KEY = "fault-key"


@pytest.fixture
def env(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    return {"RAG_CORPUS_DIR": str(corpus), "RAG_INDEX_DIR": str(tmp_path / "index"), "RAG_MODEL": "hash-64",
            "RAG_DATA_DIR": str(tmp_path / "data"), "RAG_PORT": str(free_port())}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A keyed server whose folder also holds an empty file and a binary one."""
    tmp = tmp_path_factory.mktemp("faults")
    corpus = tmp / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "scan.txt").write_bytes(os.urandom(16_384))
    log = tmp / "server.log"
    proc, base = start_server({"RAG_CORPUS_DIR": str(corpus), "RAG_INDEX_DIR": str(tmp / "index"),
                               "RAG_MODEL": "hash-64", "RAG_API_KEYS": KEY, "RAG_DATA_DIR": str(tmp / "data")}, log)
    yield base, log
    stop(proc)


# --- the access policy on a running server ------------------------------------------


@pytest.mark.parametrize("path", ["/ui/", "/ui/config", "/ui/gradio_api/info", "/documents", "/v1/models", "/docs"])
def test_the_running_server_refuses_strangers_everywhere(server, path):
    base, _ = server
    r = httpx.get(base + path, headers={"accept": "application/json"})
    assert r.status_code == 401, (path, r.status_code)
    page = httpx.get(base + path, headers={"accept": "text/html"})
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
    assert httpx.get(base + path, headers={"x-api-key": KEY}).status_code == 200


def test_keys_never_reach_the_log(server):
    base, log = server
    httpx.post(base + "/login", data={"key": KEY, "next": "/ui/"})
    httpx.post(base + "/ask", json={"question": "q?"}, headers={"authorization": "Bearer wrong-" + KEY})
    assert KEY not in log.read_text()


# --- bad files ----------------------------------------------------------------------


def test_skipped_files_are_listed_by_the_api(server):
    base, _ = server
    listing = httpx.get(base + "/documents", headers={"x-api-key": KEY}).json()
    reasons = {s["source"]: s["reason"] for s in listing["skipped"]}
    assert reasons == {"corpus/empty.txt": "the file is empty", "corpus/scan.txt": "binary content, not text"}
    assert {d["doc_id"] for d in listing["documents"]} == {"mission-alpha", "forum-beta"}


# --- the index survives crashes, damage, full disks and a second writer --------------


def test_kill_9_of_ingest_at_any_moment_leaves_an_index_that_answers(env, tmp_path):
    assert rag(["ingest"], env).returncode == 0
    first = read_manifest(Path(env["RAG_INDEX_DIR"]))
    bigger = {**env, "RAG_CORPUS_DIR": str(REAL_CORPUS)}
    outcomes = set()
    for delay in [*np.linspace(0.3, 1.6, 10), 8.0]:  # the last one lets the ingest finish
        kill_ingest_after(delay, bigger)
        manifest = read_manifest(Path(env["RAG_INDEX_DIR"]))
        assert manifest is not None and manifest["documents"] in (first["documents"], 5)
        load_index(Path(env["RAG_INDEX_DIR"]))  # whole and loadable, old or new
        outcomes.add(manifest["documents"])
    assert 5 in outcomes
    answer = rag(["ask", "How many military observers did the mission employ?", "--json"], env)
    assert answer.returncode == 0, answer.stderr
    assert len(list(Path(env["RAG_INDEX_DIR"]).glob("gen-*"))) <= 3


def test_a_damaged_index_file_is_one_line_not_a_traceback(env):
    assert rag(["ingest"], env).returncode == 0
    generation = generation_dir(Path(env["RAG_INDEX_DIR"]))
    largest = max(generation.iterdir(), key=lambda p: p.stat().st_size)
    largest.write_bytes(largest.read_bytes()[: largest.stat().st_size // 3])
    out = rag(["ask", "How many observers?"], {**env, "RAG_CORPUS_DIR": env["RAG_CORPUS_DIR"]})
    assert "Traceback" not in out.stderr
    assert out.returncode == 0 or ("damaged" in out.stderr and len(out.stderr.strip().splitlines()) == 1)


def test_a_full_disk_while_writing_changes_nothing(corpus_dir, tmp_path, monkeypatch):
    directory = tmp_path / "index"
    open_index([corpus_dir], directory, HashEmbedder(64))
    before = read_manifest(directory)
    (corpus_dir / "new.txt").write_text("The Gamma mission closed in 2022.\n", encoding="utf-8")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "save", full)
    with pytest.raises(IndexError_, match="No space left on device.*previous index is unchanged"):
        open_index([corpus_dir], directory, HashEmbedder(64))
    assert read_manifest(directory) == before
    assert load_index(directory).manifest["documents"] == 2
    assert not list(directory.glob(".gen-*")) and len(list(directory.glob("gen-*"))) == 1


def test_a_second_ingest_while_one_runs_is_told_so(env):
    directory = Path(env["RAG_INDEX_DIR"])
    with writer_lock(directory):
        out = rag(["ingest", "--rebuild"], env)
    assert out.returncode == 2
    assert "already running on this index" in out.stderr and str(os.getpid()) in out.stderr
    assert "Traceback" not in out.stderr
    assert rag(["ingest"], env).returncode == 0  # and goes through once the first is done


# --- the server under abuse ---------------------------------------------------------


def test_stalled_connections_do_not_block_questions(server):
    base, _ = server
    host, port = base.removeprefix("http://").split(":")
    stalled = []
    for _ in range(300):
        s = socket.create_connection((host, int(port)))
        s.sendall(b"POST /ask HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n")  # and never the rest
        stalled.append(s)
    try:
        start = time.perf_counter()
        r = httpx.post(base + "/ask", json={"question": "How many observers?"}, headers={"x-api-key": KEY}, timeout=10)
        assert r.status_code == 200 and time.perf_counter() - start < 2
    finally:
        for s in stalled:
            s.close()


def test_kill_9_of_the_server_during_a_question_then_restart_answers(env, tmp_path):
    proc, base = start_server(env, tmp_path / "first.log")
    result = {}
    asking = threading.Thread(target=lambda: result.update(r=_try_post(base)))
    asking.start()
    time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    asking.join(15)
    assert not asking.is_alive()
    proc, base = start_server(env, tmp_path / "second.log")
    try:
        r = httpx.post(base + "/ask", json={"question": "How many military observers did the mission employ?"})
        assert r.status_code == 200 and "1,200" in r.json()["answer"]
    finally:
        stop(proc)


def _try_post(base: str):
    try:
        return httpx.post(base + "/ask", json={"question": "How many observers?"}, timeout=10).status_code
    except httpx.HTTPError as exc:
        return type(exc).__name__


def test_a_running_server_answers_from_each_new_ingest(env, tmp_path):
    """Save a file into the folder, run `rag ingest`: the server answers from it, no restart."""
    proc, base = start_server({**env, "RAG_RELOAD_INTERVAL_S": "0.5"}, tmp_path / "follow.log")
    question = {"question": "When did the Gamma mission close?"}
    try:
        assert httpx.get(base + "/healthz").json()["documents"] == 2
        before = httpx.post(base + "/ask", json=question).json()
        assert "2022" not in before["answer"]
        Path(env["RAG_CORPUS_DIR"], "gamma.txt").write_text(
            "Gamma Report\n\nThe Gamma mission closed on 3 March 2022 after six years.\n", encoding="utf-8")
        out = rag(["ingest"], env)
        assert out.returncode == 0, out.stderr
        deadline = time.monotonic() + 15
        while httpx.get(base + "/healthz").json()["documents"] != 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        after = httpx.post(base + "/ask", json=question).json()
        assert "3 March 2022" in after["answer"] and after["citations"][0]["doc_id"] == "gamma"
        assert httpx.get(base + "/documents/gamma").status_code == 200
    finally:
        stop(proc)


# --- users' own documents: rag add under kill -9 and beside a second writer --------------


def _pdf(path: Path, pages: int, fact: str) -> Path:
    from eval.samples import pdf_bytes

    filler = "Logistics annex. Fuel, rations and spare parts were counted at each depot every month. " * 12
    path.write_bytes(pdf_bytes([fact if i == pages // 2 else filler for i in range(pages)], title=path.stem))
    return path


def test_kill_9_of_rag_add_at_any_moment_leaves_the_last_good_generation(env, tmp_path):
    assert rag(["ingest"], env).returncode == 0
    directory = Path(env["RAG_INDEX_DIR"])
    before = set(load_index(directory).documents)
    pdf = _pdf(tmp_path / "depot.pdf", 40, "The Bunia depot holds 312 water purification units.")
    outcomes = set()
    for delay in [*np.linspace(0.5, 3.0, 8), 30.0]:  # the last one lets it finish
        proc = subprocess.Popen([sys.executable, "-m", "rag", "add", str(pdf)], env={**os.environ, **env},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        documents = set(load_index(directory).documents)  # whole and loadable: the old set or the new one
        assert documents in (before, before | {"depot"})
        outcomes.add(frozenset(documents))
    assert frozenset(before | {"depot"}) in outcomes
    answer = rag(["ask", "--local", "--json", "how many water purification units does the Bunia depot hold?"], env)
    assert answer.returncode == 0 and "312" in answer.stdout
    assert not list(directory.glob(".gen-*")) or all(p.name.endswith(".partial") for p in directory.glob(".gen-*"))
    assert len(list(directory.glob("gen-*"))) <= 3


def test_two_writers_at_once(env, tmp_path):
    assert rag(["ingest"], env).returncode == 0
    directory = Path(env["RAG_INDEX_DIR"])
    files = [_pdf(tmp_path / f"annex-{i}.pdf", 30, f"Annex {i} lists {100 + i} generators.") for i in (1, 2)]
    procs = [subprocess.Popen([sys.executable, "-m", "rag", "add", str(f)], env={**os.environ, **env},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for f in files]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]
    for code, out, err in results:
        assert "Traceback" not in err
        assert (code == 0 and "added:" in out) or (code == 2 and "already running" in err), (code, out, err)
    documents = set(load_index(directory).documents)
    added = {f"annex-{i}" for (code, _, _), i in zip(results, (1, 2)) if code == 0}
    assert added and added <= documents  # nothing a writer reported as added was lost
    with writer_lock(directory):  # and a writer that finds the lock taken says so at once
        out = rag(["remove", "mission-alpha"], env)
    assert out.returncode == 2 and "already running" in out.stderr
    assert "mission-alpha" in load_index(directory).documents
