"""The FastAPI application: a thin HTTP edge over :class:`rag.assistant.Assistant`."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from contextlib import asynccontextmanager
from pathlib import PurePath
from typing import AsyncIterator

from fastapi import Depends, FastAPI, File, Path, Request, UploadFile
from fastapi.concurrency import iterate_in_threadpool, run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import PlainTextResponse, StreamingResponse

from api import errors
from api.admission import Admission
from api.reload import follow_index as follow, use_index
from api.security import KeyPolicy, RequireKey
from api.schemas import (
    AskRequest,
    AskResponse,
    Changed,
    ChatChoice,
    ChatChoiceMessage,
    ChatRequest,
    ChatResponse,
    DocumentDetail,
    DocumentList,
    Health,
    ModelCard,
    ModelList,
    ParagraphOut,
    Problem,
    Usage,
)
from rag.assistant import Assistant, load_assistant
from rag.collection import Upload, change
from rag.store import GenerationVectors
from rag.errors import DocumentNotFound, InvalidRequest
from rag.formats import SUPPORTED
from rag.settings import Settings
from rag.types import Answer, Paragraph

MODEL_ID = "peaceops-extractive"
PROBLEMS = {
    401: {"model": Problem, "description": "missing or wrong API key"},
    503: {"model": Problem, "description": "at capacity: retry after the seconds in Retry-After"},
    413: {"model": Problem, "description": "request body too large"},
    422: {"model": Problem, "description": "invalid request"},
}


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, declared or streamed."""

    def __init__(self, app, limit: int, uploads: int = 0) -> None:
        self.app, self.limit, self.uploads = app, limit, max(uploads, limit)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.uploads if scope["method"] == "POST" and scope["path"] == "/documents" else self.limit
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await self._refuse(scope, receive, send, limit)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge()
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope, receive, send, limit: int):
        response = errors.problem(413, "payload-too-large", "Payload too large", f"the limit is {limit} bytes")
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


def _paragraph_out(p: Paragraph, count: int) -> ParagraphOut:
    return ParagraphOut(
        doc_id=p.doc_id, number=p.number, kind=p.kind, section=p.section, start=p.start, end=p.end,
        text=p.text, clean=p.clean, page=p.page,
        previous=p.number - 1 if p.number > 1 else None,
        next=p.number + 1 if p.number < count else None,
    )


def _sse(event: str, data) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def create_app(settings: Settings, assistant: Assistant | None = None, *, follow_index: bool = False) -> FastAPI:
    """The API; loads (or builds) the index at start-up unless an assistant is given. With
    ``follow_index`` it answers from each new index generation ``rag ingest`` writes."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "assistant", None) is None:
            app.state.assistant, _ = await run_in_threadpool(lambda: load_assistant(settings, serving=True))
        watcher = asyncio.create_task(follow(app, settings, settings.reload_interval_s)) \
            if follow_index and settings.reload_interval_s > 0 else None
        yield
        if watcher is not None:
            watcher.cancel()

    app = FastAPI(
        title="Peace-operations assistant API",
        version="1.0",
        description="Cited answers from UN peace-operations policy documents. Errors are RFC 9457 problem+json.",
        lifespan=lifespan,
    )
    app.state.assistant = assistant
    errors.install(app)
    app.add_middleware(RequireKey, policy=KeyPolicy(settings.api_key_set))  # every route, mounted apps included
    if settings.cors_origin_list:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origin_list, allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key"],
        )
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, uploads=settings.max_file_bytes + 1024 * 1024)
    def the_assistant(request: Request) -> Assistant:
        return request.app.state.assistant


    admission = Admission(settings.max_in_flight or os.cpu_count() or 2, settings.max_queue, settings.queue_wait_s)
    app.state.admission = admission

    async def _admitted(assistant: Assistant, question: str, history: list[str], top_k: int | None) -> Answer:
        """Answer in a worker thread once admitted; 503 with Retry-After when at capacity."""
        async with admission.slot():
            return await run_in_threadpool(lambda: assistant.ask(question, history=history, top_k=top_k))

    async def _admitted_stream(assistant: Assistant, question: str, history: list[str],
                               top_k: int | None) -> AsyncIterator[str | Answer]:
        """The answer's pieces as the answerer makes them, then the Answer. Admission (503)
        and a bad question (422) are decided before the first byte is sent; the slot is
        held until the stream ends."""
        slot = admission.slot()
        await slot.__aenter__()
        items = assistant.stream(question, history=history, top_k=top_k)
        try:
            first = await run_in_threadpool(next, items)
        except BaseException:
            await slot.__aexit__(None, None, None)
            raise

        async def rest() -> AsyncIterator[str | Answer]:
            try:
                yield first
                async for item in iterate_in_threadpool(items):
                    yield item
            finally:
                await slot.__aexit__(None, None, None)

        return rest()

    @app.get("/healthz", response_model=Health, tags=["service"])
    def healthz(assistant: Assistant = Depends(the_assistant)) -> Health:
        """200 once the service can answer questions."""
        index = assistant.index
        return Health(status="ok", documents=len(index.documents), paragraphs=len(index.paragraphs),
                      model=index.manifest["model"])

    @app.post("/ask", response_model=AskResponse, responses=PROBLEMS, tags=["answers"])
    async def ask(body: AskRequest, assistant: Assistant = Depends(the_assistant)) -> dict:
        """Answer a question with citations to the exact source paragraphs (same JSON as `rag ask --json`)."""
        return (await _admitted(assistant, body.question, body.previous_questions(), body.top_k)).to_dict()

    @app.post(
        "/ask/stream", responses={**PROBLEMS, 200: {"content": {"text/event-stream": {}}, "description": "SSE: answer, citations, done"}},
        tags=["answers"],
    )
    async def ask_stream(body: AskRequest, assistant: Assistant = Depends(the_assistant)) -> StreamingResponse:
        """Server-sent events: `answer` events carrying text deltas as they are made (with the LLM
        answerer, each claim once verified), then `citations`, then `done`."""
        items = await _admitted_stream(assistant, body.question, body.previous_questions(), body.top_k)

        async def events() -> AsyncIterator[str]:
            async for item in items:
                if isinstance(item, str):
                    yield _sse("answer", {"delta": item})
                    continue
                data = item.to_dict()
                yield _sse("citations", {"citations": data["citations"], "abstained": item.abstained,
                                         "conflict": item.conflict, "answerer": item.answerer,
                                         "warning": item.warning, "claims_dropped": item.claims_dropped})
                yield _sse("done", {"timings_ms": data["timings_ms"]})

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    @app.get("/v1/models", response_model=ModelList, tags=["openai"])
    def models() -> ModelList:
        """The one model this service offers (OpenAI-compatible listing)."""
        return ModelList(data=[ModelCard(id=MODEL_ID, created=0, owned_by="peaceops-rag")])

    @app.post("/v1/chat/completions", response_model=ChatResponse, responses=PROBLEMS, tags=["openai"])
    async def chat(body: ChatRequest, assistant: Assistant = Depends(the_assistant)):
        """OpenAI-compatible chat: the last user message is the question, earlier user messages are history.
        The answer with its [n] markers is in `choices[0].message.content`; sources are in `citations`."""
        users = [m for m in body.messages if m.role == "user"]
        if not users or body.messages[-1].role != "user":
            raise InvalidRequest("the last message must come from the user")
        question = users[-1].text()
        history = [m.text() for m in users[:-1]]
        ident, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        prompt_tokens = sum(len(m.text().split()) for m in body.messages)
        if not body.stream:
            answer = await _admitted(assistant, question, history, body.top_k)
            data = answer.to_dict()
            completion_tokens = len(answer.answer.split())
            return ChatResponse(
                id=ident, created=created, model=MODEL_ID,
                choices=[ChatChoice(message=ChatChoiceMessage(content=answer.answer))],
                usage=Usage(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                            total_tokens=prompt_tokens + completion_tokens),
                citations=data["citations"], abstained=answer.abstained, conflict=answer.conflict,
                answerer=answer.answerer, warning=answer.warning,
            )

        def chunk(delta: dict, finish: str | None = None, **extra) -> str:
            body_ = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
                     "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
            return f"data: {json.dumps(body_, ensure_ascii=False)}\n\n"

        items = await _admitted_stream(assistant, question, history, body.top_k)

        async def stream() -> AsyncIterator[str]:
            yield chunk({"role": "assistant", "content": ""})
            async for item in items:
                if isinstance(item, str):
                    yield chunk({"content": item})
                else:
                    yield chunk({}, "stop", citations=item.to_dict()["citations"], abstained=item.abstained,
                                conflict=item.conflict, answerer=item.answerer, warning=item.warning)
            yield "data: [DONE]\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    def _document(assistant: Assistant, doc_id: str):
        info = assistant.index.documents.get(doc_id)
        if info is None:
            raise DocumentNotFound(f"no document {doc_id!r}; GET /documents lists them")
        return info, assistant.index.document_paragraphs(doc_id)

    def _doc_out(info, paragraphs) -> dict:
        return {"doc_id": info.doc_id, "title": info.title, "publisher": info.publisher, "author": info.author,
                "date": info.date, "source": info.source, "paragraphs": len(paragraphs), "format": info.format,
                "pages": info.pages, "origin": info.origin, "added": info.added}

    writing = asyncio.Lock()  # one change at a time from this server; other processes meet the writer lock (409)

    async def _change(assistant: Assistant, **what) -> dict:
        async with writing:
            result = await run_in_threadpool(lambda: change(settings.index_dir, assistant.searcher.embedder,
                                                            max_bytes=settings.max_file_bytes,
                                                            vectors=GenerationVectors(settings), **what))
            if result.index is not None:
                await use_index(app, settings)  # the next question sees the change
        index = result.index or assistant.index
        return {name: [_doc_out(d, index.document_paragraphs(d.doc_id)) for d in getattr(result, name)]
                for name in ("added", "replaced", "unchanged", "removed")}

    @app.post("/documents", response_model=Changed, status_code=201, tags=["collection"],
              responses={**PROBLEMS, 409: {"model": Problem, "description": "another process is changing the index"},
                         415: {"model": Problem, "description": "unsupported file type"}})
    async def add_documents(files: list[UploadFile] = File(description=f"one or more {', '.join(SUPPORTED)} files"),
                            assistant: Assistant = Depends(the_assistant)) -> dict:
        """Add documents (multipart upload) without rebuilding the index: only their text is embedded.
        The same file again is left alone; a file of the same name with other content replaces it.
        If any file cannot be used, nothing is added (4xx naming the file and the reason)."""
        uploads = []
        for f in files:
            name = PurePath((f.filename or "").replace("\\", "/")).name
            if not name or name.startswith("."):
                raise InvalidRequest(f"an uploaded file needs a name (got {f.filename!r})")
            uploads.append(Upload(name, await f.read()))
        return await _change(assistant, add=uploads)

    @app.delete("/documents/{doc_id}", response_model=Changed, responses={**PROBLEMS, 404: {"model": Problem}},
                tags=["collection"])
    async def remove_document(doc_id: str = Path(max_length=200), assistant: Assistant = Depends(the_assistant)) -> dict:
        """Remove a document from the index; nothing is embedded. A document from the ingested
        folder stays out until it is added again."""
        return await _change(assistant, remove=[doc_id])

    @app.get("/documents", response_model=DocumentList, responses=PROBLEMS, tags=["documents"])
    def documents(assistant: Assistant = Depends(the_assistant)) -> dict:
        """The documents the assistant answers from, and the files skipped at ingest with the reason."""
        return {"documents": [_doc_out(*_document(assistant, d)) for d in assistant.index.documents],
                "skipped": assistant.index.manifest.get("skipped", [])}

    @app.get("/documents/{doc_id}", response_model=DocumentDetail, responses={**PROBLEMS, 404: {"model": Problem}},
             tags=["documents"])
    def document(doc_id: str = Path(max_length=200), assistant: Assistant = Depends(the_assistant)) -> dict:
        """One document with all its paragraphs."""
        info, paragraphs = _document(assistant, doc_id)
        return {**_doc_out(info, paragraphs), "paragraph_list": [_paragraph_out(p, len(paragraphs)) for p in paragraphs]}

    @app.get("/documents/{doc_id}/text", response_class=PlainTextResponse, tags=["documents"],
             responses={**PROBLEMS, 404: {"model": Problem}, 200: {"content": {"text/plain": {}}}})
    def document_text(doc_id: str = Path(max_length=200), assistant: Assistant = Depends(the_assistant)) -> str:
        """The document's stored text: every citation's `text` is `stored_text[start:end]`
        (for a PDF, Word or web page, the text extracted from it)."""
        _document(assistant, doc_id)
        return assistant.index.document_text(doc_id)

    @app.get("/documents/{doc_id}/paragraphs/{n}", response_model=ParagraphOut,
             responses={**PROBLEMS, 404: {"model": Problem}}, tags=["documents"])
    def paragraph(doc_id: str = Path(max_length=200), n: int = Path(ge=1, le=1_000_000),
                  assistant: Assistant = Depends(the_assistant)) -> ParagraphOut:
        """One paragraph exactly as in its file, with links to its neighbours."""
        _, paragraphs = _document(assistant, doc_id)
        if n > len(paragraphs):
            raise DocumentNotFound(f"document {doc_id!r} has {len(paragraphs)} paragraphs; there is no paragraph {n}")
        return _paragraph_out(paragraphs[n - 1], len(paragraphs))

    return app
