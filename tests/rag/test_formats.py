"""rag/formats.py: every test builds its file in memory (fpdf2, python-docx, zipfile, strings)."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile

import docx
import pytest
from fpdf import FPDF
from fpdf.enums import EncryptionMethod
from PIL import Image

from rag.formats import PAGE_BREAK, SUPPORTED, Extracted, Unreadable, extract
from rag.ingest import split_paragraphs

PAGE_TWO = "The quartermaster counted seventeen lanterns in the northern depot."


# --- PDF --------------------------------------------------------------------------------


def _pdf(pages: list[list[str]], *, encrypt: dict | None = None) -> bytes:
    """A PDF with one page per entry, each a list of paragraphs (lines split on "\\n")."""
    pdf = FPDF()
    pdf.set_title("Depot Inventory Report")
    pdf.set_author("Ana Quartermaster")
    pdf.set_creation_date(dt.datetime(2021, 3, 4, 10, 30, tzinfo=dt.timezone.utc))
    pdf.set_font("helvetica", size=12)
    for paragraphs in pages:
        pdf.add_page()
        for paragraph in paragraphs:
            for line in paragraph.split("\n"):
                pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(10)
    if encrypt:
        pdf.set_encryption(**encrypt)
    return bytes(pdf.output())


THREE_PAGES = [
    ["Inventory of the southern depot.", "Blankets and tents were counted in March."],
    ["Northern depot.", PAGE_TWO],
    ["Conclusions.", "Stocks are sufficient for the winter."],
]


def test_pdf_pages_text_and_metadata():
    doc = extract("report.PDF", _pdf(THREE_PAGES))
    assert doc.format == "pdf"
    assert len(doc.page_starts) == 3 and doc.page_starts[0] == 0
    assert PAGE_TWO in doc.text
    assert doc.page_at(doc.text.index(PAGE_TWO)) == 2
    assert doc.page_at(doc.text.index("Inventory of the southern")) == 1
    assert doc.page_at(doc.text.index("Stocks are sufficient")) == 3
    assert doc.page_at(len(doc.text) - 1) == 3
    assert doc.text.count(PAGE_BREAK) == 2
    for start in doc.page_starts[1:]:
        assert doc.text[start - len(PAGE_BREAK):start] == PAGE_BREAK
    assert (doc.title, doc.author, doc.date) == ("Depot Inventory Report", "Ana Quartermaster", "2021-03-04")


def test_pdf_paragraphs_are_separated_by_blank_lines():
    doc = extract("report.pdf", _pdf(THREE_PAGES))
    first_page = doc.text[: doc.page_starts[1]]
    assert "Inventory of the southern depot.\n\nBlankets and tents were counted in March." in first_page


def test_pdf_joins_a_word_hyphenated_across_lines_when_that_makes_a_word_or_mends_a_broken_one():
    page = [
        "The information was shared with every team.",
        "All of this infor-\nmation came from the well-\nknown registry of the depot.",
        "Polymor-\nphing the tents into sheds was the idea of a quarter-\nmaster.",
    ]
    text = extract("h.pdf", _pdf([page])).text
    assert "this information came from the" in text
    assert "well-\nknown" in text  # "wellknown" is no word, "well" and "known" are: the hyphen stays
    assert "Polymorphing the tents" in text  # neither "polymor" nor "phing" is a word
    assert "a quartermaster." in text  # an English word, though the document has it nowhere else


def test_pdf_pieces_of_one_printed_line_stay_on_that_line_in_order():
    lines = [
        "One of the main reasons why many people choose this system over other systems is that it requires",
        "requires very little maintenance, while testing and unstable require constant maintenance from the",
        "administrator. If you are running stable, all you need to worry about is keeping track of updates.",
    ]
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    pdf.cell(0, 4.2, lines[0], new_x="LMARGIN", new_y="NEXT")
    pdf.cell(102, 4.2, "very little administration. People want a system that just works.")
    pdf.set_x(pdf.get_x() + 2)  # a wide space: pdfminer makes two text lines of this one
    pdf.cell(0, 4.2, "In general one can say that stable", new_x="LMARGIN", new_y="NEXT")
    for line in lines[1:]:
        pdf.cell(0, 4.2, line, new_x="LMARGIN", new_y="NEXT")
    text = extract("lines.pdf", bytes(pdf.output())).text
    assert "\nvery little administration. People want a system that just works. In general one can say that stable\nrequires" in text


def test_pdf_running_headers_and_page_numbers_are_left_out_and_body_lines_kept():
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    chapters = ["Chapter 1: Supplies", "Chapter 1: Supplies", "Chapter 2: Transport", "Chapter 2: Transport"]
    for number, chapter in enumerate(chapters, start=1):
        pdf.add_page()
        pdf.set_xy(20, 12)
        pdf.cell(120, 5, chapter)
        pdf.set_xy(180, 12)
        pdf.cell(10, 5, str(number))
        pdf.set_xy(20, 40)  # every page's first body line sits at the same height
        pdf.cell(0, 5, f"Depot {number} counted its tents.", new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(20)
        pdf.cell(0, 5, "Blankets were counted in March and again in May.")
    doc = extract("headers.pdf", bytes(pdf.output()))
    assert "Chapter" not in doc.text
    assert not any(line.strip().isdigit() for line in doc.text.splitlines())
    for number in range(1, 5):
        assert f"Depot {number} counted its tents." in doc.text


def test_pdf_a_paragraph_cut_into_two_boxes_is_one_block():
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.set_xy(26, 30)  # an indented first line, which the layout analysis boxes on its own
    pdf.cell(0, 5, "You can request accounts for people who help you in working on the")
    pdf.set_xy(20, 35)
    pdf.cell(0, 5, "package; we will do this in special cases.")
    pdf.set_xy(26, 48)
    pdf.cell(0, 5, "Other resources are described here.")
    doc = extract("boxes.pdf", bytes(pdf.output()))
    assert "working on the\npackage; we will do this" in doc.text
    assert "special cases.\n\nOther resources" in doc.text  # a sentence that ended still ends its block


def test_pdf_a_heading_set_close_above_its_paragraph_is_a_block_of_its_own():
    body = ["Typically the license notice for program files should cite the licence of the",
            "package, like the notice below, and name the year in which the file was first",
            "written by its authors."]
    pdf = FPDF()
    pdf.add_page()
    pdf.set_xy(20, 30)
    pdf.set_font("helvetica", style="B", size=11)
    pdf.cell(0, 5, "6.3 License Notices for Code", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    for line in body:
        pdf.set_x(20)
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(20, 70)
    for line in body:  # the same lines without a heading stay one paragraph
        pdf.set_x(20)
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    text = extract("heads.pdf", bytes(pdf.output())).text
    assert "6.3 License Notices for Code\n\nTypically the license notice" in text
    assert text.count("\n".join(body)) == 2


def test_pdf_a_piece_of_a_printed_line_boxed_apart_rejoins_its_line():
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    pdf.set_xy(20, 30)
    first = "after that time, please send a reminder."
    pdf.cell(pdf.get_string_width(first), 4.2, first)
    pdf.set_x(pdf.get_x() + 3)  # a wide space: pdfminer boxes the rest of the line on its own
    pdf.cell(0, 4.2, "If there is still no response after an additional", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(20)
    pdf.cell(0, 4.2, "week, please write to the maintainers about it.", new_x="LMARGIN", new_y="NEXT")
    text = extract("pieces.pdf", bytes(pdf.output())).text
    assert "reminder. If there is still no response after an additional\nweek, please write" in text


def test_pdf_a_line_across_a_column_gutter_stays_in_its_column():
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    left = ["Depots in the north counted", "their tents in March and", "again in May of that year."]
    for i, line in enumerate(left):
        pdf.set_xy(20, 30 + 4.2 * i)
        pdf.cell(60, 4.2, line)
    pdf.set_xy(90, 30 + 4.2)  # the other column, level with the second line, a gutter away
    pdf.cell(60, 4.2, "Summary of findings")
    text = extract("columns.pdf", bytes(pdf.output())).text
    assert "their tents in March and\nagain in May" in text and "and Summary" not in text


def test_pdf_unmapped_glyph_markers_are_dropped():
    from rag.formats.pdf import _pdf_box

    assert _pdf_box("Copyright c(cid:13) 1992 Free Software Foundation") == "Copyright c 1992 Free Software Foundation"


def test_pdf_encrypted_with_a_user_password_is_refused():
    raw = _pdf(THREE_PAGES, encrypt=dict(owner_password="boss", user_password="reader", encryption_method=EncryptionMethod.AES_128))
    with pytest.raises(Unreadable, match=r"^an encrypted PDF \(password protected\); remove the password"):
        extract("locked.pdf", raw)


@pytest.mark.parametrize("method", [EncryptionMethod.RC4, EncryptionMethod.AES_256])
def test_pdf_encrypted_with_only_an_owner_password_is_read(method):
    raw = _pdf(THREE_PAGES, encrypt=dict(owner_password="boss", encryption_method=method))
    assert b"/Encrypt" in raw
    doc = extract("restricted.pdf", raw)
    assert doc.page_at(doc.text.index(PAGE_TWO)) == 2
    assert doc.title == "Depot Inventory Report"


def test_pdf_with_only_images_needs_ocr():
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")
    pdf.image(Image.new("RGB", (8, 8), (200, 30, 30)), x=30, y=90, w=40)
    with pytest.raises(Unreadable, match=r"^no extractable text; OCR is not supported$"):
        extract("scan.pdf", bytes(pdf.output()))


@pytest.mark.parametrize(
    "raw",
    [os.urandom(2048), b"%PDF-1.7\n" + os.urandom(4096), _pdf(THREE_PAGES)[:300]],
    ids=["random", "header-then-garbage", "truncated"],
)
def test_damaged_pdf_is_unreadable(raw):
    with pytest.raises(Unreadable, match=r"^not a readable PDF \(.+\)$"):
        extract("broken.pdf", raw)


# --- Word -------------------------------------------------------------------------------


def _docx() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Field Manual"
    document.core_properties.author = "Operations Desk"
    document.core_properties.created = dt.datetime(2020, 11, 5, 8, 0)
    document.add_heading("Field Manual", level=0)  # style "Title"
    document.add_heading("Supplies", level=1)
    document.add_paragraph("Every unit keeps water for three days.")
    document.add_paragraph("")  # empty: skipped
    document.add_paragraph("Check the filters weekly.", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for (r, c), value in {(0, 0): "Item", (0, 1): "Days", (1, 0): "Water", (1, 1): "3"}.items():
        table.cell(r, c).text = value
    document.add_heading("Transport", level=2)
    document.add_paragraph("Trucks leave at dawn.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_blocks_in_document_order_with_markers_and_metadata():
    doc = extract("manual.docx", _docx())
    assert doc.format == "docx" and doc.page_starts == () and doc.page_at(5) == 0
    assert doc.text.split("\n\n") == [
        "# Field Manual",
        "# Supplies",
        "Every unit keeps water for three days.",
        "- Check the filters weekly.",
        "| Item | Days |\n| Water | 3 |",
        "## Transport",
        "Trucks leave at dawn.",
    ]
    assert (doc.title, doc.author, doc.date) == ("Field Manual", "Operations Desk", "2020-11-05")


def test_docx_zip_bomb_is_not_opened():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(12):  # 12 MiB of zeros, about 12 KB compressed
                member.write(chunk)
    raw = buffer.getvalue()
    assert len(raw) < 100_000
    # ratio over 100 and a member over 10 MiB
    with pytest.raises(Unreadable, match=r"^a compressed file that expands to 13 MB; not opened \(zip bomb\?\)$"):
        extract("bomb.docx", raw)
    # total over the limit given
    small = io.BytesIO()
    with zipfile.ZipFile(small, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>" * 100_000)
    with pytest.raises(Unreadable, match="expands to 1 MB"):
        extract("bomb.docx", small.getvalue(), max_expanded_bytes=1_000_000)


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def test_docx_reads_hyperlinks_tracked_insertions_and_content_controls_but_not_deletions():
    from lxml import etree

    document = docx.Document()
    paragraph = document.add_paragraph("See ")
    for xml in (
        f'<w:hyperlink xmlns:w="{W}"><w:r><w:t>the annex</w:t></w:r></w:hyperlink>',
        f'<w:ins xmlns:w="{W}" w:id="1" w:author="x"><w:r><w:t xml:space="preserve"> added</w:t></w:r></w:ins>',
        f'<w:del xmlns:w="{W}" w:id="2" w:author="x"><w:r><w:delText> removed</w:delText></w:r></w:del>',
    ):
        paragraph._p.append(etree.fromstring(xml))
    body_control = etree.fromstring(
        f'<w:sdt xmlns:w="{W}"><w:sdtContent><w:p><w:r><w:t>Inside a content control.</w:t></w:r></w:p></w:sdtContent></w:sdt>'
    )
    document.element.body.insert(0, body_control)
    buffer = io.BytesIO()
    document.save(buffer)
    assert extract("tracked.docx", buffer.getvalue()).text == "Inside a content control.\n\nSee the annex added"


@pytest.mark.parametrize("raw", [os.urandom(1024), b"PK\x03\x04" + os.urandom(200)], ids=["random", "bad-zip"])
def test_docx_that_is_not_a_zip(raw):
    with pytest.raises(Unreadable, match=r"^not a Word \.docx file$"):
        extract("memo.docx", raw)


def test_docx_zip_without_a_document_part():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(Unreadable, match=r"^not a Word \.docx file$"):
        extract("sheet.docx", buffer.getvalue())


def test_docx_without_text():
    document = docx.Document()
    document.add_paragraph("   ")
    buffer = io.BytesIO()
    document.save(buffer)
    with pytest.raises(Unreadable, match=r"^no text in the document$"):
        extract("blank.docx", buffer.getvalue())


# --- HTML -------------------------------------------------------------------------------

PAGE = """<!doctype html>
<html><head>
<meta charset="utf-8">
<title>Water Points | Field Wiki</title>
<meta name="author" content="Sam Engineer">
<meta property="article:published_time" content="2022-06-07T09:00:00Z">
<style>body { color: red; } .hidden-style-rule {}</style>
<script>var trackingSecret = 1;</script>
</head><body>
<nav><a href="/">Home navigation link</a></nav>
<header><p>Site banner text</p></header>
<main>
  <h1>Water   points</h1>
  <p>Each camp needs
     one tap per <b>250</b> people.</p>
  <h2>Maintenance</h2>
  <div>Pumps are serviced monthly.<p>Spare parts are kept at the depot.</p></div>
  <ul><li>Check the seals</li><li>Record the flow</li></ul>
  <table><tr><th>Site</th><th>Taps</th></tr><tr><td>North</td><td>12</td></tr></table>
  <pre>step 1
  step 2</pre>
  <!-- an editor's comment -->
</main>
<aside>Related articles sidebar</aside>
<footer>Copyright footer text</footer>
</body></html>"""


def test_html_main_content_as_blocks():
    doc = extract("water.html", PAGE.encode())
    assert doc.format == "html"
    assert doc.text.split("\n\n") == [
        "# Water points",
        "Each camp needs one tap per 250 people.",
        "## Maintenance",
        "Pumps are serviced monthly.",
        "Spare parts are kept at the depot.",
        "- Check the seals",
        "- Record the flow",
        "| Site | Taps |\n| North | 12 |",
        "```\nstep 1\n  step 2\n```",
    ]
    for chrome in ("trackingSecret", "color: red", "navigation", "banner", "sidebar", "footer", "comment"):
        assert chrome not in doc.text
    assert (doc.title, doc.author, doc.date) == ("Water Points | Field Wiki", "Sam Engineer", "2022-06-07")


def test_html_without_main_keeps_the_body_and_numbers_ordered_lists():
    raw = "<html><body><h3>Steps</h3><ol start='3'><li>Open the valve</li><li><p>Wait</p><ul><li>ten minutes</li></ul></li></ol></body></html>"
    doc = extract("steps.htm", raw.encode())
    assert doc.text == "### Steps\n\n3. Open the valve\n\n4. Wait\n\n- ten minutes"
    assert doc.title == ""  # neither a <title> nor an h1


def test_html_superscript_numbers_are_powers_after_a_digit_and_raised_marks_after_a_word():
    raw = ("<p>A database holds up to 2<sup><small>48</small></sup> bytes, a string 2<small><sup>31</sup></small>-1."
           " Peacekeepers<sup>12</sup> served; the 5<sup>th</sup> review.</p>")
    text = extract("limits.html", raw.encode()).text
    assert "2^48 bytes" in text and "2^31-1" in text  # not 248 bytes, not 231-1
    assert "Peacekeepers¹² served" in text and "5th review" in text


def test_html_a_menu_written_as_a_plain_list_of_links_is_dropped_and_a_list_of_facts_is_kept():
    raw = ("<body><div class=menu><ul><li><a href=index.html>Home</a><li><a href=about.html>About</a>"
           "<li><a href=download.html>Download</a></ul></div><h1>Limits</h1><p>The limits are these.</p>"
           "<ul><li><a href=a.html>Max DB size</a>: 281 terabytes<li>Max row size: 1 gigabyte<li>Max columns: 2000</ul>"
           "<ul><li><a href=x.html>Release notes</a><li><a href=y.html>Change log</a></ul></body>")
    text = extract("limits.html", raw.encode()).text
    assert "Home" not in text and "Download" not in text
    assert "- Max DB size: 281 terabytes" in text and "- Max columns: 2000" in text  # items that state things
    assert "- Release notes" in text  # two links are no menu


def test_html_navigation_named_by_its_class_is_dropped():
    raw = ("<body><div class='navheader'><table><tr><td><a href=p.html>Prev</a></td><td>Chapter 16. Depreciation</td>"
           "<td><a href=n.html>Next</a></td></tr></table></div><h2>16.1. Basic Concepts</h2>"
           "<p>Depreciation is the accounting method for expensing capital purchases over time.</p>"
           "<ul class='docnav'><li><a href=p.html>Prev</a></li><li>The Handbook</li></ul>"
           "<div class='canvas'><p>Kept: a class that only contains the letters.</p></div></body>")
    text = extract("dep.html", raw.encode()).text
    assert "Prev" not in text and "Chapter 16" not in text and "The Handbook" not in text
    assert "expensing capital purchases" in text and "Kept:" in text


def test_html_a_bar_of_links_that_only_move_through_the_document_is_dropped():
    raw = ("<body><div class='header'><p>Next: <a href='#Notation' accesskey='n' rel='next'>Notation</a>, Previous: "
           "<a href='#Legalese' rel='prev'>Legalese</a>, Up: <a href='#Intro' rel='up'>Introduction</a> &nbsp; "
           "[<a href='#SEC_Contents' rel='contents'>Contents</a>]</p></div><h3>1.2 Obtaining this document</h3>"
           "<p>The latest version is always available from CRAN. See the <a href='#cran' rel='next'>next section</a> "
           "for the mirrors, which are listed by country and updated every day.</p></body>")
    text = extract("faq.html", raw.encode()).text
    assert "Previous:" not in text and "Legalese" not in text
    assert "always available from CRAN" in text and "next section for the mirrors" in text  # a sentence is kept


def test_html_a_short_definition_is_an_item_with_its_term_and_a_long_one_opens_with_it():
    raw = ("<body><p>Everything can be placed into one of these accounts:</p><dl>\n<dt><b>Assets</b></dt>\n"
           "<dd><p>Things you own</p></dd>\n<dt>Liabilities</dt><dd>Things you owe</dd>\n<dt>Expansion factor</dt>"
           "<dd><p>This is a mechanism for changing the type of grids generated by the program.</p>"
           "<p>The default expansion factor of zero means that nothing is expanded at all.</p></dd></dl></body>")
    text = extract("accounts.html", raw.encode()).text
    assert "- Assets: Things you own\n\n- Liabilities: Things you owe" in text
    # the term opens the definition's first paragraph, so the two are found and quoted together
    assert "Expansion factor: This is a mechanism" in text and "\n\nThe default expansion factor" in text


def test_html_a_contents_page_of_nested_definition_lists_keeps_its_entries_apart():
    raw = ("<body><dl><dt>14.2. Firewall or Packet Filtering</dt><dd><dl><dt>14.2.1. nftables Behavior</dt></dl></dd>"
           "</dl><p>The kernel filters packets.</p></body>")
    text = extract("toc.html", raw.encode()).text
    assert "14.2. Firewall or Packet Filtering\n\n14.2.1. nftables Behavior" in text


def test_html_a_note_set_beside_its_icon_is_text_not_a_table():
    raw = ("<body><div class='tip'><table summary='Tip'><tr><td rowspan='2'><img alt='[Tip]' src='tip.png'></td>"
           "<th>Tip</th></tr><tr><td>Liabilities act in an opposite manner from assets.</td></tr></table></div>"
           "<table><tr><th>Year</th><th>Depreciation</th></tr><tr><td>1</td><td>$3333</td></tr></table></body>")
    text = extract("tip.html", raw.encode()).text
    assert "Tip\n\nLiabilities act in an opposite manner from assets." in text and "| Tip" not in text
    assert "| Year | Depreciation |" in text  # a table of data stays one


def test_html_keeps_an_articles_header_and_a_form_that_wraps_the_page():
    raw = """<html><body><form id="aspnetForm">
    <nav>Top menu</nav><form><input name="q"><button>Search the site</button><p>Search tips</p></form>
    <article><header><h1>Convoy rules</h1><p>By the logistics cell</p></header>
    <p>Convoys travel in daylight and keep radio contact every hour on the agreed channel.</p>
    <p hidden>Draft note not for readers</p><div aria-hidden="true">Decorative text</div></article>
    <footer>Contact us</footer></form></body></html>"""
    doc = extract("convoy.html", raw.encode())
    assert doc.text.split("\n\n") == [
        "# Convoy rules",
        "By the logistics cell",
        "Convoys travel in daylight and keep radio contact every hour on the agreed channel.",
    ]


def test_html_aria_roles_mark_chrome_and_content_and_permalinks_are_dropped():
    raw = b"""<?xml version="1.0" encoding="utf-8"?>
    <html xmlns="http://www.w3.org/1999/xhtml"><body>
    <div role="navigation"><h3>Navigation</h3><ul><li>index</li><li>next</li></ul></div>
    <div class="sidebar-wrapper"><p>Short sidebar note.</p></div>
    <div role="main"><h1>Managing packages<a class="headerlink" href="#managing">\xc2\xb6</a></h1>
    <p>This chapter explains how to create, upload, maintain and port packages for the archive.</p>
    <p>It also covers how to hand a package over to a new maintainer when you have to stop.</p></div>
    <div role="contentinfo">&#169; Copyright the authors.</div></body></html>"""
    doc = extract("pkgs.html", raw)
    assert doc.text.split("\n\n") == [
        "# Managing packages",
        "This chapter explains how to create, upload, maintain and port packages for the archive.",
        "It also covers how to hand a package over to a new maintainer when you have to stop.",
    ]


def test_html_title_falls_back_to_the_first_h1_and_charset_is_honoured():
    raw = '<html><head><meta charset="windows-1252"></head><body><h1>Caf\xe9 r\xe9sum\xe9</h1><p>Na\xefve \x93quotes\x94.</p></body></html>'
    doc = extract("cafe.html", raw.encode("latin-1"))
    assert doc.title == "Café résumé"
    assert doc.text == "# Café résumé\n\nNaïve \u201cquotes\u201d."


@pytest.mark.parametrize(
    "raw",
    [b"<html><head><title>Only a title</title><script>x()</script></head><body><nav>Menu</nav></body></html>", b"   \n"],
    ids=["chrome-only", "blank"],
)
def test_html_without_text(raw):
    with pytest.raises(Unreadable, match=r"^(no text in the page|the file is empty)$"):
        extract("empty.html", raw)


def test_html_with_a_garbled_charset_is_still_read():
    raw = b'<html><head><meta charset="ut\x0ff-8"></head><body><p>Tents and blankets arrived.</p></body></html>'
    assert extract("garbled.html", raw).text == "Tents and blankets arrived."  # lxml refuses that charset


def test_html_that_is_binary():
    with pytest.raises(Unreadable, match=r"^binary content, not HTML$"):
        extract("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


# --- plain text -------------------------------------------------------------------------


def test_text_is_returned_unchanged():
    text = "# Title\r\n\r\nA line with  two spaces,\ttabs and ﬁ ligatures.\n\n\n- item\n"
    doc = extract("notes.md", text.encode())
    assert doc == Extracted(text, "md")
    assert doc.page_at(3) == 0


def test_restructured_text_is_read_as_text():
    text = "Limits\n======\n\nAt most 12 workers run at once.\n"
    assert ".rst" in SUPPORTED and extract("guide.rst", text.encode()) == Extracted(text, "rst")


def test_text_loses_only_its_byte_order_mark():
    assert extract("a.TXT", b"\xef\xbb\xbfHello world\n").text == "Hello world\n"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "the file is empty"),
        (b" \n\t\n", "the file is empty"),
        (b"\xef\xbb\xbf  \n", "the file is empty"),
        (b"abc\x00def", "binary content, not text"),
        (b"caf\xe9 au lait", "not UTF-8 text (invalid byte at position 3)"),
        (b"--- *** ---\n", "no words in the file"),
    ],
)
def test_text_that_cannot_be_used(raw, reason):
    with pytest.raises(Unreadable) as info:
        extract("bad.txt", raw)
    assert str(info.value) == reason


# --- dispatch ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "shown"), [("slides.pptx", "'.pptx'"), ("README", "(no extension)"), ("dir.v2/notes", "(no extension)")])
def test_unsupported_file_type(name, shown):
    with pytest.raises(Unreadable) as info:
        extract(name, b"some words")
    assert str(info.value) == f"unsupported file type {shown}; supported: .txt, .md, .rst, .pdf, .docx, .html, .htm"


def test_supported_suffixes():
    assert SUPPORTED == (".txt", ".md", ".rst", ".pdf", ".docx", ".html", ".htm")


def test_page_at_counts_pages_from_one():
    doc = Extracted("aaa\n\f\nbbb\n\f\nccc", "pdf", page_starts=(0, 6, 12))
    assert [doc.page_at(i) for i in (0, 3, 5, 6, 11, 12, 100)] == [1, 1, 1, 2, 2, 3, 3]


def test_html_code_block_heads_nothing():
    # a shell comment opening a <pre> is code, not a "#" heading over the paragraphs after it
    raw = ("<html><body><h1>Accounts</h1><p>Write the following in your config file:</p>"
           "<pre># This is the account for author.\nHost example\n  User git</pre>"
           "<p>Then push with the alias.</p></body></html>")
    doc = extract("faq.html", raw.encode())
    paragraphs = split_paragraphs("faq", doc.text)
    after = next(p for p in paragraphs if p.text.startswith("Then push"))
    assert after.section.startswith("Accounts") and "account for author" not in after.section
    assert not any(p.kind == "heading" and "account for author" in p.text for p in paragraphs)
