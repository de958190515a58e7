"""Text primitives: display cleaning, sentence spans, keyword tokens, numbers and dates."""

from __future__ import annotations

import re
from pathlib import Path
import unicodedata
from functools import lru_cache

# --- display cleaning -------------------------------------------------------------

_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_SUP = re.compile(r"</?sup>")
_ESCAPE = re.compile(r"\\([$()\[\]*_#.\-])")
_EMPHASIS = re.compile(r"\*{1,3}|(?<!\w)_{1,2}|_{1,2}(?!\w)")
_LEADING_MARK = re.compile(r"^\s*(?:#{1,6}\s+|[-*•]\s+)+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=32768)
def clean(text: str) -> str:
    """Text for display: markdown marks, escapes and line breaks removed."""
    text = _MD_LINK.sub(r"\1", text)
    text = _SUP.sub("", text)
    text = _ESCAPE.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    return _LEADING_MARK.sub("", text).strip()


# --- sentences --------------------------------------------------------------------

_ABBREVIATIONS = frozenset(
    "e.g i.e mr mrs ms dr no nos para paras doc vol st amb h.e u.s u.n jr inc co fig p pp "
    "art cf vs al op ibid approx dept gen lt col sr esq rev prof".split()
)
_END = re.compile(r"[.!?]+[\"'”’)\]*]*[¹²³⁴⁵⁶⁷⁸⁹⁰]*(?=\s)")
_ENUMERATOR_BEFORE = re.compile(r"(?:^|\n)\s*(?:[-*•]\s*)?\(?\d{1,3}(?:\.\d{1,3})*$")  # "1." or "1.1." opening an item
_NEXT_OK = re.compile(r"\s+[\"'“‘(*\-•A-Z0-9¹²³⁴⁵⁶⁷⁸⁹⁰]")
_LIST_START = re.compile(r"^\s*(?:[-*•]\s|\d{1,3}[.)-]\s|\(?[a-z]\)\s|\(?[ivx]{1,4}\)\s|#)")
_TERMINAL = re.compile(r"[.!?:;\"”’)]\**[¹²³⁴⁵⁶⁷⁸⁹⁰\d]*\s*$")


def ends_sentence(text: str) -> bool:
    """True when ``text`` ends with sentence-final punctuation."""
    return bool(_TERMINAL.search(text.rstrip()))


_STATEMENT_END = re.compile(r"[.!?][\"”’)]*\**[¹²³⁴⁵⁶⁷⁸⁹⁰\d]*\s*$")


def ends_statement(text: str) -> bool:
    """True when ``text`` ends with a full stop, question or exclamation mark."""
    return bool(_STATEMENT_END.search(text.rstrip()))


def _is_abbreviation(before: str) -> bool:
    word = re.search(r"([\w.]+)$", before)
    if not word:
        return False
    token = word.group(1).lower().rstrip(".")
    return (
        token in _ABBREVIATIONS
        or bool(re.fullmatch(r"[a-z]", token))
        or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", token))
    )


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (whitespace trimmed)."""
    cuts: list[int] = []
    for match in _END.finditer(text):
        end = match.end()
        if not _NEXT_OK.match(text, end):
            continue
        if match.group(0).startswith(".") and _is_abbreviation(text[: match.start()]):
            continue
        if _ENUMERATOR_BEFORE.search(text[: match.start()]):
            continue  # "1." opening a list item ends nothing
        cuts.append(end)
    # line breaks also end a sentence when the next line is a list item or heading,
    # or the line ends with punctuation or a markdown hard break
    for match in re.finditer(r"\n", text):
        before = text[: match.start()]
        after = text[match.end():]
        continues = bool(re.match(r"\s*[a-z]", after))  # '"Contributor"' then 'means ...' on the next line
        if _LIST_START.match(after) or before.endswith("  ") or (ends_sentence(before[-3:] or " ") and not continues):
            cuts.append(match.start())
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in sorted(set(cuts)) + [len(text)]:
        piece = text[start:cut]
        left = len(piece) - len(piece.lstrip())
        right = len(piece.rstrip())
        if right > left:
            spans.append((start + left, start + right))
        start = cut
    return spans


# --- numbers, dates, tokens ---------------------------------------------------------

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_NUMBER_WORD = re.compile(
    r"\b(?:(" + "|".join(_TENS) + r")(?:[-\s](" + "|".join(_UNITS) + r"))?|("
    + "|".join(_UNITS) + r"))\b",
    re.IGNORECASE,
)
MONTHS = (
    "january february march april may june july august september october november december"
).split()
# a quantity stands alone: not part of a code such as A4P, Covid-19 or S/PRST/2001/3
# a number, not a part of a dotted one ("Section 6.7.3.1", a version "1.2.3")
# a number, not part of a name or code ("COVID-19", "A4P-2", "v1.2"); either end of a range ("7-11 December") is one
# a unit written onto its number ("a 6.5m mirror", "2GB", "100ms", "10x faster"): the number is stated
_GLUED_UNIT = r"(?:[kcmn]?m|kg|mg|ms|h|min|[kmgt]i?b|[kmg]?hz|[km]?w|x)\b"
_DIGITS = re.compile(r"(?<![\w./])(?<![^\W\d]-)(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
                     r"(?:(?![\w/]|-[^\W\d]|\.\d)|(?=(?i:" + _GLUED_UNIT + r")))")
_YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})\b")
_DATE_WORD = re.compile(r"\b(" + "|".join(m.capitalize() for m in MONTHS) + r")\b")
# a month written short beside a day or a year ("dec 2020", "sept 2019", "7 dec"): the month
_SHORT_MONTHS = {m[:3]: m for m in MONTHS if m != "may"} | {"sept": "september"}
_SHORT = "(" + "|".join(_SHORT_MONTHS) + ")"
_SHORT_MONTH = re.compile(rf"\b{_SHORT}\.?(?=\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?\d{{4}}\b)"
                          rf"|(?<=\b\d\s){_SHORT}\b|(?<=\b\d\d\s){_SHORT}\b")


def full_months(text: str) -> str:
    """Lower-case ``text`` with short month names beside a day or a year written out."""
    return _SHORT_MONTH.sub(lambda m: _SHORT_MONTHS[m.group(m.lastindex)], text)


_SCALE = re.compile(r"\ba (hundred|thousand|million)\b", re.IGNORECASE)
_SCALES = {"hundred": "100", "thousand": "1000", "million": "1000000"}


@lru_cache(maxsize=32768)
def number_words_to_digits(text: str) -> str:
    """Replace cardinal number words (one..ninety-nine, "a thousand") by digits."""
    text = _SCALE.sub(lambda m: _SCALES[m.group(1).lower()], text)

    def repl(match: re.Match[str]) -> str:
        tens, unit, alone = match.group(1), match.group(2), match.group(3)
        if alone:
            return str(_UNITS[alone.lower()])
        return str(_TENS[tens.lower()] + (_UNITS[unit.lower()] if unit else 0))

    return _NUMBER_WORD.sub(repl, text)


_REFERENCE = re.compile(
    r"(?:resolutions?|paragraphs?|paras?\.?|annex|chapters?|sections?|§|pages?|p\.|pp\.|no\.|articles?|footnotes?)\s*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=32768)
def quantities(text: str) -> tuple[tuple[str, int, int], ...]:
    """Stated quantities with their spans in the digit-normalised text; document
    references (resolution 2436, paragraph 5) are not quantities."""
    normal = number_words_to_digits(text)
    found = []
    for match in _DIGITS.finditer(normal):
        if _REFERENCE.search(normal[max(0, match.start() - 14): match.start()]):
            continue
        found.append((match.group(0).replace(",", ""), match.start(), match.end()))
    return tuple(found)


def numbers(text: str) -> set[str]:
    """The quantities a text states, as digit strings (number words included)."""
    return {value for value, _, _ in quantities(text)}


def has_date(text: str) -> bool:
    """True when the text names a year or a month."""
    return bool(_YEAR.search(text) or _DATE_WORD.search(text))


STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves according did does tell say said says document documents report
    mention mentioned mentions give given list name named
    u r ur pls plz abt thx tho thru cuz wat ok okay vs""".split()  # chat spellings of "you", "are", "please", "what", ...
) | {n + t for n in ("don", "doesn", "didn", "isn", "wasn", "aren", "weren", "hasn", "haven", "hadn", "won", "wouldn",
                     "shouldn", "couldn", "mustn") for t in ("", "t")}  # "doesn't" and "doesnt": "does" with "not"


# a negation, a contracted one too, with its apostrophe or without ("doesn't", "doesnt")
# "no." before a figure or a word in lower case is "number" ("invoice no. 5", "Resolution No. 2436")
NEGATION = re.compile(r"\b(?:not|no(?!\.\s*(?-i:[\d#a-z]))|never|neither|nor|none|cannot|without)\b|n[’']t\b|\b(?:do|does|did|is|was|are|were|"
                      r"has|have|had|wo|would|should|could|must)nt\b", re.I)


# contractions with "is" typed without the apostrophe: a stopword, not a plural
_UNMARKED = frozenset(w + "s" for w in ("what", "wat", "who", "where", "when", "how", "that", "there", "he", "she"))


def _irregular_verbs() -> dict[str, str]:
    """Irregular verb forms -> base form ("wrote" -> "write"), from the data file that
    ``python -m eval.irregular_verbs`` writes (source: LemmInflect's tables, MIT)."""
    path = Path(__file__).with_name("irregular_verbs.tsv")
    rows = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    return {form: base for form, base in rows}


_IRREGULAR = _irregular_verbs()


def irregular_verb(word: str) -> bool:
    """Whether a lower-case word is an irregular verb form other than its base ("took", "led")."""
    return word in _IRREGULAR


def verb_form(word: str) -> bool:
    """Whether a lower-case word can be a verb in the past or third person: "sets", "signed",
    an irregular form ("led", "wrote"). Plural nouns pass too; the caller's context decides."""
    return word in _IRREGULAR or (bool(re.fullmatch(r"[a-z]{2,}(?:s|ed)", word)) and not word.endswith(("ss", "us", "is")))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light two-step stemmer: plurals first, then verb and noun endings, so that
    operate/operates/operating/operated/operation(s) share one stem; an irregular verb
    form is its base form first ("wrote", "written" -> "write")."""
    word = _IRREGULAR.get(word, word)
    if len(word) <= 3 or word.isdigit():
        return word
    # step 1: plurals
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("es") and word[:-2].endswith(("ss", "x", "z", "ch", "sh")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    # step 2: endings, keeping at least three letters of stem
    for suffix, replacement in (
        ("isation", "ize"), ("ization", "ize"), ("ational", "ate"), ("ation", "ate"),
        ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous"),
        ("ingly", ""), ("edly", ""), ("ing", ""), ("ed", ""), ("ly", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: len(word) - len(suffix)] + replacement
            break
    if word.endswith("e") and len(word) > 4 and not word.endswith(("ee", "ye")):
        word = word[:-1]  # operate -> operat, like operating -> operat
    return word


# a dotted number is a word of its own: a version ("3.6.0", "3.2") or a decimal ("2.5 million")
_WORD = re.compile(r"\d+(?:\.\d+)+|[a-z0-9]+(?:'[a-z]+)?")
# a version or number glued to a name of two letters or more: "gplv3", "mpl2", "libc6"
_VERSIONED = re.compile(r"^([a-z]{2,}?)v?(\d+)$")


def tokens(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Keyword tokens: lower-cased, number words as digits, stemmed, stopwords dropped."""
    return list(_tokens(text, keep_stopwords))


def written_apart(text: str, terms: set[str]) -> set[str]:
    """Which of ``terms`` (keyword tokens) the text writes as two words or hyphenated:
    "web site" and "e-mail" hold "website" and "email"."""
    words = re.findall(r"[a-z]+", unaccented(text).lower())
    return {joined for a, b in zip(words, words[1:]) if (joined := stem(a + b)) in terms}


_ACCENTED = re.compile(r"[À-ÖØ-öø-ɏḀ-ỿ]")  # Latin letters that may carry an accent
_MARKS = re.compile(r"[\u0300-\u036f]")  # the accents, once the letters are decomposed


def unaccented(text: str) -> str:
    """Letters without their accents ("Saint-Étienne" -> "Saint-Etienne", "Côte" -> "Cote"):
    people type names without them, and a keyword is one word either way."""
    if text.isascii() or not _ACCENTED.search(text):
        return text
    return _MARKS.sub("", unicodedata.normalize("NFD", text))


# a capital letter alone that chat writes in lower case for a word ("r u sure"): as a capital,
# a name ("the R language", "why is R named R?")
_LETTER_NAME = re.compile(r"(?<![\w.-])([RU])(?![\w-])")


@lru_cache(maxsize=32768)
def _tokens(text: str, keep_stopwords: bool) -> tuple[str, ...]:
    names = {letter.lower() for letter in _LETTER_NAME.findall(text)}
    text = full_months(number_words_to_digits(unaccented(clean(text)).lower().replace("’", "'")))
    out = []
    for word in _WORD.findall(text):
        word = word.split("'")[0]
        if word in _UNMARKED:
            word = word[:-1]  # "whats", "whos": "what's" typed without its apostrophe
        if not word or (not keep_stopwords and word in STOPWORDS and word not in names):
            continue
        if "." in word:  # "3.6.0": the whole, and its parts as "version 2.0" is typed "2"
            out += [word, *word.split(".")]
            continue
        glued = _VERSIONED.match(word)
        if glued:  # "gplv3", "mpl2", "amd64": the name and its version, as "GPL version 3" reads
            out += [stem(glued.group(1)), glued.group(2)]
            continue
        out.append(stem(word))
    return tuple(out)


_CAPS_WORD = re.compile(r"[A-Za-z]{2,}")


def unshouted(text: str) -> str:
    """A question typed in capitals, in lower case: "WHEN DID UNAMID CLOSE?" is read like "when
    did unamid close?", not as a row of acronyms. Mixed case ("When did UNAMID close?") stays."""
    words = _CAPS_WORD.findall(text)
    if len(words) >= 3 and sum(w.isupper() for w in words) >= 0.8 * len(words):
        return text.lower()
    return text


def capitalised_terms(text: str) -> set[str]:
    """Proper-noun-like words (capitalised not at sentence start, or acronyms), lower-cased."""
    words = re.findall(r"[A-Za-z][\w'-]*", clean(text))
    found = set()
    for i, word in enumerate(words):
        if word.isupper() and len(word) >= 2:
            found.add(word.lower())
        elif i > 0 and word[0].isupper() and word.lower() not in STOPWORDS:
            found.add(word.lower())
    return found
