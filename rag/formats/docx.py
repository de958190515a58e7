"""Word (.docx): paragraphs, lists and tables in order, read from the XML."""

from __future__ import annotations

import io
import re
import zipfile

from rag.formats.base import Extracted, Unreadable, MB, collapse, iso_date, short


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_DRAWINGS = {f"{_W}drawing", f"{_W}pict", f"{_W}object", f"{_MC}AlternateContent"}  # text boxes, shapes
_BOMB_RATIO, _BOMB_MEMBER_BYTES = 100, 10 * MB


def docx(raw: bytes, max_expanded_bytes: int) -> Extracted:
    """A Word file's text (checked for a zip bomb first), with its title, author, company and date."""
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
        raise Unreadable(f"not a readable Word file ({short(exc)})") from None
    except Exception as exc:  # damaged XML or package parts; none may escape
        raise Unreadable(f"not a readable Word file ({short(exc)})") from None
    text = "\n\n".join(block for block in blocks if block)
    if not re.search(r"\w", text):
        raise Unreadable("no text in the document")
    # python-docx invents core properties for a file without them; use only a file's own
    core = document.core_properties if "docProps/core.xml" in names else None
    return Extracted(
        text=text,
        format="docx",
        title=collapse(core.title or "") if core else "",
        author=collapse(core.author or "") if core else "",
        publisher=publisher,
        date=iso_date(core.created) if core and core.created else "",
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
        return f"{'#' * level} {collapse(text)}" if collapse(text) else ""
    p_pr = paragraph._p.pPr
    if re.search(r"\bList\b", style) or (p_pr is not None and p_pr.numPr is not None):
        return f"- {collapse(text)}" if collapse(text) else ""
    return "\n".join(line for line in map(collapse, text.splitlines()) if line)


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
            collapse(" ".join(_runs_text(p) for p in tc.iter(f"{_W}p")))
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
    return collapse(company.text or "") if company is not None else ""
