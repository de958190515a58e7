"""The default answerer: a fitted selector picks the sentence that answers, the answer
takes the form the question asks for, and a calibrated probability decides abstention.
Every word of an answer after its "Yes"/"No" is a verbatim quote with exact offsets."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable, Iterator, Sequence

from rag import text as T
from rag.answering.base import NOT_COVERED, make_citation, stream_whole
from rag.answering.features import (ANCHORED, CAUSE, ENUMERATOR, FEATURES, LEANS_BACK, QUESTION_FEATURES, ROLE_WORDS,
                                    Candidate, Vocabulary, asks_expansion, candidates, counted_values, defines, expanded_acronyms,
                                    long_form, new_names_in, question_features, said_words, type_match,
                                    unmentioned)
from rag.answering.selector import Selector, load_selector
from rag.conversation import rewrite
from rag.question import ANY, DATE, DEFINITION, FACT, LIST, NUMBER, REASON, YESNO, QuestionInfo, alternatives, analyse
from rag.titles import named
from rag.types import Answer, Paragraph, Passage, Sentence

S_COV = FEATURES.index("s_cov")
RIVAL_COVERAGE = 0.6
ITEMS_AHEAD = 2  # sentences a list question's quote that names no items goes on through to one that does
NEGATION_SCOPE = 4  # words after a negation that it denies
YESNO_DEPTH = 3  # candidates a yes/no question looks through for a denial
_ANAPHOR = re.compile(rf"^\W*(?:{LEANS_BACK})\b", re.I)
_YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b")
UNREADABLE = ("The documents don't cover this: most of the question's words are not words of the documents "
              "or of English, so it may be in a language they are not written in.")
_STATED = re.compile(r"^\W*(yes|no)[.,;:!]", re.I)  # evidence that answers a yes/no question itself


def _lead(text: str) -> str:
    """A sentence as an answer's opening: without the source's paragraph numbering ("24. ")."""
    return ENUMERATOR.sub("", text, count=1) or text


# where a long sentence divides into clauses: after ";", before a dash, and at a comma that
# opens a relative or contrasting clause
_CLAUSE_BREAK = re.compile(r"(?<=;)\s+|\s+(?=[–—]\s)|(?<=,)\s+(?=(?:which|while|whereas|but|although|though|"
                           r"including|where|who|whose|and|as well as|with)\b)")
# what carries a list of names on: a cut before it would drop the list's last items
_GOES_ON = re.compile(r"(?:and|or|as well as|including)\b", re.I)


def _clause_runs(c: Candidate, sentence: Sentence) -> Iterator[tuple[Sentence, str]]:
    """Every run of a sentence's clauses that the sentence quotes whole, as a verbatim quote,
    with what of the sentence follows it (none when the sentence has a single clause)."""
    p = c.passage.paragraph
    raw = p.text[sentence.start - p.start: sentence.end - p.start]
    cuts = [0, *(m.end() for m in _CLAUSE_BREAK.finditer(raw)), len(raw)]
    if len(cuts) <= 2:
        return
    for i in range(len(cuts) - 1):
        for j in range(i + 1, len(cuts)):
            piece = raw[cuts[i]:cuts[j]].rstrip(" ,;–—\n")
            text = T.clean(piece)
            if text in sentence.text:  # not one that takes in a piece set apart (a footnote, a page's furniture)
                yield Sentence(sentence.start + cuts[i], sentence.start + cuts[i] + len(piece), text), raw[cuts[j]:]


def _shortest_run(c: Candidate, sentence: Sentence, longest: int, answers: Callable[[Sentence, str], bool]) -> Sentence:
    """The shortest run of a long sentence's clauses that ``answers`` (given what follows it);
    the sentence when none is shorter."""
    if len(sentence.text) <= longest:
        return sentence
    return min((run for run, rest in _clause_runs(c, sentence) if answers(run, rest)), key=lambda run: len(run.text),
               default=sentence)


def clause(q: QuestionInfo, c: Candidate, sentence: Sentence, longest: int) -> Sentence:
    """The shortest run of a long sentence's clauses that still states every question term
    and every value the sentence states (for a name asked for, a name of the kind asked, and a
    list of names whole; for someone's post, the post), as a verbatim quote; the sentence when
    none is shorter."""
    p = c.passage.paragraph
    raw = p.text[sentence.start - p.start: sentence.end - p.start]
    wanted_terms = set(q.terms) & set(T.tokens(raw))
    wanted_values = {v for v in c.values if v.isdigit()} & T.numbers(T.number_words_to_digits(raw))

    def answers(run: Sentence, rest: str) -> bool:
        piece = p.text[run.start - p.start: run.end - p.start]
        if not wanted_terms <= set(T.tokens(piece)) or (
                wanted_values and not wanted_values & T.numbers(T.number_words_to_digits(piece))):
            return False
        return q.answer_type in (NUMBER, DATE) or (
            type_match(q, run.text, c.values) and not _GOES_ON.match(rest) and (not q.role or _states_role(q, run.text)))

    return _shortest_run(c, sentence, longest, answers)


def spelled_clause(c: Candidate, sentence: Sentence, acronyms: Sequence[str], longest: int) -> Sentence:
    """The shortest run of a long sentence's clauses that spells out one of ``acronyms``
    ("… launched the Action for Peacekeeping (A4P) initiative …"); the sentence when none does."""
    return _shortest_run(c, sentence, longest, lambda run, _: any(long_form(a, run.text) for a in acronyms))


def _states_role(q: QuestionInfo, text: str) -> bool:
    """Whether a piece names a post: a role word, or a capitalised title the question does not say."""
    return bool(ROLE_WORDS.search(text) or new_names_in(text, said_words(q.text)))


def _excerpt(c: Candidate, quoted: Sentence) -> str:
    """A quote as an answer's text: "…" marks where it starts or ends inside its sentence."""
    sentences = c.passage.paragraph.sentences
    opens = any(s.start == quoted.start for s in sentences)
    closes = any(s.end == quoted.end for s in sentences)
    return ("" if opens else "…") + _lead(quoted.text) + ("" if closes else "…")


def _form_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z]+", " ", text.lower()).split()[-6:])


_WORD_BEFORE = re.compile(r"([A-Za-z][\w-]*)\W{0,2}$")
_WORD_AFTER = re.compile(r"^\W{0,2}([A-Za-z][\w'-]*)")


def _claimed_numbers(question: str) -> set[str]:
    """The numbers a question claims ("were 200 people there?", "is the limit 2000 columns?"),
    not those that name what it asks about ("was Debian 3.0 the first on DVD?"): a number
    after a word that is no function word and before one that is names."""
    out = set()
    for value, start, end in T.quantities(question):
        before, after = _WORD_BEFORE.search(question[:start]), _WORD_AFTER.match(question[end:])
        names = (before is not None and before.group(1).lower() not in T.STOPWORDS
                 and after is not None and after.group(1).lower() in T.STOPWORDS)
        if not names:
            out.add(value)
    return out


# a bound the figure after it lies beyond: "greater than 2048 bits", "more than 10 days"
_BEYOND = re.compile(r"\b(?:greater|more|larger|longer|higher|bigger|fewer|less|smaller|shorter|lower)\s+than\s+$|"
                     r"\b(?:over|above|below|under|exceed(?:s|ing)?)\s+$", re.I)
_ORDINAL_NUMBER = re.compile(r"\b(\d{1,4})(?:st|nd|rd|th)\b")


def polarity(q: QuestionInfo, evidence: str) -> bool:
    """For a yes/no question: does the evidence confirm it (True) or contradict it (False)?
    It contradicts when it states another year or figure than the one asked about, or
    negates what the question asserts."""
    said = _STATED.match(_lead(evidence))
    if said:
        return said.group(1).lower() == "yes"
    stated = T.numbers(evidence) | set(_ORDINAL_NUMBER.findall(evidence))  # "usually on September 21st" states 21
    if q.years and not q.years & set(_YEAR.findall(evidence)) and _YEAR.search(evidence):
        return False
    asked = _claimed_numbers(q.text) - q.years
    if asked and not asked & stated and stated - set(_YEAR.findall(evidence)):
        return False
    if any(_BEYOND.search(evidence[:m.start()]) and not _BEYOND.search(q.text.partition(n)[0])
           for n in _claimed_numbers(q.text) for m in re.finditer(rf"(?<![\d.,]){re.escape(n)}(?![\d])", evidence)):
        return False  # "is a 2048 bit key good enough?": "greater than 2048 bits" excludes 2048 itself
    if _claims_for_all(q.text) - _claims_for_all(evidence) and not T.NEGATION.search(q.text):
        return False  # "is it always hosted by the same one?": evidence that says neither does not confirm it
    claim = _asserting_clauses(q, evidence)
    if _CONDITION.search(q.text):  # a question about a case: the case's own words hold no claim
        return _negated(_CONDITION.sub(" ", claim)) == _negated(_CONDITION.sub(" ", q.text))
    return _negated(claim) == _negated(q.text)


def _denied_terms(q: QuestionInfo, text: str) -> set[str]:
    """The question's terms a sentence denies: those in the few words of its clause after a
    negation outside a condition ("SQLite uses no external libraries", "is not meant to consult";
    not "If you do not have a key")."""
    text = _CONDITION.sub(" ", text)
    return {t for m in T.NEGATION.finditer(text)
            for t in T.tokens(" ".join(re.split(r"[,;:.()]", text[m.end():])[0].split()[:NEGATION_SCOPE]))} & set(q.terms)


def _negating(q: QuestionInfo, scored: list[tuple[float, Candidate]]) -> Candidate | None:
    """For a yes/no question that asserts something: among the first few candidates, one
    that denies a term of it the best one does not state (the denial answers "no" outright:
    "SQLite uses no external libraries" over "it has very few dependencies")."""
    best = scored[0][1].sentence.text
    if T.NEGATION.search(q.text) or _denied_terms(q, best):
        return None
    stated = set(T.tokens(best))
    return next((c for _, c in scored[1:YESNO_DEPTH] if _denied_terms(q, c.sentence.text) - stated), None)


# a clause that sets a condition: "... if a parent directory is excluded", "when it is ignored";
# asked about a case ("possible when the folder is ignored?"), whether the claim holds is said
# by the main clause ("not possible if a parent is excluded"): a negation in the case is the case's
_CONDITION = re.compile(r"\b(?:if|when|whenever|unless|once)\b[^,;:?]*", re.I)


# words of a claim about every case, which the evidence must make too
_UNIVERSAL = re.compile(r"\b(?:always|every|each|same)\b", re.I)
_CLAIM_OF = {"each": "every"}  # "each year" claims what "every year" does


def _claims_for_all(text: str) -> set[str]:
    return {_CLAIM_OF.get(w.lower(), w.lower()) for w in _UNIVERSAL.findall(text)}


# where a sentence turns to another clause: "..., but must not depend on ...", "...; ...", "..., so ..."
_TURN = re.compile(r",\s+(?=(?:but|so|while|whereas|although|though|however|yet)\b)|;\s+", re.I)


def _asserting_clauses(q: QuestionInfo, evidence: str) -> str:
    """The clauses of the evidence that say most of what the question asks: "required
    targets may write to /tmp, but must not depend on its contents" answers whether they
    may write there by its first clause; the negation of the second is about something else."""
    clauses = _TURN.split(evidence)
    if len(clauses) < 2:
        return evidence
    asked = set(q.terms)
    said = [len(asked & set(T.tokens(c))) for c in clauses]
    if max(said) == 0:
        return evidence
    return " ".join(c for c, n in zip(clauses, said) if n == max(said))


# verbs that say a thing is not done: "should a small business skip booking gains?" asks
# whether it should not book them, which "should not record unrealized gains" confirms
_NOT_DOING = re.compile(r"\b(?:skip(?:s|ped|ping)?|avoid(?:s|ed|ing)?|omit(?:s|ted|ting)?|refrain(?:s|ed|ing)?|"
                        r"forb[ia]d(?:s|den)?|prohibit(?:s|ed)?|prevent(?:s|ed)?|exclud(?:e|es|ed|ing)|lack(?:s|ed|ing)?|"
                        # a restriction says what may not be: "no constraint on the size" allows any
                        r"restrict(?:s|ed|ions?)?|constraints?|constrained)\b", re.I)


# "compressed or not", "whether or not": both ways, no negation of the claim
_EITHER_WAY = re.compile(r"\bor not\b", re.I)


def _negated(text: str) -> bool:
    """Whether a text says a thing is not so: an odd number of negations ("does not prevent" is
    no "prevents"). A "nor" after another negation ("not via rsync (nor CVS)", "neither A nor
    B") adds none of its own."""
    found = [m.group(0).lower() for m in T.NEGATION.finditer(_EITHER_WAY.sub(" ", text))]
    continued = sum(1 for i, word in enumerate(found) if word == "nor" and i > 0)
    return (len(found) - continued + len(_NOT_DOING.findall(text))) % 2 == 1


# a list question that says how many items it wants takes items down to this share of the
# best one's score until it has them (else 0.6), and never more than MOST_ITEMS
ITEM_RATIO_SHORT = 0.25
MOST_ITEMS = 6


# how many sentences past the quote a why/how answer looks for the one that gives the reason
REASON_AHEAD = 2
_FIRST = re.compile(r"^\W*(?:first(?:ly)?|to begin with)\b", re.I)
_NEXT_ORDINAL = re.compile(r"^\W*(?:second(?:ly)?|third(?:ly)?|fourth(?:ly)?|fifth(?:ly)?|finally|lastly|last)\b", re.I)


def _with_explanation(q: QuestionInfo, c: Candidate, sentence: Sentence) -> Sentence:
    """For a "what is X" or "why/how" question, a sentence that only names X ("the idea of
    'good donorship'") is quoted with the next one, which says what it is or why (for a why
    question, two sentences that give no reason are too); and a quote that ends on
    "First, ..." goes on through "Second, ...", "Finally, ..."."""
    sentences = c.passage.paragraph.sentences
    last = end = _last_of(c, c.sentence)
    if end == c.position and end + 1 < len(sentences) and not defines(q, sentence.text) \
            and not CAUSE.search(sentence.text):
        end += 1  # one sentence that neither says what it is nor why: the next one does
    elif q.form == REASON and end > c.position and end + 1 < len(sentences) and not CAUSE.search(sentence.text):
        end += 1  # two sentences that give no reason (they set the scene): it may come in the next
    if q.form == REASON and not any(CAUSE.search(s.text) for s in sentences[c.position:end + 1]):
        # the reason comes a little later: "... testing was introduced. Mainly, ... This was
        # introduced in order to reduce freeze time": quote on through the sentence that gives it
        ahead = next((i for i in range(end + 1, min(end + 1 + REASON_AHEAD, len(sentences)))
                      if CAUSE.search(sentences[i].text)), None)
        if ahead is not None:
            end = ahead
    if _FIRST.match(sentences[end].text):
        while end + 1 < len(sentences) and end - c.position < MOST_ITEMS and _NEXT_ORDINAL.match(sentences[end + 1].text):
            end += 1
    if q.form == REASON and end == last and c.position > 0 and not CAUSE.search(sentence.text) \
            and CAUSE.search(sentences[c.position - 1].text):
        # the reason came just before: "Speed is limited by X. A transaction ... limits you to 60 a second."
        before = sentences[c.position - 1]
        return Sentence(before.start, sentence.end, f"{before.text} {sentence.text}")
    return _through(sentence, sentences, last, end)


def _with_other_side(c: Candidate, sentence: Sentence) -> Sentence:
    """For a comparison ("fetch vs pull"), a one-sentence quote goes on with the next
    sentence of its paragraph: what one side is, then the other ("A fetch stores ... A pull
    is a fetch followed by a merge")."""
    sentences = c.passage.paragraph.sentences
    last = _last_of(c, sentence)
    if last == c.position and last + 1 < len(sentences):
        return _through(sentence, sentences, last, last + 1)
    return sentence


def _last_of(c: Candidate, sentence: Sentence) -> int:
    """The index of the last sentence of its paragraph that ``sentence`` takes in."""
    sentences = c.passage.paragraph.sentences
    return next(i for i in range(c.position, len(sentences)) if sentences[i].end >= sentence.end)


def _through(sentence: Sentence, sentences: Sequence[Sentence], last: int, end: int) -> Sentence:
    """``sentence`` (whose last sentence is ``sentences[last]``) quoted on through ``sentences[end]``."""
    if end == last:
        return sentence
    return Sentence(sentence.start, sentences[end].end, " ".join([sentence.text] + [s.text for s in sentences[last + 1:end + 1]]))


def _unretrieved(c: Candidate, paragraph: Paragraph) -> Candidate:
    """A paragraph of ``c``'s document the search did not return, as a candidate for its first
    sentence (to quote what follows ``c``; it has no score)."""
    return Candidate(Passage(paragraph, c.passage.document, 0.0), 0, paragraph.sentences[0], (), frozenset(), False)


def _after_lead_in(best: Candidate, scored: list[tuple[float, Candidate]],
                   paragraph: Callable[[str, int], Paragraph | None] = lambda doc_id, number: None) -> list[Candidate]:
    """For a quote that ends by announcing what follows ("SQLite supports three different
    threading modes:"), the paragraphs right after it, in order: those retrieved too, and
    the list items that follow it whether retrieved or not ("git.git uses the following
    integration branches:" is answered by its items)."""
    p = best.passage.paragraph
    if not best.sentence.text.rstrip().endswith(":") or best.sentence.end < p.sentences[-1].end:
        return []
    following = {}
    for _, c in scored:
        o = c.passage.paragraph
        if o.doc_id == p.doc_id and p.number < o.number <= p.number + MOST_ITEMS and c.position == 0:
            following.setdefault(o.number, c)
    out = []
    for number in range(p.number + 1, p.number + MOST_ITEMS + 1):
        if number not in following:
            item = paragraph(p.doc_id, number)
            if item is None or item.kind != "list" or not item.sentences:
                break
            following[number] = _unretrieved(best, item)
        if out and out[0].passage.paragraph.kind == "list" and following[number].passage.paragraph.kind != "list":
            break  # the items are over
        out.append(following[number])
    return out


# how a paragraph opens when it goes on from the one before: "As a result, ...", "This is ..."
_GOES_ON_FROM = re.compile(rf"^\W*(?:{LEANS_BACK}|as a result|consequently|accordingly|for this reason)\b", re.I)


def _reason_after(c: Candidate, quote: Sentence,
                  paragraph: Callable[[str, int], Paragraph | None]) -> tuple[Candidate, Sentence] | None:
    """For a why/how question whose quote and the rest of its paragraph give no reason: the
    next paragraph, when it goes on from it ("As a result, ... This is because ..."), quoted
    through the last of its first sentences that gives a reason."""
    p = c.passage.paragraph
    if any(CAUSE.search(s.text) for s in p.sentences if s.start >= quote.end):
        return None  # the rest of its own paragraph gives one
    after = paragraph(p.doc_id, p.number + 1)
    if after is None or not after.sentences or not _GOES_ON_FROM.match(after.sentences[0].text):
        return None
    giving = [i for i, s in enumerate(after.sentences[:REASON_AHEAD]) if CAUSE.search(s.text)]
    if not giving:
        return None
    first = after.sentences[0]
    sentence = _through(first, after.sentences, 0, giving[-1])
    return _unretrieved(c, after), sentence


def _with_counted_items(c: Candidate, sentence: Sentence) -> Sentence:
    """For a list question: a sentence that counts the items it does not name ("you will
    need three accounts.") is quoted with as many sentences after it, which name them."""
    sentences = c.passage.paragraph.sentences
    last = _last_of(c, sentence)
    said = T.number_words_to_digits(sentence.text)
    counts = [int(n) for n in T.numbers(said) if n.isdigit() and 2 <= int(n) <= MOST_ITEMS]
    if len(counts) != 1 or last + 1 >= len(sentences):
        return sentence
    after = said[said.rfind(str(counts[0])):]
    if ":" in after or "," in after:
        return sentence  # "the three pillars: A, B and C" names them itself
    return _through(sentence, sentences, last, min(last + counts[0], len(sentences) - 1))


def _enumerates(text: str, items: int = 0) -> bool:
    """Whether a text names several things in a row: "Values are Satiated, Not Hungry (or
    Normal), Hungry, Weak, and Fainting." (three commas or more), or as many as the question
    asks for when it says so itself ("The three possible display options are: a, b, and c")."""
    return text.count(",") >= 3 or (
        items > 1 and str(items) in T.numbers(text) and text.count(",") >= items - 2)


def _with_items_after(c: Candidate, sentence: Sentence, items: int = 0) -> Sentence:
    """For a list question: a quote that names no items is quoted on through the sentence
    that does, when one of the next two names them ("Hunger: your current hunger status.
    Values are Satiated, Not Hungry, Hungry, Weak, and Fainting.")."""
    sentences = c.passage.paragraph.sentences
    last = _last_of(c, sentence)
    if _enumerates(sentence.text, items):
        return sentence
    ahead = next((i for i in range(last + 1, min(last + 1 + ITEMS_AHEAD, len(sentences)))
                  if _enumerates(sentences[i].text, items)), None)
    return sentence if ahead is None else _through(sentence, sentences, last, ahead)


def _writes_phrase(phrase: str, text: str) -> bool:
    """Whether a text writes a phrase's words (two or more) one after the other, as keyword
    tokens: "For medium to small changes" writes "small change"."""
    words = T.tokens(phrase)
    if len(words) < 2:
        return False
    tokens = T.tokens(text)
    return any(tokens[i:i + len(words)] == words for i in range(len(tokens) - len(words) + 1))


def _overlaps(c: Candidate, picked: Sequence[Candidate]) -> bool:
    """Whether ``c`` quotes text one of ``picked`` quotes (offsets are in their document)."""
    return any(c.passage.paragraph.doc_id == o.passage.paragraph.doc_id and c.sentence.start < o.sentence.end
               and c.sentence.end > o.sentence.start for o in picked)


class ExtractiveAnswerer:
    """Picks the answering sentence with a fitted model; abstains when its calibrated
    confidence is below the threshold chosen on the dev split.

    Usage::

        answerer = ExtractiveAnswerer(Vocabulary.of(index, embedder))
        answer = answerer.answer("How many states signed?", [], passages)
    """

    def __init__(
        self,
        vocabulary: Vocabulary,
        selector: Selector | None = None,
        *,
        threshold: float | None = None,
        conflict_ratio: float = 0.15,
        max_list_items: int = 3,
        longest_quote: int = 200,
    ) -> None:
        self.vocabulary = vocabulary
        self.selector = selector or load_selector(expect=(FEATURES, QUESTION_FEATURES))
        self.threshold = self.selector.threshold if threshold is None else threshold
        if not 0 <= self.threshold <= 1:
            raise ValueError(f"threshold must be in [0, 1]. Currently, it is {self.threshold}")
        self.conflict_ratio = conflict_ratio
        self.max_list_items = max_list_items
        self.longest_quote = longest_quote  # a longer sentence is quoted by its clauses that answer

    # -- scoring -------------------------------------------------------------

    def score(self, question: str, passages: Sequence[Passage]) -> tuple[QuestionInfo, list[tuple[float, Candidate]], float]:
        """The question's analysis, its candidates with selection probabilities (best first),
        and the calibrated probability that the best one answers it."""
        q = analyse(question)
        scored, confidence = self.rank(q, candidates(q, passages, self.vocabulary))
        return q, scored, confidence

    def rank(self, q: QuestionInfo, found: Sequence[Candidate]) -> tuple[list[tuple[float, Candidate]], float]:
        """Candidates with their selection probabilities, best first, and the confidence."""
        probabilities = self.selector.select.softmax([c.features for c in found])
        scored = sorted(zip(probabilities, found), key=lambda pc: pc[0], reverse=True)
        if not scored:
            return scored, 0.0
        return scored, self.selector.confidence.probability(question_features(q, scored, self.vocabulary))

    def _about_another(self, question: str, q: QuestionInfo, best: Candidate) -> bool:
        """Whether the best answer to a question that asks for a fact or what something is
        ("who chaired the PBC in 2020?", "what is the default of SQLITE_MAX_MMAP_SIZE?"; not
        a yes/no, list or reason) comes from a paragraph that never names what the question
        asks about (the PBC, 2020): it states such a fact about something else. Only the names
        the user's own words say count: a follow-up is not about every name of its history."""
        if q.form not in (FACT, DEFINITION):
            return False
        said = set(analyse(question).specific)
        return any(t in said for t in unmentioned(q, best.passage, self.vocabulary))

    # -- answering -----------------------------------------------------------

    def answer(self, question: str, history: Sequence[str], passages: Sequence[Passage]) -> Answer:
        if self.vocabulary.unreadable(question):
            return Answer(question=question, answer=UNREADABLE, abstained=True, confidence=0.0)
        q, scored, confidence = self.score(rewrite(question, history), passages)
        return self.compose(question, q, scored, confidence)

    def compose(self, question: str, q: QuestionInfo, scored: list[tuple[float, Candidate]], confidence: float) -> Answer:
        """The answer the ranked candidates give, in the form ``q`` asks for, or an abstention."""
        if not scored or confidence < self.threshold or self._about_another(question, q, scored[0][1]):
            return Answer(question=question, answer=NOT_COVERED, abstained=True, confidence=confidence)
        best_p, best = scored[0]
        if q.form == YESNO:
            best = _negating(q, scored) or best
        acronyms = expanded_acronyms(q, self.vocabulary.asked_acronyms(q.text))
        spelled = acronyms if asks_expansion(q, acronyms) else []

        def quoted(c: Candidate, sentence: Sentence) -> Sentence:
            """What of a sentence the answer quotes: a name asked for, someone's post, or what an
            acronym stands for by its clause (a list runs on past one clause)."""
            if (c.typed and q.answer_type != ANY and q.form == FACT) or (q.role and q.form in (FACT, DEFINITION)):
                return clause(q, c, sentence, self.longest_quote)
            if spelled:
                return spelled_clause(c, sentence, spelled, self.longest_quote)
            return sentence

        rival = self._rival(q, best_p, best, scored) or self._other_long_form(q, best, scored)
        if rival is not None:
            quotes = [(c, quoted(c, c.sentence)) for c in (best, rival)]
            citations = tuple(make_citation(i, c.passage, s) for i, (c, s) in enumerate(quotes, start=1))
            text = (f"The sources differ on this. {_excerpt(*quotes[0])} [1] "
                    f"Elsewhere the collection says: {_excerpt(*quotes[1])} [2]")
            return Answer(question=question, answer=text, abstained=False, citations=citations, conflict=True,
                          confidence=confidence)
        picked = [best]
        if not (q.answer_type in (NUMBER, DATE) and best.typed):  # "nine types of temporary files:" answers how many
            picked += _after_lead_in(best, scored, self.vocabulary.paragraph)
        if q.form == LIST:
            picked += self._more_items(q, best_p, best, scored)
        picked += self._from_other_named(q, picked, scored)
        picked += self._for_each_alternative(q, picked, scored)
        parts, citations = [], []
        for marker, c in enumerate(picked, start=1):
            sentence = self._with_antecedent(c)
            if marker == 1 and q.form in (DEFINITION, REASON):
                sentence = _with_explanation(q, c, sentence)
            if marker == 1 and q.form not in (YESNO, LIST) and alternatives(q.text) is not None:
                sentence = _with_other_side(c, sentence)
            if marker == 1 and q.form == LIST:
                sentence = _with_items_after(c, _with_counted_items(c, sentence), q.items)
            sentence = quoted(c, sentence)
            citations.append(make_citation(marker, c.passage, sentence))
            parts.append(f"{_excerpt(c, sentence)} [{marker}]")
        if q.form == REASON and not CAUSE.search(" ".join(parts)):
            after = _reason_after(picked[0], citations[0].quote, self.vocabulary.paragraph)
            if after is not None:
                c, sentence = after
                citations.append(make_citation(len(parts) + 1, c.passage, sentence))
                parts.append(f"{_excerpt(c, sentence)} [{len(parts) + 1}]")
        text = " ".join(parts)
        if q.form == YESNO and not _STATED.match(text):
            text = ("Yes. " if polarity(q, best.sentence.text) else "No. ") + text
        return Answer(question=question, answer=text, abstained=False, citations=tuple(citations), confidence=confidence)

    def stream(self, question: str, history: Sequence[str], passages: Sequence[Passage]) -> Iterator[str | Answer]:
        yield from stream_whole(self.answer(question, history, passages))

    def _with_antecedent(self, c: Candidate) -> Sentence:
        """The sentence, joined by the one before when it opens by leaning on it ("They ...")."""
        sentences = c.passage.paragraph.sentences
        if c.position > 0 and _ANAPHOR.match(c.sentence.text):
            before = sentences[c.position - 1]
            return Sentence(before.start, c.sentence.end, f"{before.text} {c.sentence.text}")
        return c.sentence

    def _more_items(self, q: QuestionInfo, best_p: float, best: Candidate,
                    scored: list[tuple[float, Candidate]]) -> list[Candidate]:
        """For a list question: other sentences that score close to the best one (closer to
        it when the question does not say how many items it wants)."""
        out: list[Candidate] = []
        wanted = min(q.items, MOST_ITEMS)  # "the three conditions": go on, less strictly, until three
        for p, c in scored[1:]:
            short = len(out) + 1 < wanted
            if len(out) + 1 >= max(self.max_list_items, wanted) or p < (ITEM_RATIO_SHORT if short else 0.6) * best_p:
                break
            if not _overlaps(c, [best, *out]):
                out.append(c)
        return out

    def _from_other_named(self, q: QuestionInfo, picked: list[Candidate],
                          scored: list[tuple[float, Candidate]]) -> list[Candidate]:
        """A question that names two documents or more ("under apache 2.0 the same way as under
        mpl 2.0?") hears from each: the best candidate of every named document not yet quoted."""
        documents = named(q.text, self.vocabulary.document_names)
        if len(documents) < 2:
            return []
        heard = {c.passage.paragraph.doc_id for c in picked}
        out = []
        for _, c in scored:
            doc_id = c.passage.paragraph.doc_id
            if doc_id in documents and doc_id not in heard:
                heard.add(doc_id)
                out.append(c)
        return out

    def _for_each_alternative(self, q: QuestionInfo, picked: list[Candidate], scored: list[tuple[float, Candidate]],
                              depth: int = 12) -> list[Candidate]:
        """For an "A or B" question, the best candidate that states each side the quotes so far
        do not: both sides are heard."""
        sides = alternatives(q.text)
        if sides is None:
            return []
        out: list[Candidate] = []
        for side, other in (sides, sides[::-1]):
            asked, rival = self._own_terms(side, other), self._own_terms(other, side)

            def says(c: Candidate, alone: bool) -> bool:
                """Whether the quote states this side (alone: more fully than the other)."""
                tokens = set(T.tokens(c.sentence.text))
                said = self.vocabulary.coverage(asked, tokens)
                return said > 0 and not (alone and self.vocabulary.coverage(rival, tokens) >= said)

            # a quote that names both sides ("two kinds: A and B") says what neither is
            if any(says(c, alone=True) for c in picked + out):
                continue
            saying = [c for _, c in scored[:depth] if says(c, alone=False) and not _overlaps(c, picked + out)]
            # the one that writes the side as the question does ("small changes" for "small change"), else the best
            found = next((c for c in saying if _writes_phrase(side, c.sentence.text)), saying[0] if saying else None)
            if found is not None:
                out.append(found)
        return out

    @staticmethod
    def _own_terms(side: str, other: str) -> QuestionInfo:
        """A side of an alternative as a question of the words it says and the other does not."""
        own, theirs = analyse(side), set(T.tokens(other))
        return replace(own, terms=tuple(t for t in own.terms if t not in theirs))

    def _other_long_form(self, q: QuestionInfo, best: Candidate, scored: list[tuple[float, Candidate]],
                         depth: int = 12) -> Candidate | None:
        """For a question about an acronym: a candidate that spells it out otherwise than the best."""
        for acronym in self.vocabulary.asked_acronyms(q.text):
            forms = [(_form_key(long_form(acronym, c.sentence.text)), c) for _, c in scored[:depth]]
            forms = [(f, c) for f, c in forms if f]
            if not forms:
                continue
            first_form, first = next(((f, c) for f, c in forms if c is best), forms[0])
            for f, c in forms:
                if f != first_form and c.passage.paragraph != first.passage.paragraph:
                    return c if first is best else None
        return None

    def _rival(self, q: QuestionInfo, best_p: float, best: Candidate, scored: list[tuple[float, Candidate]]) -> Candidate | None:
        """A near-equal answer elsewhere that states a different quantity or date."""
        if q.answer_type not in (NUMBER, DATE) or q.form == LIST or not best.values or not best.typed:
            return None  # a list question ("the dates of the meetings") asks for several values
        best_terms = set(T.tokens(best.sentence.text))
        for p, other in scored[1:]:
            if p < best_p * self.conflict_ratio:
                break
            if other.passage.paragraph == best.passage.paragraph or not other.typed or not other.values:
                continue
            if other.features[S_COV] < RIVAL_COVERAGE * best.features[S_COV]:
                continue  # says much less of what the question asks: about something else
            other_terms = set(T.tokens(other.sentence.text))
            overlap = len(best_terms & other_terms) / max(len(best_terms | other_terms), 1)
            if q.needs_count:
                if not (other.features[ANCHORED] and best.features[ANCHORED]):
                    continue
                # two sentences that give one count of what the question counts agree on it: "180
                # participants from 23 countries" and "180 participants from 45 organisations"
                counted = [counted_values(q, c.sentence.text) for c in (best, other)]
                if counted[0] & counted[1]:
                    continue
            # two counts of what the question counts that differ are a conflict, however worded
            if (overlap >= 0.3 or q.needs_count) and other.values != best.values:
                return other
        return None
