"""Thumbs up/down feedback, appended as JSON lines in the data directory."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path


class FeedbackStore:
    """Append-only JSONL file; safe to share between threads."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / "feedback.jsonl"
        self._lock = threading.Lock()

    def save(self, *, rating: str, question: str, answer: str, citations: list[dict]) -> dict:
        """Record one rating ("up" or "down") with what it rated."""
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down'. Currently, it is {rating!r}")
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "rating": rating,
            "question": question,
            "answer": answer,
            "citations": citations,
        }
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        return record

    def read(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
