"""A running server follows the index: when ``rag ingest`` switches the index folder to a
new generation, the server loads it and answers from it, without a restart. Questions
already in flight finish on the assistant they started with (they hold a reference)."""

from __future__ import annotations

import asyncio
import logging
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from rag.assistant import assistant_for
from rag.errors import RagError
from rag.index import generation_dir, load_index
from rag.settings import Settings

log = logging.getLogger("api")


async def use_index(app: FastAPI, settings: Settings) -> None:
    """Answer from the index folder's current generation from now on."""
    current = generation_dir(settings.index_dir)
    index = await run_in_threadpool(load_index, settings.index_dir)
    app.state.assistant = await run_in_threadpool(assistant_for, index, app.state.assistant.searcher.embedder, settings)
    app.state.generation = current
    log.warning("now answering from index generation %s (%d documents)", current.name if current else "?",
                len(index.documents))


async def follow_index(app: FastAPI, settings: Settings, interval_s: float) -> None:
    """Poll the index folder's current generation; swap ``app.state.assistant`` on a change."""
    app.state.generation = generation_dir(settings.index_dir)
    while True:
        await asyncio.sleep(interval_s)
        current = generation_dir(settings.index_dir)
        if current is None or current == app.state.generation:
            continue
        try:
            await use_index(app, settings)
        except RagError as exc:  # a generation being cleaned up, or damaged: keep answering from the old one
            log.warning("could not load the new index generation %s: %s", current.name, exc)
