"""Real files of every format, made on the spot with maintained libraries (fpdf2 writes
PDFs, python-docx Word files): for the tests and for ``make bench``."""

from __future__ import annotations

import io
from typing import Sequence


def pdf_bytes(pages: Sequence[str], *, title: str = "", author: str = "", user_password: str = "",
              image_only: bool = False) -> bytes:
    """A PDF with one page per text (paragraphs split on blank lines); ``image_only``
    draws shapes and no text (a scan, as far as text extraction can tell)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=11)
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    if user_password:
        pdf.set_encryption(owner_password="owner-" + user_password, user_password=user_password)
    if image_only:
        pdf.add_page()
        for i in range(12):
            pdf.set_fill_color(20 * i, 100, 200 - 10 * i)
            pdf.rect(15, 15 + 20 * i, 180, 14, style="F")
    for text in pages:
        pdf.add_page()
        for paragraph in text.split("\n\n"):
            pdf.multi_cell(0, 5, paragraph)  # 1.3 lines: one text box per paragraph
            pdf.ln(4)
    return bytes(pdf.output())


def docx_bytes(title: str, blocks: Sequence[tuple[str, str]]) -> bytes:
    """A Word file: core-properties ``title``, then (style, text) paragraphs; the style
    "Table" takes rows separated by ";" and cells by "|"."""
    import docx

    document = docx.Document()
    document.core_properties.title = title
    for style, text in blocks:
        if style == "Table":
            rows = [r.split("|") for r in text.split(";")]
            table = document.add_table(rows=len(rows), cols=max(map(len, rows)))
            for i, row in enumerate(rows):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = cell.strip()
        else:
            document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
