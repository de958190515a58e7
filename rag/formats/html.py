"""Web pages (.html, .htm) with BeautifulSoup: the main content, headings kept, chrome dropped."""

from __future__ import annotations

import re
import warnings

from rag.formats.base import Extracted, Unreadable, binary, collapse, iso_date, short


_DROP = [
    "script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form",
    "iframe", "button", "select", "canvas", "object", "embed", "audio", "video",
]  # fmt: skip
_DROP_ROLES = ("navigation", "banner", "contentinfo", "complementary", "search")  # ARIA for nav, header...
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_SUPERSCRIPT_NUMBER = re.compile(r"\s*-?\d{1,4}\s*")
_RAISED = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
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


def html(raw: bytes) -> Extracted:
    """A web page's main text, with its title, author, site and date."""
    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    if binary(raw) and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Unreadable("binary content, not HTML")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)  # XHTML is read as HTML on purpose
        try:
            soup = BeautifulSoup(raw, "lxml")  # the encoding from a BOM, <meta charset> or detection
        except Exception:  # lxml refuses control characters in a charset name; html.parser does not
            try:
                soup = BeautifulSoup(raw, "html.parser")
            except Exception as exc:
                raise Unreadable(f"not a readable HTML page ({short(exc)})") from None
    titles = [t for t in soup.find_all("title") if not t.find_parent("svg")] + soup.find_all("h1", limit=1)
    title = next((collapse(t.get_text(" ")) for t in titles if collapse(t.get_text(" "))), "")
    meta = {}
    for tag in soup.find_all("meta"):
        key = str(tag.get("name") or tag.get("property") or "").lower()
        if key and tag.get("content") and key not in meta:
            meta[key] = collapse(str(tag["content"]))
    found = {field: next((meta[k] for k in keys if meta.get(k)), "") for field, keys in _META.items()}
    walker = _HtmlBlocks()
    walker.walk(_main_content(soup))
    walker.flush()
    text = "\n\n".join(walker.blocks)
    if not re.search(r"\w", text):
        raise Unreadable("no text in the page")
    return Extracted(
        text, "html", title=title, author=found["author"], publisher=found["publisher"], date=iso_date(found["date"])
    )


def _words(tag) -> int:
    return len(tag.get_text(" ").split())


def _main_content(soup):
    """The page without navigation, scripts and other chrome (by element or ARIA role); its
    <main> (or role="main") or <article> when one holds at least a quarter of the words left."""
    root = soup.body or soup
    page_words = _words(root)
    chrome = root.find_all(lambda t: t.name in _DROP or t.get("role") in _DROP_ROLES or _nav_class(t) or _page_links(t))
    for tag in chrome:
        if tag.decomposed:
            continue
        if (tag.name == "header" or tag.get("role") == "banner") and tag.find_parent(["main", "article"]):
            continue  # an article's own header holds its title
        if (tag.name == "form" or tag.get("role") == "search") and _words(tag) * 2 >= page_words:
            continue  # a form wrapping the whole page (ASP.NET)
        tag.decompose()
    menus = [tag for tag in root.find_all(["ul", "ol", "menu"]) if _link_bar(tag)]
    hidden = root.find_all(lambda t: t.has_attr("hidden") or t.get("aria-hidden") == "true")
    permalinks = root.find_all("a", href=re.compile("^#"), string=re.compile(r"^\s*[¶§#]\s*$"))
    for tag in menus + hidden + permalinks:  # "¶" after a Sphinx heading, "#" after a GitHub one
        if not tag.decomposed:
            tag.decompose()
    left = _words(root)
    for match in ("main", {"role": "main"}, "article"):
        found = root.find_all(match) if isinstance(match, str) else root.find_all(attrs=match)
        for tag in found:
            if _words(tag) * 4 >= left > 0:
                return tag
    return root


_NAV_CLASS = re.compile(r"^(?:nav\w*|\w*nav|breadcrumbs?)$", re.I)  # "navheader", "docnav", "navbar", "breadcrumb"


def _nav_class(tag) -> bool:
    """An element its class names as navigation: DocBook's "navheader" and "navfooter" rows,
    Publican's "docnav" list, a "breadcrumb" trail."""
    return any(_NAV_CLASS.match(name) for name in tag.get("class") or ())


# what a link leads to when it moves through the document rather than says something (HTML's link types)
_NAV_RELS = frozenset({"next", "prev", "previous", "up", "contents", "index", "start", "first", "last", "home"})


def _page_links(tag) -> bool:
    """A block that only moves through the document: links whose rel says so ("next", "prev",
    "up", "contents"), and a few labels ("Next: Notation, Previous: Legalese, Up:
    Introduction [Contents]", the bar Texinfo writes above every section)."""
    if tag.name not in ("div", "p", "table", "td", "tr"):
        return False
    links = tag.find_all("a")
    if not links or not all(set(a.get("rel") or ()) & _NAV_RELS for a in links):
        return False
    linked = sum(len(a.get_text(" ", strip=True).split()) for a in links)
    return len(tag.get_text(" ", strip=True).split()) <= linked + 2 * len(links)


def _link_bar(tag) -> bool:
    """A site's menu written as a plain list: three items or more, each a short link and
    nothing else ("Home", "About", "Download"), with no <nav> around it to say so."""
    items = tag.find_all("li", recursive=False)
    if len(items) < 3:
        return False
    for item in items:
        words = item.get_text(" ", strip=True).split()
        linked = sum(len(a.get_text(" ", strip=True).split()) for a in item.find_all("a"))
        if not words or len(words) > 4 or linked < len(words):
            return False
    return True


class _HtmlBlocks:
    """Walks an element tree, collecting text blocks; each piece of text lands in one block."""

    def __init__(self, plain: bool = False) -> None:
        self.blocks: list[str] = []
        self.inline: list[str] = []
        self.plain = plain  # inside a heading or table cell: no list markers

    def flush(self) -> None:
        lines = (collapse(line) for line in "".join(self.inline).split("\n"))
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
        elif name == "pre":  # a fenced code block: its "# comment" heads nothing, its "- x" lists nothing
            lines = [line.rstrip() for line in node.get_text().splitlines() if line.strip()]
            if lines:
                self._block("\n".join(["```", *lines, "```"]))
        elif name == "sup" and _SUPERSCRIPT_NUMBER.fullmatch(node.get_text()):
            self._superscript(node.get_text().strip())
        elif name == "dl" and not self.plain:
            self._definitions(node)
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

    def _superscript(self, digits: str) -> None:
        """A raised number: a power after a digit ("2<sup>48</sup>" is 2^48, not 248), else a
        note mark, raised as the PDF reader raises them ("peacekeepers¹²", not "peacekeepers12")."""
        before = "".join(self.inline).rstrip(" ")
        if before[-1:].isdigit():
            self.inline.append("^" + digits)
        else:
            self.inline.append(digits.translate(_RAISED))

    def _definitions(self, node) -> None:
        """A definition list. A term with a short definition of one paragraph is an item,
        "- Assets: Things you own"; a term with a longer one opens its first paragraph, as a
        glossary writes it ("bare repository: A bare repository is ..."), so the two are
        found, and quoted, together."""
        self.flush()
        pending = None
        for child in node.children:
            name = getattr(child, "name", None)
            if name is None and not str(child).strip():
                continue  # the white space between a term and its definition
            if name == "dt":
                if pending is not None:
                    self._block(_flat(pending))
                pending = child
            elif name == "dd" and pending is not None and _short_definition(child):
                self._block(f"- {_flat(pending)}: {_flat(child)}")
                pending = None
            elif name == "dd" and pending is not None and not child.find(["ul", "ol", "dl", "table"]):
                # a longer definition of paragraphs: the term opens its first one (a contents
                # page's nested lists of sections stay as they are)
                first = len(self.blocks)
                self.visit(child)
                term = _flat(pending).rstrip(" :")
                if first < len(self.blocks) and not re.match(r"(?:- |\d+\. |#|\|)", self.blocks[first]):
                    self.blocks[first] = f"{term}: {self.blocks[first]}"
                else:
                    self.blocks.insert(first, term)
                pending = None
            else:
                if pending is not None:
                    self._block(_flat(pending))
                    pending = None
                self.visit(child)
        if pending is not None:
            self._block(_flat(pending))
        self.flush()

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


def _short_definition(dd) -> bool:
    """A definition of one short paragraph ("Things you own"), nothing nested in it."""
    blocks = dd.find_all(["p", "div", "ul", "ol", "dl", "pre", "table"])
    return len(blocks) <= 1 and not dd.find(["ul", "ol", "dl", "pre", "table"]) and 0 < _words(dd) <= 20


def _flat(tag) -> str:
    """A heading's or cell's text on one line."""
    walker = _HtmlBlocks(plain=True)
    walker.walk(tag)
    walker.flush()
    return collapse(" ".join(walker.blocks))


def _layout_table(table) -> bool:
    """A table used for page layout rather than data: nested tables, one column, or long cells."""
    rows = table.find_all("tr")
    return (
        table.find("table") is not None
        # one column, or a note set beside its icon: no row has text in more than one cell
        or all(sum(bool(cell.get_text(strip=True)) for cell in tr.find_all(["td", "th"], recursive=False)) <= 1 for tr in rows)
        or any(_words(cell) > 200 for cell in table.find_all(["td", "th"]))
    )
