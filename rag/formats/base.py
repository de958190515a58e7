"""The value types and helpers every format shares."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable, Iterable

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


_WORD = r"[^\W\d_]+"
# a word broken at a line's end, the next line perhaps indented as the text is ("anes-\n   thetize")
_LINE_END_HYPHEN = re.compile(rf"(?<!\w)({_WORD})([-\xad])\n[ \t]*({_WORD})")


def dehyphenator(texts: Iterable[str]) -> Callable[[str], str]:
    """What joins a word hyphenated across a line break ("infor-\\nmation is" -> "information
    is") in a text of the document ``texts`` make up, unless the document writes the compound
    with its hyphen elsewhere: when the joined word is a word (the document's elsewhere, or
    English's), or a part of it is none ("Polymor-\\nphing"), where "well-\\nknown" joins two
    words into none and stays.
    A soft hyphen always joins. The two lines become one."""
    from rag.spelling import english

    texts = list(texts)
    if not any(_LINE_END_HYPHEN.search(text) for text in texts):
        return lambda text: text  # nothing to join: no word lists to build
    # the words the document writes whole (not those its line ends break), and English's
    document = {w.lower() for text in texts for w in re.findall(_WORD, _LINE_END_HYPHEN.sub(" ", text))}
    lexicon = english()

    def known(word: str) -> bool:
        return word.lower() in document or word.lower() in lexicon

    hyphenated = {w.lower() for text in texts for w in re.findall(rf"{_WORD}-{_WORD}", text)}

    def join(match: re.Match) -> str:
        head, hyphen, tail = match.groups()
        whole = head + tail
        if hyphen == "\xad" or (
            tail[0].islower() and f"{head}-{tail}".lower() not in hyphenated
            and (known(whole) or not known(head) or not known(tail))
        ):
            return whole
        return match.group(0)

    return lambda text: _LINE_END_HYPHEN.sub(join, text) if "\n" in text else text


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
