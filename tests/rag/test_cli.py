"""The ``rag`` command as a user runs it: a subprocess, real files, exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(args, env_extra, timeout=120):
    env = {**os.environ, **env_extra}
    return subprocess.run([sys.executable, "-m", "rag", *args], capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture
def env(corpus_dir, tmp_path):
    from tests.conftest import free_port

    return {"RAG_CORPUS_DIR": str(corpus_dir), "RAG_INDEX_DIR": str(tmp_path / "index"), "RAG_MODEL": "hash-64",
            "RAG_PORT": str(free_port())}  # no `rag serve` there: ask answers in its own process


def test_ingest_then_ask_json(env):
    out = run(["ingest"], env)
    assert out.returncode == 0, out.stderr
    assert "index built: 2 documents" in out.stdout
    again = run(["ingest"], env)
    assert "up to date" in again.stdout
    out = run(["ask", "How many military observers did the mission employ?", "--json", "--top-k", "3"], env)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["abstained"] is False and "1,200" in data["answer"]
    assert data["citations"][0]["source"].endswith("mission-alpha.txt")


def test_ask_prints_citations_in_text_mode(env):
    out = run(["ask", "When would MAOF operations cease?"], env)
    assert out.returncode == 0
    assert "[1] Mission Alpha: Closure Report" in out.stdout and "paragraph" in out.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["ask", ""], "the question is empty"),
        (["ask", "x" * 2500], "limit is 2000"),
        (["ingest", "/no/such/folder"], "no such file or directory"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(env, args, message):
    out = run(args, env)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_bad_top_k_and_bad_settings(env):
    out = run(["ask", "q", "--top-k", "0"], env)
    assert out.returncode == 2 and "between 1 and 50" in out.stderr and "Traceback" not in out.stderr
    out = run(["ask", "q"], {**env, "RAG_TOP_K": "many"})
    assert out.returncode == 2 and "invalid settings" in out.stderr


def test_interactive_session_keeps_history(env):
    env2 = {**os.environ, **env}
    proc = subprocess.run(
        [sys.executable, "-m", "rag", "ask"],
        input="What did the Security Council decide about the Mission Alpha Observation Force?\nWhen did its operations cease?\n\n",
        capture_output=True, text=True, env=env2, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("[1]") >= 2
    second = proc.stdout.split("\n? ")[1]  # the follow-up's answer, read with the first question
    assert "Mission Alpha" in second and "don't cover" not in second


def test_ingest_names_each_skipped_file_and_strict_fails(env, corpus_dir):
    (corpus_dir / "empty.txt").write_bytes(b"")
    (corpus_dir / "photo.txt").write_bytes(bytes(range(256)) * 64)
    out = run(["ingest"], env)
    assert out.returncode == 0, out.stderr
    lines = out.stderr.strip().splitlines()
    assert lines == ["rag: skipped corpus/empty.txt: the file is empty",
                     "rag: skipped corpus/photo.txt: binary content, not text"]
    assert "index built: 2 documents" in out.stdout
    strict = run(["ingest", "--strict"], env)
    assert strict.returncode == 1 and "2 file(s) skipped" in strict.stderr and "Traceback" not in strict.stderr


def test_a_folder_of_pdf_word_and_html_is_ingested_and_a_scan_skipped(env, corpus_dir):
    from eval.samples import docx_bytes, pdf_bytes

    (corpus_dir / "annex.pdf").write_bytes(pdf_bytes(["Cover page", "The Bunia depot holds 312 water units."],
                                                     title="Depot annex"))
    (corpus_dir / "memo.docx").write_bytes(docx_bytes("Fuel memo", [("Heading 1", "Fuel"),
                                                                    ("Normal", "The first fuel convoy left Goma on 3 May 2024.")]))
    (corpus_dir / "page.html").write_text("<html><head><title>Radio note</title></head><body><nav>Home | Menu</nav>"
                                          "<main><h1>Radio</h1><p>Radio Okapi broadcasts on 103.5 FM.</p></main></body></html>")
    (corpus_dir / "scan.pdf").write_bytes(pdf_bytes([], image_only=True))
    out = run(["ingest"], env)
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip().splitlines()[-1] == "rag: skipped corpus/scan.pdf: no extractable text; OCR is not supported"
    listing = {d["id"]: d for d in json.loads(run(["list", "--json"], env).stdout)}
    assert listing["annex"]["format"] == "pdf" and listing["annex"]["pages"] == 2 and listing["annex"]["title"] == "Depot annex"
    assert listing["memo"]["title"] == "Fuel memo" and listing["page"]["title"] == "Radio note"
    from rag.index import load_index

    index = load_index(Path(env["RAG_INDEX_DIR"]))
    for question, doc_id, page in [("How many water units does the Bunia depot hold?", "annex", 2),
                                   ("When did the first fuel convoy leave Goma?", "memo", 0),
                                   ("On which frequency does Radio Okapi broadcast?", "page", 0)]:
        answer = json.loads(run(["ask", "--json", question], env).stdout)
        assert answer["citations"], (question, answer["answer"])
        c = answer["citations"][0]
        assert (c["doc_id"], c["page"]) == (doc_id, page), question
        stored = index.document_text(doc_id)  # verbatim in the stored text
        assert stored[c["start"]:c["end"]] == c["text"] and stored[c["quote"]["start"]:c["quote"]["end"]] == c["quote"]["text"]
    assert "Home | Menu" not in index.document_text("page")  # navigation dropped


def test_add_list_remove(env, tmp_path):
    assert run(["ingest"], env).returncode == 0
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nThe Kivu desk opened in March 2023.\n")
    out = run(["add", str(note)], env)
    assert out.returncode == 0 and out.stdout.startswith("added: note (note.md, md"), out.stdout + out.stderr
    assert "unchanged: note.md is already in the index as note" in run(["add", str(note)], env).stdout
    assert "note" in run(["list"], env).stdout
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe" + "caf\xe9".encode("latin-1"))
    out = run(["add", str(bad)], env)
    assert out.returncode == 2 and out.stderr.strip() == "rag: error: bad.txt: not UTF-8 text (invalid byte at position 0)"
    assert run(["remove", "note"], env).stdout.strip() == "removed: note (note.md)"
    out = run(["remove", "note"], env)
    assert out.returncode == 2 and "no document with id 'note'" in out.stderr and "Traceback" not in out.stderr
    assert "note" not in run(["list"], env).stdout


def test_rag_eval_offers_every_evaluation_corpus():
    from eval.questions import CORPORA
    from rag.cli import _EVAL_CORPORA

    assert _EVAL_CORPORA == tuple(c.name for c in CORPORA)
