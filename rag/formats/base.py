"""The value types and helpers every format shares."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

PAGE_BREAK = "\n\f\n"
MB = 1024 * 1024


class Unreadable(Exception):
    """A file that cannot be used; the message says why in a few words (shown to users after the file name)."""


@dataclass(frozen=True, slots=True)
class Extracted:
    """A document's text as stored and indexed, with what the file says about itself."""

    text: str
    format: str  # "txt" | "md" | "pdf" | "docx" | "html"
    page_starts: tuple[int, ...] = ()  # PDFs: offset in `text` where page i+1 begins
    title: str = ""
    author: str = ""
    publisher: str = ""
    date: str = ""  # ISO "YYYY-MM-DD" when known

    def page_at(self, offset: int) -> int:
        """The 1-based page holding ``offset`` in :attr:`text`; 0 when the format has no pages."""
        if not self.page_starts:
            return 0
        return max(1, bisect.bisect_right(self.page_starts, offset))


def binary(raw: bytes) -> bool:
    """NUL bytes, or many control characters, in the first 8 KB: not a text file."""
    head = raw[:8192]
    if b"\x00" in head:
        return True
    control = sum(b < 32 and b not in (9, 10, 12, 13) for b in head)
    return control > len(head) * 0.05


def collapse(s: str) -> str:
    """All runs of whitespace (including no-break spaces) as one space, ends stripped."""
    return " ".join(s.split())


def iso_date(value: object) -> str:
    """``YYYY-MM-DD`` from a datetime, a PDF date (``D:20210131...``) or an ISO string; "" if none."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    match = re.match(r"\s*(?:D:)?(\d{4})-?(\d{2})-?(\d{2})", str(value or ""))
    if not match:
        return ""
    try:
        return dt.date(*map(int, match.groups())).isoformat()
    except ValueError:
        return ""


def short(exc: BaseException) -> str:
    """An exception as a few words for a user."""
    detail = collapse(str(exc))[:80]
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
