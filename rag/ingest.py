"""From files to paragraphs with exact character offsets.

Every paragraph satisfies ``paragraph.text == file_text[paragraph.start:paragraph.end]``.
Conversion debris (repeated logos, sponsor blocks, lone page numbers, contents pages) is
dropped; paragraphs cut by a page break are joined again (their span then covers what
lies between, but their display text and sentences skip it).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable

import yaml

from rag import text as T
from rag.errors import CorpusError
from rag.formats import SUPPORTED, Unreadable, extract
from rag.formats.base import dehyphenator
from rag.types import DocumentInfo, Paragraph, Sentence

MANIFEST = "manifest.yaml"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A document's metadata and the text that is stored and indexed for it (for a PDF,
    Word or HTML file, the extracted text; ``page_starts`` where its pages begin)."""

    info: DocumentInfo
    text: str
    page_starts: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file left out of the index, and why."""

    source: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "reason": self.reason}

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Corpus:
    """What a folder yielded: the documents read, and the files skipped."""

    sources: tuple[SourceFile, ...]
    skipped: tuple[Skipped, ...] = ()

    def __iter__(self):
        return iter(self.sources)

    def __len__(self) -> int:
        return len(self.sources)


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file found on disk and hashed, not yet read as text."""

    path: Path
    source: str  # how users see its name (see :func:`_display`)
    root: Path | None  # the folder it was found in
    sha256: str  # of the file's bytes: a changed file is a new version


# --- reading ----------------------------------------------------------------------


def _display(path: Path, root: Path | None) -> str:
    """How a file is named to users: relative to the folder that was ingested (prefixed
    with that folder's name), or its bare name; never the server's absolute path."""
    if root is not None:
        try:
            return (Path(root.name) / path.relative_to(root)).as_posix()
        except ValueError:
            pass
    return path.name


def _manifest(folder: Path, root: Path | None) -> dict[str, dict]:
    path = folder / MANIFEST
    if not path.exists():
        return {}
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{_display(path, root)} is not valid YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(entries, list):
        raise CorpusError(f"{_display(path, root)} should be a list of documents")
    return {str(e.get("file")): e for e in entries if isinstance(e, dict) and e.get("file")}


def _guess_title(text: str, name: str) -> str:
    for line in text.splitlines():
        line = T.clean(line)
        if len(line) > 3:
            return line[:200]
    return Path(name).stem


def _candidates(paths: Iterable[Path]) -> list[tuple[Path, Path | None]]:
    """(file, the folder it was found in) for every supported name in ``paths``; broken
    links are kept so that they can be reported, hidden files and folders are not."""
    found: dict[Path, Path | None] = {}
    for path in paths:
        path = Path(path).absolute()
        if path.is_dir():
            for p in path.rglob("*"):
                hidden = any(part.startswith(".") for part in p.relative_to(path).parts)
                if p.suffix.lower() in SUPPORTED and not hidden and (p.is_file() or p.is_symlink()):
                    found.setdefault(p, path)
        elif path.is_file() or path.is_symlink():
            if path.suffix.lower() not in SUPPORTED:
                raise CorpusError(f"{path.name}: only {', '.join(SUPPORTED)} files can be ingested")
            found.setdefault(path, None)
        else:
            raise CorpusError(f"{path}: no such file or directory")
    if not found:
        raise CorpusError(f"no supported documents ({', '.join(SUPPORTED)}) found in " + ", ".join(map(str, paths)))
    return sorted(found.items())


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Every supported file named or contained in ``paths``, sorted and de-duplicated."""
    return [path for path, _ in _candidates(paths)]


def over_limit(size: int, max_bytes: int) -> str:
    """Why a file of ``size`` bytes is refused, in the words users see everywhere."""
    return f"{size / 1e6:.1f} MB is over the {max_bytes / 1e6:g} MB limit (RAG_MAX_FILE_MB)"


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, or :class:`Unreadable` with the reason in a few words."""
    if path.is_symlink() and not path.exists():
        raise Unreadable("a broken symbolic link (its target does not exist)")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise Unreadable(over_limit(size, max_bytes))
        return path.read_bytes()
    except PermissionError:
        raise Unreadable("permission denied") from None
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror or exc})") from None


def scan(paths: Iterable[Path], *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[list[FileRef], list[Skipped]]:
    """The supported files in ``paths``, hashed (cheap: nothing is extracted yet), and the
    files that cannot even be read."""
    refs, skipped = [], []
    for path, root in _candidates(paths):
        shown = _display(path, root)
        try:
            raw = _read_bytes(path, max_bytes)
        except Unreadable as exc:
            skipped.append(Skipped(shown, str(exc)))
            continue
        refs.append(FileRef(path, shown, root, hashlib.sha256(raw).hexdigest()))
    return refs, skipped


def document_id(name: str, taken: Iterable[str] = ()) -> str:
    """A URL-safe id from a file name, made unique against ``taken`` with a numeric suffix."""
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(name).stem).strip("-.") or "document"
    taken = set(taken)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def from_bytes(name: str, raw: bytes, *, doc_id: str, source: str, meta: dict | None = None,
               origin: str = "folder", max_bytes: int = DEFAULT_MAX_BYTES) -> SourceFile:
    """Extract one file's text and metadata (``meta`` from ``manifest.yaml`` wins over the
    file's own). Raises :class:`Unreadable`."""
    if len(raw) > max_bytes:
        raise Unreadable(over_limit(len(raw), max_bytes))
    extracted = extract(name, raw)
    meta = meta or {}
    info = DocumentInfo(
        doc_id=doc_id,
        title=str(meta.get("title") or extracted.title or _guess_title(extracted.text, name)),
        source=source,
        publisher=str(meta.get("publisher") or extracted.publisher or ""),
        author=str(meta.get("author") or extracted.author or ""),
        date=str(meta.get("date") or extracted.date or ""),
        sha256=hashlib.sha256(raw).hexdigest(),
        format=extracted.format,
        pages=len(extracted.page_starts),
        origin=origin,
        added=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )
    return SourceFile(info, extracted.text, extracted.page_starts)


Reuse = Callable[[FileRef, str], "SourceFile | None"]


def read_sources(paths: Iterable[Path], *, max_bytes: int = DEFAULT_MAX_BYTES, reuse: Reuse | None = None,
                 exclude: Iterable[str] = ()) -> Corpus:
    """Read the documents (with ``manifest.yaml`` metadata where a folder has one).

    ``reuse(ref, doc_id)`` may return the document as already extracted (an unchanged
    file is not extracted again). A file that cannot be used (empty, binary, not UTF-8,
    unreadable, a broken link, too large, an encrypted or scanned PDF...) is skipped and
    named with the reason; the rest are read. Files named in ``exclude`` (as users see
    their names) are left out silently: they were removed from the index."""
    refs, skipped = scan(paths, max_bytes=max_bytes)
    exclude = set(exclude)
    refs = [r for r in refs if r.source not in exclude]
    sources = []
    manifests: dict[Path, dict[str, dict]] = {}
    seen: set[str] = set()
    for ref in refs:
        meta = manifests.setdefault(ref.path.parent, _manifest(ref.path.parent, ref.root)).get(ref.path.name, {})
        doc_id = document_id(ref.path.name)
        if doc_id in seen:
            raise CorpusError(f"two documents share the id {doc_id!r}; rename one of them")
        seen.add(doc_id)
        source = reuse(ref, doc_id) if reuse else None
        if source is not None and meta:  # the catalogue may have changed without the file
            fields = {k: str(meta[k]) for k in ("title", "publisher", "author", "date") if meta.get(k)}
            source = SourceFile(replace(source.info, **fields), source.text, source.page_starts)
        if source is None:
            try:
                source = from_bytes(ref.path.name, _read_bytes(ref.path, max_bytes), doc_id=doc_id,
                                    source=ref.source, meta=meta, max_bytes=max_bytes)
            except Unreadable as exc:
                skipped.append(Skipped(ref.source, str(exc)))
                continue
        sources.append(source)
    if not sources:
        reasons = "; ".join(map(str, skipped[:5]))
        raise CorpusError(f"no readable documents ({reasons})")
    return Corpus(tuple(sources), tuple(sorted(skipped, key=lambda s: s.source)))


# --- splitting --------------------------------------------------------------------

_BLOCK = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]\s|\d{1,3}[.)-]\s|\(?[a-z]\)\s)")
_UNDERLINE = re.compile(r"^[ \t]*([=\-~^*\"+])\1{2,}[ \t]*\n?$")  # "=====" under (or over) a heading
_DIRECTIVE = re.compile(r"\A\.\.\s+(?:[\w-]+::|_[^:\n]+:)\s*\Z")
_PAGE_NUMBER = re.compile(r"^\W*(?:page\s*)?\d{1,3}\W*$", re.IGNORECASE)
_FRONT_MATTER = re.compile(r"\A\s*---[ \t]*\n(?:[\w-]+:.*\n|[ \t]+.*\n|-[ \t].*\n)+---[ \t]*\Z")
# a contents or index line: "Title . . . . 21", or its leaders alone when the page numbers
# were set apart ("4.13.2 October 2000: Package Pools . . . . ."); an ellipsis ("...") is none
_TOC_LINE = re.compile(r"(?:(?:\.{3,}|(?:\.\s){3,}|\t)\s*\d+|(?:\s\.){4,}|\.{5,})\s*$")
_FOOTNOTE = re.compile(r"^(?:[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\d{1,2}\s+(?=[A-Z])|\[\d{1,3}\]\s+(?=\S))")  # "¹", "12 The", "[5] Licenses"


@dataclass
class _Piece:
    start: int
    end: int
    kind: str = "text"
    fragments: list[tuple[int, int]] | None = None
    level: int = 0  # a heading underlined ("Title\n=====", Markdown's setext and reStructuredText): its depth

    def spans(self) -> list[tuple[int, int]]:
        return self.fragments or [(self.start, self.end)]


def _blocks(text: str) -> list[_Piece]:
    """Runs of non-blank lines, split further at underlined headings and into list items."""
    pieces: list[_Piece] = []
    levels: dict[str, int] = {}  # an underline's character -> its level, in the order the document uses them
    for match in _BLOCK.finditer(text):
        lines = []
        offset = match.start()
        for line in match.group(0).splitlines(keepends=True):
            lines.append((offset, line))
            offset += len(line)
        for run in _underlined(text, lines, levels, front_matter=bool(_FRONT_MATTER.match(match.group(0).rstrip()))):
            if isinstance(run, _Piece):
                pieces.append(run)
                continue
            is_list = sum(bool(_LIST_ITEM.match(line)) for _, line in run) >= 2
            group: list[tuple[int, str]] = []
            for pos, line in run:
                if is_list and group and _LIST_ITEM.match(line):
                    pieces.append(_trim(text, group[0][0], pos))
                    group = []
                group.append((pos, line))
            pieces.append(_trim(text, group[0][0], run[-1][0] + len(run[-1][1])))
    return [p for p in pieces if p.end > p.start]


def _heads(line: str) -> bool:
    """Whether a line can be a heading over a rule: short, and not the end of a sentence."""
    line = line.strip()
    return 0 < len(line) <= 120 and not line.endswith((".", ",", ";", ":"))


def _underlined(text: str, lines: list[tuple[int, str]], levels: dict[str, int],
                front_matter: bool) -> list[list[tuple[int, str]] | _Piece]:
    """A block's lines as runs of lines, and the headings underlined in it ("Title" over
    "=====") as pieces of their own without the underline; an overline ("=====" over a
    title) is dropped too. A Markdown file's front matter ("---" fenced) is left whole.
    As reStructuredText has it, the first underline character a document uses heads level 1,
    the next new one level 2, and so on (``levels`` keeps the order across blocks): Markdown's
    "=" then "-", Sphinx's text output's "*", "=", "-", "~"."""
    if front_matter or not any(_UNDERLINE.match(line) for _, line in lines):
        return [lines]
    out: list[list[tuple[int, str]] | _Piece] = []
    run: list[tuple[int, str]] = []
    for pos, line in lines:
        rule = _UNDERLINE.match(line)
        if rule and run and not _heads(run[-1][1]):
            rule = None  # a rule under a sentence ("... in 2019.\n-----"): a separator set close, no heading
        if not rule:
            run.append((pos, line))
            continue
        if run:  # the line above is the heading
            head_pos, head = run.pop()
            if run:
                out.append(run)
            heading = _trim(text, head_pos, head_pos + len(head))
            heading.level = levels.setdefault(rule.group(1), len(levels) + 1)
            out.append(heading)
            run = []
    if run:
        out.append(run)
    return out


def _trim(text: str, start: int, end: int) -> _Piece:
    chunk = text[start:end]
    left = len(chunk) - len(chunk.lstrip())
    return _Piece(start + left, start + len(chunk.rstrip()))


def _norm(s: str) -> str:
    return re.sub(r"\W+", " ", s.lower()).strip()


# a note's mark at the end of a sentence: "... comply with the DFSG.  [3]"
_NOTE_REFERENCE = re.compile(r"\s*\[\d{1,3}\]\s*$")


def _is_title(lines: list[str]) -> bool:
    """Short unpunctuated lines, or one long line ending in a name or number (a document
    title such as "Letter dated 27 January 2021 from the Chair ... Security Council").
    A note's mark after the last sentence ("... the DFSG.  [3]") is no part of it."""
    cleaned = [T.clean(line) for line in lines]
    cleaned[-1:] = [_NOTE_REFERENCE.sub("", c) for c in cleaned[-1:]]
    if any(" = " in c for c in cleaned):
        return False  # an equation states something: "Assets - Liabilities = Equity"
    if len(lines) <= 8 and all(len(c) < 100 and not T.ends_statement(c) for c in cleaned) \
            and not _says_something(" ".join(cleaned)):
        return True
    last_word = cleaned[-1].split()[-1] if cleaned and cleaned[-1].split() else ""
    return (
        len(lines) == 1
        and len(cleaned[0]) < 250
        and "," not in cleaned[0]  # a by-line or list has commas; a title rarely does
        and not T.ends_sentence(cleaned[0])
        and (last_word[:1].isupper() or last_word[:1].isdigit())
    )


def _says_something(text: str) -> bool:
    """A sentence of five words or more ends inside the text ("... are described at
    https://www.gnu.org/software/devel.html, as well as throughout this document. In brief:"),
    where "Chapter 1. Definitions" or "Figure 3.2. Database backups" only number a title."""
    spans = T.sentence_spans(text)
    return any(len(text[s:e].split()) >= 5 for s, e in spans[:-1])


def _numbered_title(lines: list[str]) -> bool:
    """A chapter's number and its title on one line ("3 Accounts and Resources"), which a
    footnote's number and text ("3 Report of the Panel, 2015.") resemble: short, no comma,
    no closing stop, its longer words capitalised."""
    if len(lines) != 1:
        return False
    body = _FOOTNOTE.sub("", T.clean(lines[0]), count=1)
    return len(body) < 60 and "," not in body and not T.ends_sentence(body) and _title_cased(body)


def _title_cased(text: str) -> bool:
    """Most of the text's longer words capitalised, as in a title ("Integrity of The Author's Source Code")."""
    words = [w for w in re.findall(r"[A-Za-z][\w'-]*", text) if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


_LABELLED = re.compile(r"^[^:–—]{1,60}?(?::|\s[-–—])\s+(\S.*)$", re.S)  # "Term: value", "Term - value"


def _states(item: str) -> bool:
    """Whether a list item says something (a term and what it is, or a clause), where a
    menu's items ("- Prev", "- Next", "- Home") only name."""
    body = _LIST_ITEM.sub("", item, count=1)
    value = _LABELLED.match(body)
    if value and (re.search(r"\d", value.group(1)) or re.search(r"\b[a-z][a-z'-]*\b", value.group(1))):
        return True  # a label and its value: "Assets: Things you own", "Annual Percentage Rate: 5%"
    if _title_cased(body):
        return False  # "4. Integrity of The Author's Source Code": a numbered title
    return ":" in body.rstrip(":") or len(body.split()) >= 6


def _is_question_heading(lines: list[str]) -> bool:
    """One short line that asks a question: what a FAQ puts above its answer ("5.6. Why do
    I get ...?"). The paragraphs below it answer it, and carry it as their section."""
    return len(lines) == 1 and len(lines[0].strip()) < 250 and lines[0].rstrip().endswith("?")


# a line set out across the page ("NetHack Guidebook          12"): a running header or footer
# when three or more such lines differ only in their numbers
_SPREAD_LINE = re.compile(r"\A[ \t]*\S.*\S {3,}\S.*\Z")


def _running_key(raw: str) -> str:
    """What a running header or footer keeps from page to page: the line without its numbers."""
    return re.sub(r"\d+", "#", _norm(raw)) if "\n" not in raw.strip() and _SPREAD_LINE.match(raw) else ""


def _classify(text: str, pieces: list[_Piece]) -> None:
    counts = Counter(_norm(text[p.start:p.end]) for p in pieces)
    running = Counter(_running_key(text[p.start:p.end]) for p in pieces)
    running.pop("", None)
    for p in pieces:
        raw = text[p.start:p.end]
        display = T.clean(raw)
        lines = [line for line in raw.splitlines() if line.strip()]
        count = counts[_norm(raw)]
        if (
            not re.search(r"[A-Za-z]{2}", display)
            or _PAGE_NUMBER.match(display)
            or (count >= 3 and len(display) < 200)
            or running[_running_key(raw)] >= 3
            or (count == 2 and len(display) < 60 and T.ends_statement(display))
            or sum(bool(_TOC_LINE.search(line)) for line in lines) * 2 >= max(len(lines), 2)
        ):
            p.kind = "debris"
        elif _FRONT_MATTER.match(raw):
            p.kind = "debris"  # a Markdown file's metadata block ("---\ntitle: ...\n---")
        elif _DIRECTIVE.match(raw):
            p.kind = "debris"  # a reStructuredText directive alone (".. note::", ".. _label:"): markup, heading nothing
        elif raw.lstrip().startswith("|"):
            p.kind = "table"
        elif raw.lstrip().startswith(("```", "~~~")):
            p.kind = "text"  # a code block says what it says; it heads nothing
        elif _FOOTNOTE.match(raw) and not _numbered_title(lines):
            p.kind = "footnote"
        elif p.level or _LEVEL.match(raw) or _is_question_heading(lines):  # "# Title", not "#include" or "#tag"
            p.kind = "heading"
        elif _is_title(lines):
            # "- @yearly: once per year (January 1, at 00:00);" is an item, not a title
            p.kind = "list" if _LIST_ITEM.match(raw) and _states(display) else "heading"
        elif _LIST_ITEM.match(raw):
            p.kind = "list"


def _merge_page_breaks(text: str, pieces: list[_Piece]) -> list[_Piece]:
    """Join a paragraph cut by a page break (skipping debris and footnotes between)."""
    out: list[_Piece] = []
    for p in pieces:
        if p.kind in ("debris", "footnote", "table") or not out:
            out.append(p)
            continue
        # the last mergeable piece before p, skipping debris and footnotes
        j = len(out) - 1
        while j >= 0 and out[j].kind in ("debris", "footnote"):
            j -= 1
        prev = out[j] if j >= 0 else None
        body = T.clean(text[p.start:p.end])
        if prev is None or prev.kind == "table" or not body:
            out.append(p)
            continue
        prev_text = T.clean(text[prev.start:prev.end])
        last_word = prev_text.split()[-1] if prev_text.split() else ""
        continues = body[0].islower() or (
            prev.kind in ("text", "list")
            and len(prev_text) >= 100
            and not T.ends_sentence(prev_text)
            and (last_word[:1].islower() or last_word.endswith(","))  # cut mid-sentence
            and p.kind == "text"
            # by a page break: a paragraph on the same page that opens with a capital starts
            # afresh, though the one before lacks its full stop ("... by 120 developers")
            and "\f" in text[prev.end:p.start]
        )
        if continues and not _LIST_ITEM.match(text[p.start:p.end]):
            prev.fragments = prev.spans() + [(p.start, p.end)]
            prev.end = p.end
            if prev.kind == "heading":
                prev.kind = "text"
            continue
        out.append(p)
    # pieces swallowed inside a merged span stay paragraphs of their own (footnotes),
    # debris is dropped
    return [p for p in out if p.kind != "debris"]


def _sentences(text: str, spans: list[tuple[int, int]],
               join: Callable[[str], str] = lambda s: s) -> tuple[str, tuple[Sentence, ...]]:
    """Display text and sentences of a paragraph made of ``spans`` of the file; ``join``
    mends the words a plain text hyphenated at its line ends ("anes-\\n thetize")."""
    joined = ""
    offsets: list[tuple[int, int]] = []  # (offset in joined, offset in file)
    for start, end in spans:
        if joined:
            joined += " "
        offsets.append((len(joined), start))
        joined += text[start:end]

    def to_file(i: int) -> int:
        base_joined, base_file = 0, spans[0][0]
        for j_off, f_off in offsets:
            if j_off <= i:
                base_joined, base_file = j_off, f_off
        return base_file + (i - base_joined)

    sentences = []
    for s, e in T.sentence_spans(joined):
        display = T.clean(join(joined[s:e]))
        if display:
            sentences.append(Sentence(to_file(s), to_file(e - 1) + 1, display))
    return T.clean(join(joined)), tuple(sentences)


_LEVEL = re.compile(r"[ \t]*(#{1,6})\s")  # a Markdown heading's level, as the HTML and DOCX readers mark it


def _leads_in(display: str) -> bool:
    """A sentence that heads what follows it and counts it: "SQLite currently uses nine
    distinct types of temporary files:" heads the list of them and says how many, where
    "Challenges Forum consists of Partners from:" says nothing until the list does."""
    display = _NOTE_REFERENCE.sub("", display).rstrip()
    return display.endswith(":") and len(display.split()) >= 6 and bool(T.quantities(T.number_words_to_digits(display)))


def split_paragraphs(doc_id: str, text: str) -> list[Paragraph]:
    """Split a document's text into paragraphs whose text is the exact file slice."""
    pieces = _blocks(text)
    _classify(text, pieces)
    pieces = _merge_page_breaks(text, pieces)
    join = dehyphenator([text])
    paragraphs: list[Paragraph] = []
    headings: list[str] = []  # the run of consecutive headings above (title, by-line, date...)
    outline: dict[int, str] = {}  # the nearest "#", "##", ... heading above, by level
    previous_kind = ""
    seen_clean: list[str] = []
    for number, p in enumerate(pieces, start=1):
        display, sentences = _sentences(text, p.spans(), join)
        if p.kind == "heading":
            level = _LEVEL.match(text, p.start)
            depth = len(level.group(1)) if level else p.level
            if depth:  # a marked level ("## 39.2 Parameters", "Title\n====="): it is under the levels above it
                outline = {d: h for d, h in outline.items() if d < depth} | {depth: display}
                headings = []
            else:
                headings = headings + [display] if previous_kind == "heading" else [display]
        previous_kind = p.kind
        section = " — ".join([outline[d] for d in sorted(outline)] + headings)[:300]
        norm = _norm(display)
        duplicate = len(norm) >= 40 and any(norm in other for other in seen_clean)
        seen_clean.append(norm)
        paragraphs.append(
            Paragraph(
                doc_id=doc_id,
                number=number,
                start=p.start,
                end=p.end,
                text=text[p.start:p.end],
                kind=p.kind,
                section="" if p.kind == "heading" else section,
                clean=display,
                sentences=sentences,
                searchable=(p.kind != "heading" or _leads_in(display)) and not duplicate and len(norm) > 0,
            )
        )
    # a pull quote printed before the paragraph it repeats is a duplicate too
    norms = [_norm(p.clean) for p in paragraphs]
    result = []
    for i, p in enumerate(paragraphs):
        if p.searchable and len(norms[i]) >= 40 and any(
            norms[i] in norms[j] and len(norms[j]) > len(norms[i])
            for j in range(i + 1, len(paragraphs))
        ):
            p = Paragraph(**{**_fields(p), "searchable": False})
        result.append(p)
    return result


def _fields(p: Paragraph) -> dict:
    return {name: getattr(p, name) for name in Paragraph.__slots__}


# --- embedding windows --------------------------------------------------------------

WINDOW_WORDS = 150  # all-MiniLM-L6-v2 reads at most 256 word pieces


def windows(paragraph: Paragraph, max_words: int = WINDOW_WORDS) -> list[str]:
    """Texts to embed for a paragraph: the whole, or overlapping sentence windows."""
    prefix = f"{paragraph.section}: " if paragraph.section else ""
    if len(paragraph.clean.split()) <= max_words or len(paragraph.sentences) <= 1:
        return [prefix + paragraph.clean]
    out: list[str] = []
    sents = [s.text for s in paragraph.sentences]
    i = 0
    while i < len(sents):
        j, words = i, 0
        while j < len(sents) and (j == i or words + len(sents[j].split()) <= max_words):
            words += len(sents[j].split())
            j += 1
        out.append(prefix + " ".join(sents[i:j]))
        if j >= len(sents):
            break
        i = max(j - 1, i + 1)  # overlap by one sentence
    return out
