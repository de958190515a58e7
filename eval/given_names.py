"""Writes ``rag/given_names.txt``: first names, so that "who founded it?" is answered by a
sentence naming a person ("created by Ian Murdock") and not by any capitalised words
("start the installer from Microsoft Windows").

Source: the US Census Bureau's 1990 frequency lists of male and female first names (public
domain), as the ``names`` package ships them (https://github.com/treyhunner/names, MIT
licence). General knowledge about names, not about any document.

    pip install names==0.3.0 && python -m eval.given_names
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rag import kinds

OUT = Path(kinds.__file__).with_name("given_names.txt")
HEADER = ("# given names (lower case); from the US Census Bureau's 1990 name frequency lists (public domain), as packaged "
          "in 'names' 0.3.0 (MIT, https://github.com/treyhunner/names), written by `python -m eval.given_names`")


def given_names() -> list[str]:
    found: set[str] = set()
    for table in ("dist.male.first", "dist.female.first"):
        text = resources.files("names").joinpath(table).read_text(encoding="utf-8")
        found |= {line.split()[0].lower() for line in text.splitlines() if line.strip()}
    return sorted(found)


def main() -> None:
    names = given_names()
    OUT.write_text("\n".join([HEADER, *names]) + "\n", encoding="utf-8")
    print(f"wrote {len(names)} names to {OUT}")


if __name__ == "__main__":
    main()
