"""From a file's bytes to the plain text that is stored and indexed (.txt .md .rst .pdf .docx .html).

The text is what citations point into, so extraction is deterministic and its output is
shaped for the paragraph splitter in ``rag/ingest.py``: blocks separated by blank lines,
``#`` headings, ``- `` list items, ``| a | b |`` table rows. PDF pages are separated by
``"\\n\\f\\n"`` and :attr:`Extracted.page_starts` says where each page begins.

    doc = extract("report.pdf", Path("report.pdf").read_bytes())
    doc.page_at(doc.text.index("peacekeeping"))  # -> 3, the page that sentence is on
"""

from __future__ import annotations

from pathlib import PurePath

from rag.formats.base import MB, PAGE_BREAK, Extracted, Unreadable
from rag.formats.docx import docx
from rag.formats.html import html
from rag.formats.pdf import pdf
from rag.formats.text import plain_text

__all__ = ["SUPPORTED", "PAGE_BREAK", "Extracted", "Unreadable", "extract"]

SUPPORTED: tuple[str, ...] = (".txt", ".md", ".rst", ".pdf", ".docx", ".html", ".htm")


def extract(name: str, raw: bytes, *, max_expanded_bytes: int = 200 * MB) -> Extracted:
    """The text of the file called ``name`` (dispatched on its suffix); raises :class:`Unreadable`."""
    suffix = PurePath(name.replace("\\", "/")).suffix.lower()
    if suffix not in SUPPORTED:
        shown = f"'{suffix}'" if suffix else "(no extension)"
        raise Unreadable(f"unsupported file type {shown}; supported: {', '.join(SUPPORTED)}")
    if not raw.strip():
        raise Unreadable("the file is empty")
    if suffix in (".txt", ".md", ".rst"):  # reStructuredText is plain text with underlined headings
        return Extracted(plain_text(raw), suffix[1:])
    if suffix == ".pdf":
        return pdf(raw)
    if suffix == ".docx":
        return docx(raw, max_expanded_bytes)
    return html(raw)
