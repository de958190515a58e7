"""The HTTP API against a live server on loopback."""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from rag.settings import PROJECT_ROOT

pytestmark = pytest.mark.integration
PROBLEM = "application/problem+json"


def test_health(live):
    r = httpx.get(live + "/healthz")
    assert r.status_code == 200 and r.json()["documents"] == 5


def test_ask_returns_the_cli_json(live, real_assistant):
    q = "When did UNAMID operations cease?"
    r = httpx.post(live + "/ask", json={"question": q})
    assert r.status_code == 200
    body = r.json()
    expected = real_assistant.ask(q).to_dict()
    assert set(body) == set(expected)
    assert body["answer"] == expected["answer"] and "31 December 2020" in body["answer"]
    c = body["citations"][0]
    text = (PROJECT_ROOT / c["source"]).read_text(encoding="utf-8")
    assert text[c["start"]:c["end"]] == c["text"] and text[c["quote"]["start"]:c["quote"]["end"]] == c["quote"]["text"]


def test_history_turns_are_used(live):
    follow_up = "which country is behind it?"  # "it" only means something after the first question
    r = httpx.post(live + "/ask", json={"question": follow_up,
                                        "history": [{"role": "user", "content": "What is the Elsie Initiative?"}]})
    assert "Canada" in r.json()["answer"]
    alone = httpx.post(live + "/ask", json={"question": follow_up}).json()
    assert "Canada" not in alone["answer"]


@pytest.mark.parametrize(
    "payload, status, fragment",
    [
        ({"question": ""}, 422, "question"),
        ({"question": "   "}, 422, "empty"),
        ({"question": "x" * 2001}, 422, "limit is 2000"),
        ({"question": 42}, 422, "question"),
        ({"question": "ok?", "top_k": 0}, 422, "top_k"),
        ({"question": "ok?", "top_k": "many"}, 422, "top_k"),
        ({"question": "ok?", "surprise": 1}, 422, "surprise"),
        ({}, 422, "question"),
    ],
)
def test_bad_requests_get_problem_json(live, payload, status, fragment):
    r = httpx.post(live + "/ask", json=payload)
    assert r.status_code == status
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["type"].startswith("https://") and body["status"] == status
    assert fragment in json.dumps(body)
    assert "Traceback" not in r.text


def test_malformed_json_oversized_body_and_unknown_documents(live):
    r = httpx.post(live + "/ask", content=b'{"question": ', headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM)
    r = httpx.post(live + "/ask", content=b'{"question": "' + b"x" * 70_000 + b'"}', headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["type"].endswith("payload-too-large")
    r = httpx.get(live + "/documents/no-such-doc")
    assert r.status_code == 404 and r.json()["type"].endswith("not-found")
    r = httpx.get(live + "/documents/ipi-2019-a4p-one-year/paragraphs/100000")
    assert r.status_code == 404


def test_documents_and_paragraphs(live):
    listing = httpx.get(live + "/documents").json()
    docs = listing["documents"]
    assert listing["skipped"] == []
    assert all(not d["source"].startswith("/") for d in docs)
    assert {d["doc_id"] for d in docs} >= {"ipi-2019-a4p-one-year", "unsc-2021-working-group-report-2020"}
    doc = next(d for d in docs if d["doc_id"] == "unsc-2021-working-group-report-2020")
    assert doc["publisher"] == "United Nations Security Council" and doc["paragraphs"] > 10
    detail = httpx.get(live + f"/documents/{doc['doc_id']}").json()
    assert len(detail["paragraph_list"]) == doc["paragraphs"]
    p = httpx.get(live + f"/documents/{doc['doc_id']}/paragraphs/5").json()
    text = (PROJECT_ROOT / doc["source"]).read_text(encoding="utf-8")
    assert text[p["start"]:p["end"]] == p["text"] and p["previous"] == 4 and p["next"] == 6


def test_stream_sends_answer_then_citations_then_done(live):
    q = "How many member states signed the A4P declaration?"
    with httpx.stream("POST", live + "/ask/stream", json={"question": q}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [line[7:] for line in r.iter_lines() if line.startswith("event: ")]
    assert events[0] == "answer" and events[-2:] == ["citations", "done"]
    with httpx.stream("POST", live + "/ask/stream", json={"question": q}) as r:
        datas = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: ")]
    text = "".join(d["delta"] for d in datas if "delta" in d)
    assert text == httpx.post(live + "/ask", json={"question": q}).json()["answer"]


def test_openai_client_unchanged(live):
    from openai import OpenAI

    client = OpenAI(base_url=live + "/v1", api_key="not-needed")
    resp = client.chat.completions.create(
        model="peaceops-extractive",
        messages=[{"role": "system", "content": "Answer from the documents."},
                  {"role": "user", "content": "When did UNAMID operations cease?"}],
    )
    content = resp.choices[0].message.content
    assert "31 December 2020" in content and "[1]" in content
    citations = resp.model_extra["citations"]
    assert citations[0]["doc_id"] == "unsc-2021-working-group-report-2020"
    stream = client.chat.completions.create(
        model="peaceops-extractive", stream=True,
        messages=[{"role": "user", "content": "What is the Elsie Initiative?"},
                  {"role": "assistant", "content": "..."},
                  {"role": "user", "content": "which country is behind it?"}],
    )
    parts, extra = [], {}
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
        extra.update(chunk.model_extra or {})
    assert "Canada" in "".join(parts)  # the earlier user message resolves "it"
    assert extra["citations"]
    assert [m.id for m in client.models.list()] == ["peaceops-extractive"]


def test_chat_needs_a_final_user_message(live):
    r = httpx.post(live + "/v1/chat/completions", json={"messages": [{"role": "assistant", "content": "hi"}]})
    assert r.status_code == 422 and "last message" in r.json()["detail"]


def test_concurrent_clients_each_get_their_own_answer(live):
    questions = [
        "When did UNAMID operations cease?",
        "How many member states signed the A4P declaration?",
        "Who chaired the Security Council Working Group on Peacekeeping Operations in 2020?",
        "When was the Comprehensive Performance Assessment System launched?",
    ] * 8
    expected = {q: httpx.post(live + "/ask", json={"question": q}).json()["answer"] for q in set(questions)}

    refusals = []

    def ask(q):  # a polite client: at capacity the server says 503 and when to come back
        for _ in range(30):
            r = httpx.post(live + "/ask", json={"question": q}, timeout=60)
            if r.status_code != 503:
                return q, r.json()
            refusals.append(r)
            time.sleep(min(float(r.headers["retry-after"]), 0.5))
        raise AssertionError("never admitted")

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(ask, questions))
    for q, body in results:
        assert body["question"] == q and body["answer"] == expected[q]
    assert refusals, "32 clients at once exceed in-flight plus queue: some are told to retry"
    assert all(r.headers["content-type"].startswith(PROBLEM) for r in refusals)


def test_api_keys_and_cors(keyed):
    q = {"question": "How many military observers did the mission employ?"}
    r = httpx.post(keyed + "/ask", json=q)
    assert r.status_code == 401 and r.json()["type"].endswith("unauthorized")
    assert httpx.post(keyed + "/ask", json=q, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert httpx.post(keyed + "/ask", json=q, headers={"Authorization": "Bearer key-two"}).status_code == 200
    assert httpx.post(keyed + "/ask", json=q, headers={"X-API-Key": "key-one"}).status_code == 200
    assert httpx.get(keyed + "/healthz").status_code == 200
    pre = httpx.options(keyed + "/ask", headers={"Origin": "https://intranet.example", "Access-Control-Request-Method": "POST"})
    assert pre.headers.get("access-control-allow-origin") == "https://intranet.example"
    other = httpx.options(keyed + "/ask", headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in other.headers


def test_openapi_describes_every_route(live):
    spec = httpx.get(live + "/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/healthz", "/ask", "/ask/stream", "/v1/chat/completions", "/documents",
            "/documents/{doc_id}", "/documents/{doc_id}/paragraphs/{n}"} <= paths


@pytest.mark.slow
def test_schemathesis_finds_no_server_errors(live):
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("schemathesis")
    out = subprocess.run(
        [str(exe), "run", live + "/openapi.json", "--checks", "not_a_server_error", "--max-examples", "15",
         "--max-time", "120", "--request-timeout", "30", "--workers", "1",
         "--exclude-tag", "collection"],  # uploads and deletes change the shared server's index: tests/api/test_documents.py
        capture_output=True, text=True, timeout=400,
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]


def test_rag_ask_uses_a_running_server(keyed, tmp_path):
    """`rag ask` asks the server on RAG_HOST:RAG_PORT instead of loading a model; here the
    local settings point at nothing, so only the server can answer."""
    import subprocess
    import sys

    port = keyed.rsplit(":", 1)[1]
    env = {**os.environ, "RAG_PORT": port, "RAG_API_KEYS": "key-two", "RAG_INDEX_DIR": str(tmp_path / "none"),
           "RAG_CORPUS_DIR": str(tmp_path / "none")}
    out = subprocess.run([sys.executable, "-m", "rag", "ask", "How many military observers did the mission employ?",
                          "--json"], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "1,200" in json.loads(out.stdout)["answer"]
    local = subprocess.run([sys.executable, "-m", "rag", "ask", "How many observers?", "--local"],
                           capture_output=True, text=True, env=env, timeout=60)
    assert local.returncode == 2 and "no such file or directory" in local.stderr
