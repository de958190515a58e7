"""One access policy for every route: walk the routes the app really registers (the
mounted chat UI's included), so that a route added later is covered without a list."""

from __future__ import annotations

import re

import pytest
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.testclient import TestClient

from api.app import create_app
from api.security import COOKIE, OPEN_PATHS
from rag.settings import Settings
from ui.app import mount

KEY = "s3cret-key-one"


@pytest.fixture
def app(tiny_assistant, tmp_path):
    settings = Settings(api_keys=f"{KEY},another-key", data_dir=tmp_path / "data", index_dir=tmp_path / "index")
    return mount(create_app(settings, tiny_assistant), tiny_assistant, settings)


def walk(routes, prefix=""):
    """(path, method) for every route, descending into mounted apps."""
    for route in routes:
        if isinstance(route, Mount):
            inner = route.routes
            if inner:
                yield from walk(inner, prefix + route.path)
            else:  # static files and other leaf apps
                yield prefix + route.path + "/x", "GET"
        elif isinstance(route, WebSocketRoute):
            yield prefix + route.path, "WEBSOCKET"
        elif isinstance(route, Route):
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                yield prefix + route.path, method
        elif hasattr(route, "effective_route_contexts"):  # a router FastAPI included lazily (Gradio's API)
            for context in route.effective_route_contexts():
                for method in sorted((context.methods or {"GET"}) - {"HEAD"}):
                    yield prefix + context.path, method
        else:
            raise AssertionError(f"a route of an unknown kind: {route!r}; teach the walk about it")


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path) or "/"


def test_every_registered_route_refuses_a_request_without_a_key(app):
    routes = sorted(set(walk(app.routes)))
    assert sum(p.startswith("/ui/gradio_api") for p, _ in routes) > 20, "the walk must reach the chat UI's own routes"
    refused = []
    with TestClient(app, follow_redirects=False) as client:
        for path, method in routes:
            url = concrete(path)
            if url in OPEN_PATHS:
                continue
            if method == "WEBSOCKET":
                from starlette.websockets import WebSocketDisconnect

                with pytest.raises(WebSocketDisconnect) as closed:
                    with client.websocket_connect(url):
                        pass
                assert closed.value.code == 1008, url
                refused.append(url)
                continue
            r = client.request(method, url, headers={"accept": "application/json"})
            assert r.status_code == 401, f"{method} {url} answered {r.status_code} without a key"
            assert r.headers["content-type"].startswith("application/problem+json")
            refused.append(url)
    assert len(refused) > 50


def test_a_browser_is_sent_to_sign_in_and_comes_back(app):
    with TestClient(app, follow_redirects=False) as client:
        r = client.get("/ui/", headers={"accept": "text/html"})
        assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fui%2F"
        form = client.get(r.headers["location"])
        assert form.status_code == 200 and 'name="key"' in form.text and 'value="/ui/"' in form.text
        wrong = client.post("/login", data={"key": "guess", "next": "/ui/"})
        assert wrong.status_code == 401 and "not valid" in wrong.text and COOKIE not in wrong.headers.get("set-cookie", "")
        right = client.post("/login", data={"key": KEY, "next": "/ui/"})
        assert right.status_code == 303 and right.headers["location"] == "/ui/"
        cookie = right.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and KEY not in cookie
        assert client.get("/ui/config").status_code == 200  # the cookie now opens the UI's routes
        assert client.get("/documents").status_code == 200
        client.get("/logout")
        assert client.get("/ui/config", headers={"accept": "application/json"}).status_code == 401


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_sign_in_never_redirects_off_the_server(app, target):
    with TestClient(app, follow_redirects=False) as client:
        r = client.post("/login", data={"key": KEY, "next": target})
        assert r.status_code == 303 and r.headers["location"] == "/ui/"


def test_keys_in_headers_open_every_route_kind(app):
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/documents", headers={"x-api-key": KEY}).status_code == 200
        assert client.get("/ui/config", headers={"authorization": "Bearer another-key"}).status_code == 200
        assert client.get("/ui/config", headers={"authorization": "Bearer nearly-" + KEY}).status_code == 401
        assert client.get("/healthz").status_code == 200


def test_without_keys_everything_is_open(tiny_assistant, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "index")
    with TestClient(create_app(settings, tiny_assistant)) as client:
        assert client.get("/documents").status_code == 200
