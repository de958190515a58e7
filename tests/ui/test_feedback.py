"""The feedback store is bounded and loses nothing under concurrent writers."""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ThreadPoolExecutor

from ui.feedback import MAX_CITATIONS, MAX_TEXT, FeedbackStore


def test_every_field_is_bounded(tmp_path):
    store = FeedbackStore(tmp_path)
    huge = {"marker": 1, "doc_id": "d" * 10_000, "paragraph": 3, "text": "x" * 100_000, "extra": "y" * 100_000}
    record = store.save(rating="down", question="q" * 100_000, answer="a" * 100_000, citations=[huge] * 500)
    assert len(record["question"]) == MAX_TEXT and len(record["answer"]) == MAX_TEXT
    assert len(record["citations"]) == MAX_CITATIONS
    assert set(record["citations"][0]) == {"marker", "doc_id", "paragraph"} and len(record["citations"][0]["doc_id"]) == 200
    assert store.path.stat().st_size < 2 * MAX_TEXT + MAX_CITATIONS * 300 + 500


def test_the_file_rotates_at_its_cap_and_keeps_three(tmp_path):
    store = FeedbackStore(tmp_path, max_bytes=2_000, keep=3)
    for i in range(200):
        store.save(rating="up", question=f"question {i} " + "z" * 80, answer="a", citations=[])
    files = sorted(p.name for p in tmp_path.glob("feedback.jsonl*"))
    assert files == ["feedback.jsonl", "feedback.jsonl.1", "feedback.jsonl.2", "feedback.jsonl.3"]
    assert all(p.stat().st_size <= 2_000 for p in tmp_path.glob("feedback.jsonl*"))
    assert store.read()[-1]["question"].startswith("question 199 ")  # the newest is in the current file


def _post_many(directory: str, worker: int, count: int) -> None:
    store = FeedbackStore(directory)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: store.save(rating="up", question=f"w{worker}-{i} " + "é" * 300, answer="a" * 500,
                                          citations=[{"marker": 1, "doc_id": "d", "paragraph": i}]), range(count)))


def test_a_thousand_concurrent_posts_lose_none_and_corrupt_no_line(tmp_path):
    processes = [multiprocessing.get_context("spawn").Process(target=_post_many, args=(str(tmp_path), w, 250))
                 for w in range(4)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=120)
        assert p.exitcode == 0
    lines = (tmp_path / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]  # every line parses
    assert len(records) == 1000
    assert {r["question"].split()[0] for r in records} == {f"w{w}-{i}" for w in range(4) for i in range(250)}
