"""From a file's bytes to the plain text that is stored and indexed (.txt .md .pdf .docx .html).

The text is what citations point into, so extraction is deterministic and its output is
shaped for the paragraph splitter in ``rag/ingest.py``: blocks separated by blank lines,
``#`` headings, ``- `` list items, ``| a | b |`` table rows. PDF pages are separated by
``"\\n\\f\\n"`` and :attr:`Extracted.page_starts` says where each page begins.

    doc = extract("report.pdf", Path("report.pdf").read_bytes())
    doc.page_at(doc.text.index("peacekeeping"))  # -> 3, the page that sentence is on
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

SUPPORTED: tuple[str, ...] = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
PAGE_BREAK = "\n\f\n"
_MB = 1024 * 1024


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


def extract(name: str, raw: bytes, *, max_expanded_bytes: int = 200 * _MB) -> Extracted:
    """The text of the file called ``name`` (dispatched on its suffix); raises :class:`Unreadable`."""
    suffix = PurePath(name.replace("\\", "/")).suffix.lower()
    if suffix not in SUPPORTED:
        shown = f"'{suffix}'" if suffix else "(no extension)"
        raise Unreadable(f"unsupported file type {shown}; supported: {', '.join(SUPPORTED)}")
    if not raw.strip():
        raise Unreadable("the file is empty")
    if suffix in (".txt", ".md"):
        return Extracted(_plain_text(raw), suffix[1:])
    if suffix == ".pdf":
        return _pdf(raw)
    if suffix == ".docx":
        return _docx(raw, max_expanded_bytes)
    return _html(raw)


# --- shared helpers -------------------------------------------------------------------


def _binary(raw: bytes) -> bool:
    """NUL bytes, or many control characters, in the first 8 KB: not a text file."""
    head = raw[:8192]
    if b"\x00" in head:
        return True
    control = sum(b < 32 and b not in (9, 10, 12, 13) for b in head)
    return control > len(head) * 0.05


def _collapse(s: str) -> str:
    """All runs of whitespace (including no-break spaces) as one space, ends stripped."""
    return " ".join(s.split())


def _iso_date(value: object) -> str:
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


def _short(exc: BaseException) -> str:
    """An exception as a few words for a user."""
    detail = _collapse(str(exc))[:80]
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


# --- .txt / .md -----------------------------------------------------------------------


def _plain_text(raw: bytes) -> str:
    """The file's text, unchanged but for a UTF-8 byte-order mark (offsets must match the file)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
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
    return text


# --- .pdf (pdfminer.six) --------------------------------------------------------------


def _pdf(raw: bytes) -> Extracted:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    if b"%PDF-" not in raw[:1024]:
        raise Unreadable("not a readable PDF (no PDF header)")
    try:
        pages, info = _pdf_pages(raw)
    except PDFPasswordIncorrect:
        raise Unreadable("an encrypted PDF (password protected); remove the password and add it again") from None
    except PDFEncryptionError as exc:
        raise Unreadable(f"an encrypted PDF that cannot be opened ({_short(exc)})") from None
    except RecursionError:
        raise Unreadable("not a readable PDF (objects nested too deeply)") from None
    except Exception as exc:  # pdfminer raises many kinds on damaged files; none may escape
        raise Unreadable(f"not a readable PDF ({_short(exc)})") from None
    if not pages or not any(re.search(r"\w", page) for page in pages):
        raise Unreadable("no extractable text; OCR is not supported")
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + len(PAGE_BREAK)
    return Extracted(
        text=PAGE_BREAK.join(pages),
        format="pdf",
        page_starts=tuple(starts),
        title=info.get("Title", ""),
        author=info.get("Author", ""),
        date=_iso_date(info.get("CreationDate", "")),
    )


def _pdf_pages(raw: bytes) -> tuple[list[str], dict[str, str]]:
    """The text of every page, and the document information dictionary as strings."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams, LTFigure, LTTextBox, LTTextBoxHorizontal
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    document = PDFDocument(PDFParser(io.BytesIO(raw)), password="")  # owner-password-only PDFs open
    resources = PDFResourceManager(caching=True)
    device = PDFPageAggregator(resources, laparams=LAParams(all_texts=True))  # text in figures too
    interpreter = PDFPageInterpreter(resources, device)

    def boxes(container):
        for item in container:
            if isinstance(item, LTTextBoxHorizontal):
                yield _pdf_box(_rows_text(item))
            elif isinstance(item, LTTextBox):
                yield _pdf_box(item.get_text())
            elif isinstance(item, LTFigure):
                yield from boxes(item)

    pages = []
    for page in PDFPage.create_pages(document):  # extraction permissions are not enforced
        interpreter.process_page(page)
        pages.append("\n\n".join(box for box in boxes(device.get_result()) if box))
    pages = _dehyphenate(pages)
    return pages, _pdf_info(document)


def _rows_text(box) -> str:
    """A box's text line by line from the top, where pdfminer's pieces of one printed line
    (split at a wide space or a change of font) are joined left to right: pdfminer may
    otherwise order such a piece before the line above it."""
    rows: list[list] = []
    for line in sorted(box, key=lambda line: -(line.y0 + line.y1)):
        middle = (line.y0 + line.y1) / 2
        if rows and rows[-1][0].y0 <= middle <= rows[-1][0].y1:
            rows[-1].append(line)
        else:
            rows.append([line])
    return "\n".join(" ".join(piece.get_text().strip() for piece in sorted(row, key=lambda l: l.x0)) for row in rows)


def _pdf_box(text: str) -> str:
    """A text box as one block: ligatures and compatibility forms normalised (NFKC), its
    line breaks kept, the wide gaps of justified lines made single spaces, blank lines and
    trailing spaces dropped."""
    text = unicodedata.normalize("NFKC", text).replace("\f", "")
    lines = (re.sub(r"(?<=\S)[ \t]{2,}(?=\S)", " ", line.rstrip()) for line in text.splitlines())  # justified gaps
    return "\n".join(line for line in lines if line.strip())


_WORD = r"[^\W\d_]+"
_LINE_END_HYPHEN = re.compile(rf"(?<!\w)({_WORD})([-\xad])\n({_WORD})")


def _dehyphenate(pages: list[str]) -> list[str]:
    """Join a word hyphenated across a line break ("infor-\\nmation is" -> "information is")
    when the joined word occurs elsewhere in the document and the hyphenated one does not,
    so that "well-\\nknown" stays; a soft hyphen always joins. The two lines become one."""
    words = {w.lower() for page in pages for w in re.findall(_WORD, page)}
    hyphenated = {w.lower() for page in pages for w in re.findall(rf"{_WORD}-{_WORD}", page)}

    def join(match: re.Match) -> str:
        head, hyphen, tail = match.groups()
        whole = head + tail
        if hyphen == "\xad" or (
            tail[0].islower() and whole.lower() in words and f"{head}-{tail}".lower() not in hyphenated
        ):
            return whole
        return match.group(0)

    return [_LINE_END_HYPHEN.sub(join, page) for page in pages]


def _pdf_info(document) -> dict[str, str]:
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    info: dict[str, str] = {}
    for entry in document.info:
        for key in ("Title", "Author", "CreationDate"):
            value = resolve1(entry.get(key))
            if isinstance(value, bytes):
                value = decode_text(value)
            if isinstance(value, str) and _collapse(value) and key not in info:
                info[key] = _collapse(value.replace("\x00", ""))
    return info


# --- .docx (python-docx) --------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_DRAWINGS = {f"{_W}drawing", f"{_W}pict", f"{_W}object", f"{_MC}AlternateContent"}  # text boxes, shapes
_BOMB_RATIO, _BOMB_MEMBER_BYTES = 100, 10 * _MB


def _docx(raw: bytes, max_expanded_bytes: int) -> Extracted:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except Exception:  # BadZipFile, or a damaged central directory (struct, value, overflow errors)
        raise Unreadable("not a Word .docx file") from None
    with archive:
        members = archive.infolist()
        expanded = sum(m.file_size for m in members)  # zipfile never inflates past these sizes
        if expanded > max_expanded_bytes or any(
            m.file_size > _BOMB_MEMBER_BYTES and m.file_size > _BOMB_RATIO * max(m.compress_size, 1) for m in members
        ):
            raise Unreadable(f"a compressed file that expands to {expanded / 1e6:.0f} MB; not opened (zip bomb?)")
        names = set(archive.namelist())
        if "word/document.xml" not in names:
            raise Unreadable("not a Word .docx file")
        publisher = _docx_company(archive) if "docProps/app.xml" in names else ""
    import docx

    try:
        document = docx.Document(io.BytesIO(raw))
        blocks = list(_docx_blocks(document.element.body, document))
    except ValueError as exc:  # python-docx: "file ... is not a Word file, content type is ..."
        if "content type" in str(exc):
            raise Unreadable("not a Word .docx file") from None
        raise Unreadable(f"not a readable Word file ({_short(exc)})") from None
    except Exception as exc:  # damaged XML or package parts; none may escape
        raise Unreadable(f"not a readable Word file ({_short(exc)})") from None
    text = "\n\n".join(block for block in blocks if block)
    if not re.search(r"\w", text):
        raise Unreadable("no text in the document")
    # python-docx invents core properties for a file without them; use only a file's own
    core = document.core_properties if "docProps/core.xml" in names else None
    return Extracted(
        text=text,
        format="docx",
        title=_collapse(core.title or "") if core else "",
        author=_collapse(core.author or "") if core else "",
        publisher=publisher,
        date=_iso_date(core.created) if core and core.created else "",
    )


def _docx_blocks(container, document):
    """Body paragraphs and tables in document order, as blocks; content controls are opened."""
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        if child.tag == f"{_W}p":
            yield _docx_paragraph(Paragraph(child, document._body))
        elif child.tag == f"{_W}tbl":
            yield _docx_table(child)
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _docx_blocks(content, document)


def _docx_paragraph(paragraph) -> str:
    """A heading as ``# text``, a list item as ``- text``, other text with its line breaks."""
    text = _runs_text(paragraph._p)
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    level = 1 if style == "Title" else int(m.group(1)) if (m := re.fullmatch(r"Heading ([1-9])", style)) else 0
    if level:
        return f"{'#' * level} {_collapse(text)}" if _collapse(text) else ""
    p_pr = paragraph._p.pPr
    if re.search(r"\bList\b", style) or (p_pr is not None and p_pr.numPr is not None):
        return f"- {_collapse(text)}" if _collapse(text) else ""
    return "\n".join(line for line in map(_collapse, text.splitlines()) if line)


def _runs_text(element) -> str:
    """The visible text under a paragraph: runs, hyperlinks, tracked insertions and inline
    content controls; tabs and breaks as whitespace; deleted text, field codes and drawings left out."""
    parts = []
    for child in element.iterchildren():
        tag = child.tag
        if tag == f"{_W}t":
            parts.append(child.text or "")
        elif tag == f"{_W}tab":
            parts.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif tag not in _DRAWINGS and isinstance(tag, str):
            parts.append(_runs_text(child))
    return "".join(parts)


def _docx_table(table) -> str:
    """One ``| a | b |`` line per row; a cell's paragraphs (and nested tables) flattened."""
    rows = []
    for tr in table.iterchildren(f"{_W}tr"):
        cells = [
            _collapse(" ".join(_runs_text(p) for p in tc.iter(f"{_W}p")))
            for tc in tr.iterchildren(f"{_W}tc")
        ]
        if any(cells):
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _docx_company(archive: zipfile.ZipFile) -> str:
    """The ``Company`` of ``docProps/app.xml`` (the publisher), or ""."""
    from lxml import etree

    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(archive.read("docProps/app.xml"), parser)
    except Exception:
        return ""
    company = root.find("{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}Company")
    return _collapse(company.text or "") if company is not None else ""


# --- .html / .htm (BeautifulSoup) -----------------------------------------------------

_DROP = [
    "script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form",
    "iframe", "button", "select", "canvas", "object", "embed", "audio", "video",
]  # fmt: skip
_DROP_ROLES = ("navigation", "banner", "contentinfo", "complementary", "search")  # ARIA for nav, header...
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCK_TAGS = {
    "address", "article", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "hgroup", "hr", "html", "legend", "main", "p",
    "section", "summary", "tbody", "td", "tfoot", "th", "thead", "tr",
}  # fmt: skip
_META = {
    "author": ("author", "dc.creator", "dcterms.creator"),
    "date": ("date", "dcterms.date", "dc.date", "article:published_time", "dcterms.created"),
    "publisher": ("og:site_name", "publisher", "dc.publisher", "dcterms.publisher"),
}


def _html(raw: bytes) -> Extracted:
    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    if _binary(raw) and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Unreadable("binary content, not HTML")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)  # XHTML is read as HTML on purpose
        try:
            soup = BeautifulSoup(raw, "lxml")  # the encoding from a BOM, <meta charset> or detection
        except Exception:  # lxml refuses control characters in a charset name; html.parser does not
            try:
                soup = BeautifulSoup(raw, "html.parser")
            except Exception as exc:
                raise Unreadable(f"not a readable HTML page ({_short(exc)})") from None
    titles = [t for t in soup.find_all("title") if not t.find_parent("svg")] + soup.find_all("h1", limit=1)
    title = next((_collapse(t.get_text(" ")) for t in titles if _collapse(t.get_text(" "))), "")
    meta = {}
    for tag in soup.find_all("meta"):
        key = str(tag.get("name") or tag.get("property") or "").lower()
        if key and tag.get("content") and key not in meta:
            meta[key] = _collapse(str(tag["content"]))
    found = {field: next((meta[k] for k in keys if meta.get(k)), "") for field, keys in _META.items()}
    walker = _HtmlBlocks()
    walker.walk(_main_content(soup))
    walker.flush()
    text = "\n\n".join(walker.blocks)
    if not re.search(r"\w", text):
        raise Unreadable("no text in the page")
    return Extracted(
        text, "html", title=title, author=found["author"], publisher=found["publisher"], date=_iso_date(found["date"])
    )


def _words(tag) -> int:
    return len(tag.get_text(" ").split())


def _main_content(soup):
    """The page without navigation, scripts and other chrome (by element or ARIA role); its
    <main> (or role="main") or <article> when one holds at least a quarter of the words left."""
    root = soup.body or soup
    page_words = _words(root)
    chrome = root.find_all(lambda t: t.name in _DROP or t.get("role") in _DROP_ROLES)
    for tag in chrome:
        if tag.decomposed:
            continue
        if (tag.name == "header" or tag.get("role") == "banner") and tag.find_parent(["main", "article"]):
            continue  # an article's own header holds its title
        if (tag.name == "form" or tag.get("role") == "search") and _words(tag) * 2 >= page_words:
            continue  # a form wrapping the whole page (ASP.NET)
        tag.decompose()
    hidden = root.find_all(lambda t: t.has_attr("hidden") or t.get("aria-hidden") == "true")
    permalinks = root.find_all("a", href=re.compile("^#"), string=re.compile(r"^\s*[¶§#]\s*$"))
    for tag in hidden + permalinks:  # "¶" after a Sphinx heading, "#" after a GitHub one
        if not tag.decomposed:
            tag.decompose()
    left = _words(root)
    for match in ("main", {"role": "main"}, "article"):
        found = root.find_all(match) if isinstance(match, str) else root.find_all(attrs=match)
        for tag in found:
            if _words(tag) * 4 >= left > 0:
                return tag
    return root


class _HtmlBlocks:
    """Walks an element tree, collecting text blocks; each piece of text lands in one block."""

    def __init__(self, plain: bool = False) -> None:
        self.blocks: list[str] = []
        self.inline: list[str] = []
        self.plain = plain  # inside a heading or table cell: no list markers

    def flush(self) -> None:
        lines = (_collapse(line) for line in "".join(self.inline).split("\n"))
        block = "\n".join(line for line in lines if line)
        if block:
            self.blocks.append(block)
        self.inline = []

    def walk(self, tag) -> None:
        for child in tag.children:
            self.visit(child)

    def visit(self, node) -> None:
        from bs4 import CData, NavigableString

        if isinstance(node, NavigableString):
            if type(node) in (NavigableString, CData):  # not comments, doctypes, processing instructions
                self.inline.append(re.sub(r"\s+", " ", str(node)))  # "\n" is kept for <br>
            return
        name = node.name
        if name == "br":
            self.inline.append("\n")
        elif name in _HEADINGS:
            self._block(("#" * _HEADINGS[name] + " " if not self.plain else "") + _flat(node))
        elif name == "pre":
            lines = (line.rstrip() for line in node.get_text().splitlines())
            self._block("\n".join(line for line in lines if line.strip()))
        elif name in ("ul", "ol", "menu"):
            self._list(node)
        elif name == "li":  # an item outside a list
            self._item(node, "- ")
        elif name == "table" and not _layout_table(node):
            self._table(node)
        elif name in _BLOCK_TAGS or name == "table":
            self.flush()
            self.walk(node)
            self.flush()
        else:  # inline: a, span, em, code, ...
            self.walk(node)

    def _block(self, text: str) -> None:
        self.flush()
        if text.strip():
            self.blocks.append(text)

    def _list(self, node) -> None:
        self.flush()
        start = node.get("start", "1")
        number = int(start) if str(start).lstrip("-").isdigit() else 1
        for child in node.children:
            if getattr(child, "name", None) == "li":
                self._item(child, f"{number}. " if node.name == "ol" else "- ")
                number += 1
            else:
                self.visit(child)
        self.flush()

    def _item(self, node, marker: str) -> None:
        """The item's first block gets the marker; nested lists stay blocks of their own."""
        self.flush()
        first = len(self.blocks)
        self.walk(node)
        self.flush()
        if not self.plain and first < len(self.blocks) and not re.match(r"(?:- |\d+\. |#|\|)", self.blocks[first]):
            self.blocks[first] = marker + self.blocks[first]

    def _table(self, node) -> None:
        self.flush()
        caption = node.find("caption")
        if caption:
            self._block(_flat(caption))
        rows = []
        for tr in node.find_all("tr"):
            cells = [_flat(cell) for cell in tr.find_all(["td", "th"], recursive=False)]
            if any(cells):
                rows.append("| " + " | ".join(cells) + " |")
        self._block("\n".join(rows))


def _flat(tag) -> str:
    """A heading's or cell's text on one line."""
    walker = _HtmlBlocks(plain=True)
    walker.walk(tag)
    walker.flush()
    return _collapse(" ".join(walker.blocks))


def _layout_table(table) -> bool:
    """A table used for page layout rather than data: nested tables, one column, or long cells."""
    rows = table.find_all("tr")
    return (
        table.find("table") is not None
        or all(len(tr.find_all(["td", "th"], recursive=False)) <= 1 for tr in rows)
        or any(_words(cell) > 200 for cell in table.find_all(["td", "th"]))
    )
