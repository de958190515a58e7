"""One access policy for every route: the JSON API, the documents, the OpenAI-compatible
routes and the mounted chat UI with all of Gradio's own routes.

A client proves itself with ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``; a browser
signs in once at ``/login`` and then carries a session cookie. The cookie holds an HMAC
of the key under a secret made at start-up, never the key, so it is useless elsewhere
and dies with the process. Keys are compared in constant time and never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, quote

from starlette.datastructures import Headers
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api import errors

COOKIE = "rag_session"
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/login", "/logout"})
SESSION_SECONDS = 12 * 3600
MAX_LOGIN_BYTES = 4096


class KeyPolicy:
    """Which credentials open the service."""

    def __init__(self, keys: frozenset[str]) -> None:
        self.keys = tuple(k.encode() for k in keys)
        self._secret = secrets.token_bytes(32)

    @property
    def enabled(self) -> bool:
        return bool(self.keys)

    def valid_key(self, given: str) -> bool:
        found = False
        for key in self.keys:  # no early exit: the time taken does not tell which key nearly matched
            found |= hmac.compare_digest(given.encode(), key)
        return found

    def session_for(self, key: str) -> str:
        return hmac.new(self._secret, key.encode(), hashlib.sha256).hexdigest()

    def valid_session(self, token: str) -> bool:
        found = False
        for key in self.keys:
            found |= hmac.compare_digest(token.encode(), self.session_for(key.decode()).encode())
        return found

    def allows(self, headers: Headers) -> bool:
        given = headers.get("x-api-key") or ""
        auth = headers.get("authorization") or ""
        if not given and auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        if given:
            return self.valid_key(given)
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie") or "")
        except Exception:  # a malformed cookie header is no credential
            return False
        token = cookie.get(COOKIE)
        return bool(token) and self.valid_session(token.value)


def _safe_next(target: str) -> str:
    """Only a path on this server: no scheme, no host, no '//' (an open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/ui/"
    return target


def login_page(next_path: str, message: str = "", status: int = 200) -> HTMLResponse:
    note = f"<p role='alert' style='color:#a00'>{html.escape(message)}</p>" if message else ""
    body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in · Peace-operations assistant</title>
<style>body{{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}}
input,button{{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box;margin:.25rem 0}}</style></head>
<body><h1>Peace-operations assistant</h1><p>This service needs an access key.</p>{note}
<form method="post" action="/login"><label for="key">Access key</label>
<input id="key" name="key" type="password" autocomplete="current-password" autofocus required>
<input type="hidden" name="next" value="{html.escape(next_path)}">
<button id="sign-in" type="submit">Sign in</button></form></body></html>"""
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


class RequireKey:
    """ASGI middleware in front of everything the app serves (mounted apps included)."""

    def __init__(self, app: ASGIApp, policy: KeyPolicy) -> None:
        self.app, self.policy = app, policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not self.policy.enabled:
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if scope["type"] == "http" and path == "/login":
            return await self._login(scope, receive, send)
        if scope["type"] == "http" and path == "/logout":
            response = RedirectResponse("/login", status_code=303)
            response.delete_cookie(COOKIE, path="/")
            return await response(scope, receive, send)
        headers = Headers(scope=scope)
        if path in OPEN_PATHS or self.policy.allows(headers):
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008, "reason": "a valid API key is required"})
        wants_page = scope.get("method") == "GET" and "text/html" in headers.get("accept", "")
        if wants_page:  # a person in a browser: the sign-in form, then back here
            query = scope.get("query_string", b"").decode("latin-1")
            here = path + (f"?{query}" if query else "")
            response: Response = RedirectResponse(f"/login?next={quote(here, safe='')}", status_code=303)
        else:
            response = errors.problem(401, "unauthorized", "Unauthorized",
                                      "a valid API key is required (Authorization: Bearer KEY or X-API-Key)")
            response.headers["WWW-Authenticate"] = "Bearer"
        await response(scope, receive, send)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if scope.get("method") != "POST":
            response: Response = login_page(_safe_next(query.get("next", ["/ui/"])[0]))
            return await response(scope, receive, send)
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > MAX_LOGIN_BYTES:
                response = login_page("/ui/", "The sign-in form was too large.", 413)
                return await response(scope, receive, send)
            if not message.get("more_body"):
                break
        form = parse_qs(body.decode("utf-8", "replace"))
        key = form.get("key", [""])[0].strip()
        target = _safe_next(form.get("next", ["/ui/"])[0])
        if not key or not self.policy.valid_key(key):
            response = login_page(target, "That key is not valid.", 401)
            return await response(scope, receive, send)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, self.policy.session_for(key), max_age=SESSION_SECONDS, path="/",
                            httponly=True, samesite="strict", secure=scope.get("scheme") == "https")
        await response(scope, receive, send)
