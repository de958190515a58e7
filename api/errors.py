"""Every error a client can see, as RFC 9457 problem+json with a stable ``type``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.errors import (
    CorpusError,
    DocumentNotFound,
    FileTooLarge,
    IndexError_,
    InvalidRequest,
    ModelError,
    RagError,
    UnsupportedFileType,
    UnusableFile,
    WriterBusy,
)

TYPE_BASE = "https://peaceops-rag.local/problems/"
log = logging.getLogger("api")

_STATUS = {  # first match wins: subclasses before their bases
    FileTooLarge: 413,
    UnsupportedFileType: 415,
    UnusableFile: 422,
    WriterBusy: 409,
    InvalidRequest: 422,
    DocumentNotFound: 404,
    IndexError_: 503,
    ModelError: 503,
    CorpusError: 500,
}
_HTTP_TYPES = {
    400: "bad-request", 401: "unauthorized", 404: "not-found", 405: "method-not-allowed",
    409: "conflict", 413: "payload-too-large", 415: "unsupported-media-type", 422: "invalid-request",
    429: "too-many-requests", 500: "internal-error", 503: "unavailable",
}


def problem(status: int, code: str, title: str, detail: str = "", **extra) -> JSONResponse:
    """A problem+json response."""
    body = {"type": TYPE_BASE + code, "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _status_for(exc: RagError) -> int:
    for cls, status in _STATUS.items():
        if isinstance(exc, cls):
            return status
    return 500


def install(app: FastAPI) -> None:
    """Register the exception handlers: the one place errors are translated."""

    @app.exception_handler(RagError)
    async def rag_error(request: Request, exc: RagError) -> JSONResponse:
        status = _status_for(exc)
        return problem(status, exc.code, type(exc).__name__.rstrip("_"), str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors)[:1000]
        return problem(422, "invalid-request", "Invalid request", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_TYPES.get(exc.status_code, f"http-{exc.status_code}")
        response = problem(exc.status_code, code, code.replace("-", " ").capitalize(), str(exc.detail or ""))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(500, "internal-error", "Internal error", "the server failed to answer; the error was logged")
