"""Thumbs up/down feedback, appended as JSON lines in the data directory.

Bounded: every field has a size limit, and the file rotates at ``max_bytes`` keeping
``keep`` older files, so months of use cannot fill the disk. One writer at a time, across
threads and processes (an exclusive lock on a side file), each record one ``write``.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

MAX_TEXT = 4000
MAX_CITATIONS = 20
CITATION_FIELDS = ("marker", "doc_id", "paragraph", "start", "end")


def _text(value: object, limit: int = MAX_TEXT) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _citation(c: dict) -> dict:
    """What identifies a cited passage (the index holds its text)."""
    out = {}
    for name in CITATION_FIELDS:
        value = c.get(name) if isinstance(c, dict) else None
        if isinstance(value, int) and not isinstance(value, bool):
            out[name] = value
        elif value is not None:
            out[name] = _text(value, 200)
    return out


class FeedbackStore:
    """Append-only, size-capped JSONL file; safe to share between threads and processes."""

    def __init__(self, directory: Path, *, max_bytes: int = 10 * 1024 * 1024, keep: int = 3) -> None:
        self.path = Path(directory) / "feedback.jsonl"
        self.max_bytes, self.keep = max_bytes, keep
        self._lock = threading.Lock()

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path.with_suffix(".lock"), os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # closing releases the lock

    def _rotate(self, incoming: int) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size + incoming <= self.max_bytes:
            return
        for n in range(self.keep, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{n}")
            newer = self.path.with_name(f"{self.path.name}.{n - 1}") if n > 1 else self.path
            if newer.exists():
                os.replace(newer, older)

    def save(self, *, rating: str, question: str, answer: str, citations: list[dict]) -> dict:
        """Record one rating ("up" or "down") with what it rated (fields cut to their limits)."""
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down'. Currently, it is {rating!r}")
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "rating": rating,
            "question": _text(question),
            "answer": _text(answer),
            "citations": [_citation(c) for c in list(citations or [])[:MAX_CITATIONS]],
        }
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        with self._exclusive():
            self._rotate(len(line))
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        return record

    def read(self) -> list[dict]:
        """The records of the current file, oldest first."""
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
