"""The fixed dev/test split, stratified by kind and document.

``python -m eval.split`` (re)writes the ``split`` field of every question file in
``eval/questions/``: about two thirds dev, one third test within every (kind, document)
stratum; the three wordings of a paraphrase group always fall on the same side. The
assignment depends only on the question ids, so running it again changes nothing.
``--merge DIR`` first gathers the writers' raw files (``DIR/*.yaml``) into one file per
corpus, recording who wrote each question.
"""

from __future__ import annotations

import argparse
import hashlib
from collections import defaultdict
from pathlib import Path

import yaml

from eval.questions import CORPORA

ORDER = ("id", "kind", "split", "doc", "group", "author", "question", "history", "answers", "evidence", "answerable")


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def assign(items: list[dict]) -> None:
    """Set ``split`` on every item: every third unit of a stratum, in hash order, is test."""
    units: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        units[item.get("group") or item["id"]].append(item)
    strata: dict[tuple[str, str], list[str]] = defaultdict(list)
    for unit, members in units.items():
        first = members[0]
        strata[(first.get("kind", ""), first.get("doc", ""))].append(unit)
    counter = 0  # runs across strata, so small strata still add up to one third test
    for stratum in sorted(strata):
        for unit in sorted(strata[stratum], key=_key):
            side = "test" if counter % 3 == 2 else "dev"
            counter += 1
            for item in units[unit]:
                item["split"] = side


def _ordered(item: dict) -> dict:
    return {k: item[k] for k in ORDER if k in item and item[k] not in (None, "", [])} | \
        {k: v for k, v in item.items() if k not in ORDER}


def write(path: Path, items: list[dict]) -> None:
    header = ("# Evaluation questions, written from the documents only by people who never saw the code\n"
              "# (eval/questions/BRIEF.md was their brief). `split` is fixed by `python -m eval.split`:\n"
              "# choose everything on dev; test is the gate.\n")
    path.write_text(header + yaml.safe_dump([_ordered(i) for i in items], sort_keys=False, allow_unicode=True,
                                            width=120), encoding="utf-8")


def merge(raw_dir: Path) -> None:
    """Gather the raw files into one question file per corpus."""
    by_corpus: dict[str, list[dict]] = defaultdict(list)
    seen: set[str] = set()
    for path in sorted(raw_dir.glob("*.yaml")):
        # the longest corpus name the file's name starts with: "maintainers.yaml" is not "main"
        corpus = max((c.name for c in CORPORA if path.stem.startswith(c.name)), key=len, default="main")
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            item.setdefault("author", f"writer-{path.stem}")
            if item["id"] in seen:  # two writers chose the same id
                item["id"] = f"{path.stem}-{item['id']}"
                if item.get("group"):
                    item["group"] = f"{path.stem}-{item['group']}"
            seen.add(item["id"])
            by_corpus[corpus].append(item)
    for corpus in CORPORA:
        if by_corpus.get(corpus.name):
            corpus.questions.parent.mkdir(parents=True, exist_ok=True)
            write(corpus.questions, by_corpus[corpus.name])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merge", type=Path, help="folder of raw question files to gather first")
    args = parser.parse_args()
    if args.merge:
        merge(args.merge)
    for corpus in CORPORA:
        if not corpus.questions.exists():
            continue
        items = yaml.safe_load(corpus.questions.read_text(encoding="utf-8")) or []
        assign(items)
        write(corpus.questions, items)
        counts = defaultdict(int)
        for item in items:
            counts[item["split"]] += 1
        print(f"{corpus.name}: {dict(counts)}")


if __name__ == "__main__":
    main()
