"""Which PDF extractor: pdfminer.six (``rag.formats``) against pypdf, on PDFs that also exist
as plain text (or HTML) to serve as the reference.

For each PDF and extractor: the share of the reference's word tokens recovered (bag of
words, counts clipped), the share of extracted tokens missing from the reference vocabulary
(run-together words such as "thepackage", split words such as "infor" "mation"), how many of
those are two reference words run together, the share of reference sentences found in the
extraction as an unbroken run of their letters and digits (reading order: whitespace, case
and punctuation do not count), and seconds per page. Prints a Markdown table.

    /work/main/.venv/bin/pip install pypdf   # only this script needs it
    python -m eval.pdf_fidelity FAQ.pdf FAQ.txt[.gz] [OTHER.pdf OTHER.html ...]
    python -m eval.pdf_fidelity --find /tmp/debdocs   # pairs NAME.pdf[.gz] with NAME.txt[.gz]

The Debian documents used in ``eval/reports/pdf_extractors.md``:

    cd /tmp && apt-get download debian-faq developers-reference
    for f in *.deb; do dpkg-deb -x $f /tmp/debdocs; done
"""

from __future__ import annotations

import argparse
import gzip
import io
import re
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rag.formats import extract

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "`": "'"})


@dataclass(frozen=True)
class Figures:
    document: str
    extractor: str
    pages: int
    recall: float  # reference tokens recovered
    foreign: float  # extracted tokens not in the reference vocabulary
    run_together: int  # foreign tokens that are two reference words joined
    sentences: float  # reference sentences found as unbroken runs of letters and digits
    seconds_per_page: float


def read(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


def reference_text(path: Path) -> str:
    raw = read(path)
    name = path.name.removesuffix(".gz")
    if name.endswith((".html", ".htm")):
        from bs4 import BeautifulSoup

        return BeautifulSoup(raw, "lxml").get_text(" ")
    return raw.decode("utf-8", errors="replace")


def normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()


def tokens(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", normal(text))


def squeeze(text: str) -> str:
    """Letters and digits only: line wrapping, spacing and markup such as the quotes and
    asterisks a text rendering puts around literals do not count."""
    return "".join(re.findall(r"[^\W_]+", normal(text)))


def sentences(text: str) -> list[str]:
    """Reference sentences of 8 to 60 words, squeezed for comparison."""
    flat = " ".join(normal(text).split())
    return [squeeze(s) for s in re.split(r"(?<=[.!?])\s+", flat) if 8 <= len(s.split()) <= 60]


def with_pdfminer(raw: bytes) -> tuple[str, int]:
    doc = extract("document.pdf", raw)
    return doc.text, len(doc.page_starts)


def with_pypdf(raw: bytes, mode: str = "plain") -> tuple[str, int]:
    try:
        from pypdf import PdfReader
    except ImportError:
        sys.exit("pypdf is not installed: /work/main/.venv/bin/pip install pypdf")
    reader = PdfReader(io.BytesIO(raw))
    pages = [page.extract_text(extraction_mode=mode) or "" for page in reader.pages]
    return "\n\f\n".join(pages), len(pages)


EXTRACTORS = {
    "pdfminer.six (rag.formats)": with_pdfminer,
    "pypdf": with_pypdf,
    "pypdf, layout mode": lambda raw: with_pypdf(raw, "layout"),
}


def measure(pdf: Path, reference: Path, extractor: str) -> Figures:
    raw = read(pdf)
    started = time.perf_counter()
    text, pages = EXTRACTORS[extractor](raw)
    elapsed = time.perf_counter() - started
    ref_text = reference_text(reference)
    ref, got = Counter(tokens(ref_text)), Counter(tokens(text))
    foreign = {t: n for t, n in got.items() if t not in ref}
    joined = sum(
        n for t, n in foreign.items()
        if t.isalpha() and any(t[:i] in ref and t[i:] in ref for i in range(2, len(t) - 1))
    )  # fmt: skip
    squeezed = squeeze(text)
    ref_sentences = sentences(ref_text)
    return Figures(
        document=pdf.name.removesuffix(".gz"),
        extractor=extractor,
        pages=pages,
        recall=sum(min(n, got[t]) for t, n in ref.items()) / max(sum(ref.values()), 1),
        foreign=sum(foreign.values()) / max(sum(got.values()), 1),
        run_together=joined,
        sentences=sum(s in squeezed for s in ref_sentences) / max(len(ref_sentences), 1),
        seconds_per_page=elapsed / max(pages, 1),
    )


def table(rows: list[Figures]) -> str:
    lines = [
        "| document | extractor | pages | reference words recovered | extracted words not in reference "
        "| of which two words run together | reference sentences found | s/page |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.document} | {r.extractor} | {r.pages} | {r.recall:.1%} | {r.foreign:.2%} "
            f"| {r.run_together} | {r.sentences:.1%} | {r.seconds_per_page:.3f} |"
        )
    return "\n".join(lines)


def find_pairs(folder: Path) -> list[tuple[Path, Path]]:
    """NAME.pdf[.gz] with NAME.txt[.gz] (else NAME.html) in the same folder."""
    pairs = []
    for pdf in sorted([*folder.rglob("*.pdf"), *folder.rglob("*.pdf.gz")]):
        stem = pdf.name.removesuffix(".gz").removesuffix(".pdf")
        for suffix in (".txt", ".txt.gz", ".html", ".html.gz"):
            reference = pdf.with_name(stem + suffix)
            if reference.exists():
                pairs.append((pdf, reference))
                break
    # a .pdf, its .pdf.gz and links to either are the same document
    seen, unique = set(), []
    for pdf, reference in pairs:
        key = pdf.resolve().with_name(pdf.resolve().name.removesuffix(".gz"))
        if key not in seen:
            seen.add(key)
            unique.append((pdf, reference))
    return unique


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="PDF REFERENCE [PDF REFERENCE ...]")
    parser.add_argument("--find", type=Path, help="a folder to search for NAME.pdf beside NAME.txt or NAME.html")
    args = parser.parse_args(argv)
    if args.find:
        pairs = find_pairs(args.find)
    elif args.files and len(args.files) % 2 == 0:
        pairs = list(zip(args.files[::2], args.files[1::2]))
    else:
        parser.error("give PDF REFERENCE pairs, or --find FOLDER")
    if not pairs:
        parser.error("no PDF with a reference text found")
    rows = [measure(pdf, reference, name) for pdf, reference in pairs for name in EXTRACTORS]
    print(table(rows))


if __name__ == "__main__":
    main()
