"""PDF text per page with pdfminer.six (measured against pypdf: eval/reports/pdf_extractors.md)."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

from rag.formats.base import Extracted, Unreadable, PAGE_BREAK, collapse, dehyphenator, iso_date, short


def pdf(raw: bytes) -> Extracted:
    """A PDF's text, page by page (pages joined by :data:`PAGE_BREAK`), and its title, author and date."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    if b"%PDF-" not in raw[:1024]:
        raise Unreadable("not a readable PDF (no PDF header)")
    try:
        pages, info = _pdf_pages(raw)
    except PDFPasswordIncorrect:
        raise Unreadable("an encrypted PDF (password protected); remove the password and add it again") from None
    except PDFEncryptionError as exc:
        raise Unreadable(f"an encrypted PDF that cannot be opened ({short(exc)})") from None
    except RecursionError:
        raise Unreadable("not a readable PDF (objects nested too deeply)") from None
    except Exception as exc:  # pdfminer raises many kinds on damaged files; none may escape
        raise Unreadable(f"not a readable PDF ({short(exc)})") from None
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
        date=iso_date(info.get("CreationDate", "")),
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
        items = list(container)
        rows_of = _with_stray_pieces([item for item in items if isinstance(item, LTTextBoxHorizontal)])
        for item in items:
            if isinstance(item, LTTextBoxHorizontal):
                if id(item) not in rows_of:
                    continue  # a stray piece of another box's printed line, now in that box
                rows = rows_of[id(item)]
                top, foot = max(l.y1 for l in rows[0]), min(l.y0 for l in rows[-1])
                cut = 1 if len(rows) > 1 and _heads(rows) else 0
                if cut:  # a heading set close above its paragraph: a block of its own
                    yield _Box(_pdf_box(_rows_text(rows[:cut])), min(l.y0 for l in rows[0]), top)
                yield _Box(_pdf_box(_rows_text(rows[cut:])), foot, max(l.y1 for l in rows[cut]))
            elif isinstance(item, LTTextBox):
                yield _Box(_pdf_box(item.get_text()), item.y0, item.y1)
            elif isinstance(item, LTFigure):
                yield from boxes(item)

    laid_out = []
    for page in PDFPage.create_pages(document):  # extraction permissions are not enforced
        interpreter.process_page(page)
        laid_out.append([box for box in boxes(device.get_result()) if box.text])
    running = _running_bands(laid_out)
    pages = [_join_broken([b.text for b in page if not (b.line and _band(b) in running)]) for page in laid_out]
    join = dehyphenator(pages)
    return [join(page) for page in pages], _pdf_info(document)


@dataclass(frozen=True, slots=True)
class _Box:
    """A text box of a page: its text and where it sits (points from the page's foot)."""

    text: str
    y0: float
    y1: float

    @property
    def line(self) -> bool:
        return "\n" not in self.text and len(self.text) <= 120


def _band(box: _Box) -> tuple[int, int]:
    return round(box.y0), round(box.y1)


def _running_bands(pages: list[list[_Box]]) -> set[tuple[int, int]]:
    """Where a running header or footer is printed: a height at which the top or bottom line
    of at least half the pages (three or more) sits, and where some line's text, its digits
    aside, recurs on three pages ("Chapter 6: Legal Matters 3", a page number)."""
    if len(pages) < 3:
        return set()
    pages_at: dict[tuple[int, int], int] = {}
    texts_at: dict[tuple[tuple[int, int], str], int] = {}
    for page in pages:
        if not page:
            continue
        top, bottom = max(b.y1 for b in page), min(b.y0 for b in page)
        edges = {_band(b) for b in page if b.line and (b.y1 == top or b.y0 == bottom)}
        for band in edges:
            pages_at[band] = pages_at.get(band, 0) + 1
        for b in page:
            if b.line and _band(b) in edges:
                key = (_band(b), re.sub(r"\d+|\b[ivxlc]+\b", "#", b.text))
                texts_at[key] = texts_at.get(key, 0) + 1
    recurring = {band for (band, _), n in texts_at.items() if n >= 3}
    return {band for band, n in pages_at.items() if n >= max(3, len(pages) / 2) and band in recurring}


_ENDS_SENTENCE = re.compile(r"[.!?:;…]['\"’”)\]]*$")


def _join_broken(boxes: list[str]) -> str:
    """A page's boxes as blocks separated by blank lines, where a box that stops mid-sentence
    and the next box that goes on in lower case ("... working on the" + "package; we will
    ...") are one block: a paragraph whose first line is indented, or whose last line is
    spaced apart, comes out of the layout analysis as two boxes."""
    blocks: list[str] = []
    for box in boxes:
        if blocks and box[:1].islower() and not _ENDS_SENTENCE.search(blocks[-1]):
            blocks[-1] += "\n" + box
        else:
            blocks.append(box)
    return "\n\n".join(blocks)


def _with_stray_pieces(boxes: list) -> dict[int, list[list]]:
    """Each box's printed rows (by the box's id, see :func:`_rows`), where a one-line box that is a piece of another
    box's printed line (pdfminer splits a justified line at a wide space: "after
    that time, please send a reminder." | "If there is still no response after an
    additional") joins that box: it sits at the height of one of its rows, right of that
    row's end or left of its start by less than a line's height (a column's gutter is
    wider). Such a piece is left out of the result's keys."""
    lines = {id(box): list(box) for box in boxes}
    rows = {id(box): _rows(box) for box in boxes}
    for piece in boxes:
        if id(piece) not in lines or len(rows[id(piece)]) != 1:
            continue
        for box in boxes:
            if box is piece or id(box) not in lines or len(rows[id(box)]) < 2 or piece.y1 < box.y0 or piece.y0 > box.y1:
                continue
            level = [row for row in rows[id(box)] if piece.y0 <= (row[0].y0 + row[0].y1) / 2 <= piece.y1]
            if not level:
                continue
            start, end, height = min(l.x0 for l in level[0]), max(l.x1 for l in level[0]), level[0][0].y1 - level[0][0].y0
            # closer to the row's end (or start) than a line's height: no column's gutter between
            if 0 <= piece.x0 - end + 1 <= height or 0 <= start - piece.x1 + 1 <= height:
                lines[id(box)] += lines.pop(id(piece))
                rows[id(box)] = _rows(lines[id(box)])
                break
    return {key: rows[key] for key in lines}


def _rows(box) -> list[list]:
    """A box's lines as printed rows from the top, where pdfminer's pieces of one printed line
    (split at a wide space or a change of font) are one row, left to right: pdfminer may
    otherwise order such a piece before the line above it."""
    rows: list[list] = []
    for line in sorted(box, key=lambda line: -(line.y0 + line.y1)):
        middle = (line.y0 + line.y1) / 2
        if rows and rows[-1][0].y0 <= middle <= rows[-1][0].y1:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [sorted(row, key=lambda line: line.x0) for row in rows]


def _rows_text(rows: list[list]) -> str:
    return "\n".join(" ".join(piece.get_text().strip() for piece in row) for row in rows)


def _font(rows: list[list]) -> tuple[str, int]:
    """The font most of the rows' letters are set in (name and size)."""
    from pdfminer.layout import LTChar

    counts: dict[tuple[str, int], int] = {}
    for row in rows:
        for line in row:
            for ch in line:
                if isinstance(ch, LTChar) and ch.get_text().isalpha():
                    key = (ch.fontname, round(ch.size))
                    counts[key] = counts.get(key, 0) + 1
    return max(counts, key=counts.get) if counts else ("", 0)


def _heads(rows: list[list]) -> bool:
    """Whether a box's first row is a heading over the paragraph below it: a few words that
    end no sentence, printed shorter than the paragraph's lines and in another font
    ("6.6.3 License Notices for Code" above two lines of "Typically the license notice ...")."""
    first, below = _rows_text(rows[:1]).strip(), _rows_text(rows[1:2]).strip()
    words = first.split()
    if not 2 <= len(words) <= 12 or len(rows) < 3 or not first[:1].isalnum() or first[:1].islower() \
            or not below[:1].isupper() or re.search(r"[.!?:;,-]\W*$|[.!?;]\s", first) \
            or not re.search(r"[^\W\d_]{2}", first):
        return False
    width = max(line.x1 for line in rows[0]) - min(line.x0 for line in rows[0])
    widest = max(max(line.x1 for line in row) - min(line.x0 for line in row) for row in rows[1:])
    return width < 0.9 * widest and _font(rows[:1]) != _font(rows[1:])


def _pdf_box(text: str) -> str:
    """A text box as one block: ligatures and compatibility forms normalised (NFKC), its
    line breaks kept, the wide gaps of justified lines made single spaces, blank lines and
    trailing spaces dropped."""
    text = _UNMAPPED.sub("", unicodedata.normalize("NFKC", text).replace("\f", ""))
    lines = (re.sub(r"(?<=\S)[ \t]{2,}(?=\S)", " ", line.rstrip()) for line in text.splitlines())  # justified gaps
    return "\n".join(line for line in lines if line.strip())


# pdfminer's stand-in for a glyph it cannot map to a character ("c(cid:13)" for a drawn ©)
_UNMAPPED = re.compile(r"\(cid:\d+\)")


def _pdf_info(document) -> dict[str, str]:
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    info: dict[str, str] = {}
    for entry in document.info:
        for key in ("Title", "Author", "CreationDate"):
            value = resolve1(entry.get(key))
            if isinstance(value, bytes):
                value = decode_text(value)
            if isinstance(value, str) and collapse(value) and key not in info:
                info[key] = collapse(value.replace("\x00", ""))
    return info
