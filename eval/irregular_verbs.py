"""Writes ``rag/irregular_verbs.tsv``: English irregular verb forms and their base form
("wrote" and "written" -> "write", "led" -> "lead"), so that the keyword stemmer matches
"who wrote the report?" with "the report was written by ...". Regular forms ("-ed",
"-ing", "-s") the stemmer strips itself.

Source: the lemma tables of LemmInflect (https://github.com/bjascob/LemmInflect, MIT
licence), asked about every word of pyspellchecker's English word list. A form is kept
when LemmInflect knows it only as a form of one other verb: "left" (also an adjective and
a noun), "saw" (a noun) and "found" (a verb of its own) are not.

    pip install lemminflect && python -m eval.irregular_verbs
"""

from __future__ import annotations

import re
from pathlib import Path

from rag import text as T
from rag.spelling import english

OUT = Path(T.__file__).with_name("irregular_verbs.tsv")


def irregular_forms() -> dict[str, str]:
    import lemminflect

    out = {}
    for word in sorted(english()):
        if not word.isalpha() or word in T.STOPWORDS:
            continue
        lemmas = lemminflect.getAllLemmas(word)
        verb = lemmas.get("VERB")
        if not verb or len(verb) != 1 or verb[0] == word:
            continue
        if any(forms[0] == word for pos, forms in lemmas.items() if pos != "VERB"):
            continue  # a noun or an adjective in its own right
        lemma = verb[0]
        regular = re.fullmatch(re.escape(lemma.rstrip("e")) + r"[a-z]?(?:e?s|e?d|ing)", word) or \
            lemma.endswith("y") and word in (lemma[:-1] + "ied", lemma[:-1] + "ies")
        if not regular:
            out[word] = lemma
    return out


def main() -> None:
    forms = irregular_forms()
    lines = ["# form\tbase form; written by `python -m eval.irregular_verbs` from LemmInflect's tables (MIT)"]
    lines += [f"{form}\t{base}" for form, base in sorted(forms.items())]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(forms)} forms to {OUT}")


if __name__ == "__main__":
    main()
