"""``rag serve``: the API (and the chat UI at /ui) under uvicorn."""

from __future__ import annotations

import sys

import uvicorn

from api.app import create_app
from rag.assistant import load_assistant
from rag.settings import Settings


def build(settings: Settings, *, with_ui: bool = True):
    """The app with the assistant loaded (index built if missing) and the UI mounted."""
    assistant, built = load_assistant(settings, progress=sys.stderr.isatty(), serving=True)
    if built:
        print(f"index built in {settings.index_dir}", file=sys.stderr)
    app = create_app(settings, assistant, follow_index=True)
    if with_ui:
        try:
            from ui.app import mount
        except ImportError:  # the UI arrives with its own issue
            return app
        app = mount(app, assistant, settings)
    return app


def serve(settings: Settings, *, host: str, port: int) -> int:
    """Run until interrupted."""
    app = build(settings)
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    print(f"Serving on http://{shown}:{port}  (chat UI: http://{shown}:{port}/ui  API docs: http://{shown}:{port}/docs)",
          flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
    return 0
