"""From a file's bytes to the text that is stored and indexed (placeholder: .txt/.md)."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

SUPPORTED: tuple[str, ...] = (".txt", ".md")


class Unreadable(Exception):
    """A file that cannot be used; the message says why in a few words."""


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str
    format: str
    page_starts: tuple[int, ...] = ()
    title: str = ""
    author: str = ""
    publisher: str = ""
    date: str = ""

    def page_at(self, offset: int) -> int:
        return bisect_right(self.page_starts, offset) if self.page_starts else 0


def _binary(raw: bytes) -> bool:
    head = raw[:8192]
    if b"\x00" in head:
        return True
    control = sum(b < 32 and b not in (9, 10, 12, 13) for b in head)
    return control > len(head) * 0.05


def extract(name: str, raw: bytes, *, max_expanded_bytes: int = 200 * 1024 * 1024) -> Extracted:
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in SUPPORTED:
        raise Unreadable(f"unsupported file type '{suffix}'; supported: {', '.join(SUPPORTED)}")
    if not raw.strip():
        raise Unreadable("the file is empty")
    if _binary(raw):
        raise Unreadable("binary content, not text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8 text (invalid byte at position {exc.start})") from None
    if not re.search(r"\w", text):
        raise Unreadable("no words in the file")
    return Extracted(text.removeprefix("\ufeff"), suffix[1:])
