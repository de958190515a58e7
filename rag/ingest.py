"""From files to paragraphs with exact character offsets.

Every paragraph satisfies ``paragraph.text == file_text[paragraph.start:paragraph.end]``.
Conversion debris (repeated logos, sponsor blocks, lone page numbers, contents pages) is
dropped; paragraphs cut by a page break are joined again (their span then covers what
lies between, but their display text and sentences skip it).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml

from rag import text as T
from rag.errors import CorpusError
from rag.settings import PROJECT_ROOT
from rag.types import DocumentInfo, Paragraph, Sentence

SUPPORTED = (".txt", ".md")
MANIFEST = "manifest.yaml"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A document's metadata and its full text as read from disk."""

    info: DocumentInfo
    text: str


# --- reading ----------------------------------------------------------------------


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _manifest(folder: Path) -> dict[str, dict]:
    path = folder / MANIFEST
    if not path.exists():
        return {}
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise CorpusError(f"{_relative(path)} is not valid YAML: {exc}") from None
    if not isinstance(entries, list):
        raise CorpusError(f"{_relative(path)} should be a list of documents")
    return {str(e.get("file")): e for e in entries if isinstance(e, dict) and e.get("file")}


def _guess_title(text: str, path: Path) -> str:
    for line in text.splitlines():
        line = T.clean(line)
        if len(line) > 3:
            return line[:200]
    return path.stem


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Every supported file named or contained in ``paths``, sorted and de-duplicated."""
    files: set[Path] = set()
    for path in paths:
        if path.is_dir():
            files.update(p for p in path.rglob("*") if p.suffix.lower() in SUPPORTED)
        elif path.is_file():
            if path.suffix.lower() not in SUPPORTED:
                raise CorpusError(f"{path}: only {', '.join(SUPPORTED)} files can be ingested")
            files.add(path)
        else:
            raise CorpusError(f"{path}: no such file or directory")
    if not files:
        raise CorpusError("no .txt or .md documents found in " + ", ".join(map(str, paths)))
    return sorted(p.resolve() for p in files)


def read_sources(paths: Iterable[Path]) -> list[SourceFile]:
    """Read the documents (with ``manifest.yaml`` metadata where a folder has one)."""
    sources = []
    manifests: dict[Path, dict[str, dict]] = {}
    seen: set[str] = set()
    for path in expand_paths(paths):
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise CorpusError(f"{_relative(path)} is not UTF-8 text") from None
        meta = manifests.setdefault(path.parent, _manifest(path.parent)).get(path.name, {})
        doc_id = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem)
        if doc_id in seen:
            raise CorpusError(f"two documents share the id {doc_id!r}; rename one of them")
        seen.add(doc_id)
        info = DocumentInfo(
            doc_id=doc_id,
            title=str(meta.get("title") or _guess_title(text, path)),
            source=_relative(path),
            publisher=str(meta.get("publisher") or ""),
            author=str(meta.get("author") or ""),
            date=str(meta.get("date") or ""),
            sha256=hashlib.sha256(raw).hexdigest(),
        )
        sources.append(SourceFile(info, text))
    return sources


# --- splitting --------------------------------------------------------------------

_BLOCK = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]\s|\d{1,3}[.)-]\s|\(?[a-z]\)\s)")
_PAGE_NUMBER = re.compile(r"^\W*(?:page\s*)?\d{1,3}\W*$", re.IGNORECASE)
_TOC_LINE = re.compile(r"(?:\.{3,}|\t)\s*\d+\s*$")
_FOOTNOTE = re.compile(r"^(?:[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\d{1,2}\s+(?=[A-Z]))")


@dataclass
class _Piece:
    start: int
    end: int
    kind: str = "text"
    fragments: list[tuple[int, int]] | None = None

    def spans(self) -> list[tuple[int, int]]:
        return self.fragments or [(self.start, self.end)]


def _blocks(text: str) -> list[_Piece]:
    """Runs of non-blank lines, split further into list items."""
    pieces: list[_Piece] = []
    for match in _BLOCK.finditer(text):
        lines = []
        offset = match.start()
        for line in match.group(0).splitlines(keepends=True):
            lines.append((offset, line))
            offset += len(line)
        is_list = sum(bool(_LIST_ITEM.match(line)) for _, line in lines) >= 2
        group: list[tuple[int, str]] = []
        for pos, line in lines:
            if is_list and group and _LIST_ITEM.match(line):
                pieces.append(_trim(text, group[0][0], pos))
                group = []
            group.append((pos, line))
        pieces.append(_trim(text, group[0][0], match.end()))
    return [p for p in pieces if p.end > p.start]


def _trim(text: str, start: int, end: int) -> _Piece:
    chunk = text[start:end]
    left = len(chunk) - len(chunk.lstrip())
    return _Piece(start + left, start + len(chunk.rstrip()))


def _norm(s: str) -> str:
    return re.sub(r"\W+", " ", s.lower()).strip()


def _is_title(lines: list[str]) -> bool:
    """Short unpunctuated lines, or one long line ending in a name or number (a document
    title such as "Letter dated 27 January 2021 from the Chair ... Security Council")."""
    cleaned = [T.clean(line) for line in lines]
    if len(lines) <= 8 and all(len(c) < 100 and not T.ends_statement(c) for c in cleaned):
        return True
    last_word = cleaned[-1].split()[-1] if cleaned and cleaned[-1].split() else ""
    return (
        len(lines) == 1
        and len(cleaned[0]) < 250
        and "," not in cleaned[0]  # a by-line or list has commas; a title rarely does
        and not T.ends_sentence(cleaned[0])
        and (last_word[:1].isupper() or last_word[:1].isdigit())
    )


def _classify(text: str, pieces: list[_Piece]) -> None:
    counts = Counter(_norm(text[p.start:p.end]) for p in pieces)
    for p in pieces:
        raw = text[p.start:p.end]
        display = T.clean(raw)
        lines = [line for line in raw.splitlines() if line.strip()]
        count = counts[_norm(raw)]
        if (
            not re.search(r"[A-Za-z]{2}", display)
            or _PAGE_NUMBER.match(display)
            or (count >= 3 and len(display) < 200)
            or (count == 2 and len(display) < 60 and T.ends_statement(display))
            or sum(bool(_TOC_LINE.search(line)) for line in lines) * 2 >= max(len(lines), 2)
        ):
            p.kind = "debris"
        elif raw.lstrip().startswith("|"):
            p.kind = "table"
        elif _FOOTNOTE.match(raw):
            p.kind = "footnote"
        elif raw.lstrip().startswith("#") or _is_title(lines):
            p.kind = "heading"
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


def _sentences(text: str, spans: list[tuple[int, int]]) -> tuple[str, tuple[Sentence, ...]]:
    """Display text and sentences of a paragraph made of ``spans`` of the file."""
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
        display = T.clean(joined[s:e])
        if display:
            sentences.append(Sentence(to_file(s), to_file(e - 1) + 1, display))
    return T.clean(joined), tuple(sentences)


def split_paragraphs(doc_id: str, text: str) -> list[Paragraph]:
    """Split a document's text into paragraphs whose text is the exact file slice."""
    pieces = _blocks(text)
    _classify(text, pieces)
    pieces = _merge_page_breaks(text, pieces)
    paragraphs: list[Paragraph] = []
    headings: list[str] = []  # the run of consecutive headings above (title, by-line, date...)
    previous_kind = ""
    seen_clean: list[str] = []
    for number, p in enumerate(pieces, start=1):
        display, sentences = _sentences(text, p.spans())
        if p.kind == "heading":
            headings = headings + [display] if previous_kind == "heading" else [display]
        previous_kind = p.kind
        section = " — ".join(headings)[:300]
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
                searchable=p.kind != "heading" and not duplicate and len(norm) > 0,
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
