"""Plain text (.txt, .md, .rst): the file's own characters."""

from __future__ import annotations

import re

from rag.formats.base import Unreadable, binary


def plain_text(raw: bytes) -> str:
    """The file's text, unchanged but for a UTF-8 byte-order mark (offsets must match the file)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        if not raw.strip():
            raise Unreadable("the file is empty")
    if binary(raw):
        raise Unreadable("binary content, not text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8 text (invalid byte at position {exc.start})") from None
    if not re.search(r"\w", text):
        raise Unreadable("no words in the file")
    return text
