"""Admission control: a bounded number in flight, a short queue, then a fast 503."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.exceptions import HTTPException
from starlette.testclient import TestClient

from api.admission import Admission
from api.app import create_app
from rag.settings import Settings


async def test_past_the_queue_a_request_is_refused_at_once():
    admission = Admission(in_flight=1, queue=1, wait_s=5)
    release = asyncio.Event()

    async def hold():
        async with admission.slot():
            await release.wait()

    running = asyncio.create_task(hold())
    await asyncio.sleep(0.02)
    waiting = asyncio.create_task(hold())
    await asyncio.sleep(0.02)
    start = time.perf_counter()
    with pytest.raises(HTTPException) as refused:
        async with admission.slot():
            pass
    assert time.perf_counter() - start < 0.05
    assert refused.value.status_code == 503 and refused.value.headers["Retry-After"] == "5"
    release.set()
    await asyncio.gather(running, waiting)  # the queued one was admitted once the first finished
    assert admission.refused == 1


async def test_a_waiter_gives_up_after_the_longest_wait():
    admission = Admission(in_flight=1, queue=5, wait_s=0.1)
    async with admission.slot():
        with pytest.raises(HTTPException, match="no slot within 0.1 s"):
            async with admission.slot():
                pass
    async with admission.slot():  # the slot is free again
        pass


def test_the_api_answers_503_problem_json_with_retry_after(tiny_assistant, tmp_path):
    gate = threading.Event()
    real_ask = tiny_assistant.ask

    def slow_ask(*args, **kwargs):
        gate.wait(10)
        return real_ask(*args, **kwargs)

    tiny_assistant.ask = slow_ask
    settings = Settings(max_in_flight=1, max_queue=0, data_dir=tmp_path, index_dir=tmp_path / "index")
    with TestClient(create_app(settings, tiny_assistant)) as client, ThreadPoolExecutor(1) as pool:
        first = pool.submit(client.post, "/ask", json={"question": "How many observers?"})
        deadline = time.monotonic() + 5
        while client.app.state.admission._slots.locked() is False and time.monotonic() < deadline:
            time.sleep(0.01)
        second = client.post("/ask", json={"question": "When did it close?"})
        gate.set()
        assert first.result(timeout=10).status_code == 200
    assert second.status_code == 503 and second.headers["retry-after"] == "1"
    assert second.headers["content-type"].startswith("application/problem+json")
    assert "capacity" in second.json()["detail"]
