"""What a question asks for: its answer type, the form of answer it wants, its key terms.

Everything here is general English question wording (wh-words, auxiliaries), never
words taken from a particular document collection.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from rag import text as T

NUMBER, DATE, PERSON, COUNTRY, NAME, REFERENCE, FREQUENCY, ADDRESS, ANY = (
    "number", "date", "person", "country", "name", "reference", "frequency", "address", "any"
)
ANSWER_TYPES = (NUMBER, DATE, PERSON, COUNTRY, NAME, REFERENCE, FREQUENCY, ADDRESS, ANY)
# the form an answer takes, whatever its type
FACT, YESNO, LIST, REASON, DEFINITION = "fact", "yesno", "list", "reason", "definition"
FORMS = (FACT, YESNO, LIST, REASON, DEFINITION)

# which date of a thing: "the start date", "the release year"
_WHICH_DATE = r"(?:exact |start(?:ing)? |end(?:ing)? |closing |opening |release |due )"
# the verbs a yes/no question opens with
_AUXILIARY = "is|are|am|was|were|did|does|do|has|have|had|can|could|will|would|should|shall|may|must"
AUXILIARIES = frozenset(_AUXILIARY.split("|"))
# a word that may stand between "what" and the noun it asks about: not a verb or article
_QUALIFIER = r"(?!(?:" + _AUXILIARY + r"|a|an)\b)"
_TYPES = (
    (NUMBER, re.compile(
        # a measure: "how far", "how old", "how hot", "how heavy" ...
        r"\bhow (?:many|much|large|big|long|far|old|heavy|hot|cold|warm|fast|wide|tall|high|massive|distant)\b|\bnumber of\b|"
        r"\bwhat (?:" + _QUALIFIER + r"[\w/-]+ ){0,2}?"  # "what grid size", "what USD/EUR exchange rate"
        r"(?:percentage|proportion|share|amount|fraction|size|length|price|fee|rate)s?\b|"
        # a version is a number: "which version of sqlite added ...", not "the release date"
        r"^\W*(?:(?:and|so|but|in|from|since|as of|until) )?(?:which|what) (?:" + _QUALIFIER + r"[\w-]+ ){0,2}?"
        r"(?:version|release)s?\b(?!\s+(?:dates?|days?|years?|months?|notes?|cycles?|process|schedule|managers?|team)\b)|"
        r"\bwhat (?:is|was|are|were) the (?:(?!of\b|for\b|in\b|on\b|to\b)[\w-]+ ){0,3}?"  # "the largest database size"
        r"(?:population|size|budget|cost|amount|strength|percentage|total|number|turnout|attendance|headcount|"
        r"temperature|distance|mass|weight|height|depth|width|diameter|radius|speed|velocity|age|altitude|"
        r"duration|period|interval|timeout|delay|turnaround(?: time)?|time ?frame|waiting time|lead time|response time|limit|length|capacity|price|fee|count|max|maximum|min|minimum)s?\b|"
        r"\bhow few\b|\b(?:what|which) time(?: of (?:the )?day)?\b(?!\s*(?:frames?|periods?|zones?)\b)|"  # a clock time: "6:25"
        r"^\W*(?:the )?(?:total |approximate |exact |overall )?(?:amount|number|sum|cost|percentage|count) (?:of|raised|spent|paid)\b|"
        r"^\W*(?:the )?(?:max|maximum|min|minimum)\b(?!\s+(?:of|for)\s+(?:what|which|who)\b)",  # "max chars for the synopsis?"
        re.I)),
    (FREQUENCY, re.compile(r"\bhow (?:often|frequently|regularly)\b|\bat what (?:intervals?|frequency)\b", re.I)),
    (DATE, re.compile(r"\bwhen\b|\b(?:what|which) (?:(?:is|are|was|were) the )?" + _WHICH_DATE + r"?(?:years?|yrs?|dates?|months?|"
                      r"days?|deadline)\b|\bsince when\b|\bon what date\b|^\W*(?:the )?" + _WHICH_DATE + r"?(?:date|year|deadline) "
                      r"(?:of|for|when)\b", re.I)),
    (PERSON, re.compile(r"^\W*(?:and |so |but )?who(?:se)?\b|\bwhom\b|\b(?:which|what|name of the) (?:person|official|ambassador|individual|guy|man|woman)\b", re.I)),
    (REFERENCE, re.compile(r"\b(?:which|what) (?:[\w-]+ ){0,3}(?:resolution|statement|article|section|document)s?\b", re.I)),
    (COUNTRY, re.compile(r"\b(?:which|what) (?:two |three |four |[\w-]+ )?(?:country|countries|nations?|governments?|member states?)\b", re.I)),
    (NAME, re.compile(r"\b(?:which|what) (?:[\w-]+ )?(?:organi[sz]ations?|institutions?|agency|agencies|bodies|body|"
                      r"group|office|city|cities|team|committee|company|package|program|programme|institutes?|think tanks?|departments?|dept|ministr(?:y|ies))\b|^\W*where\b", re.I)),
    # a web or mail address: "whats the url of the reject faq", "the secretary's email address?"
    # (the address is what "what"/"which" asks for, a few words after it at most)
    (ADDRESS, re.compile(r"\b(?:what|which)(?:['’]s|\s+(?:is|are|was|were))?\s+(?:the\s+)?(?:" + _QUALIFIER + r"[\w'’-]+\s+){0,3}?"
                         r"(?:urls?|links?(?!\s+(?:between|with|among)\b)|web ?sites?|web ?pages?|home ?pages?|(?:e-?)?mail address(?:es)?|"
                         r"e-?mail addr|e-?mail)\b(?!\s+(?:lists?|notifications?|clients?|programs?|servers?)\b)", re.I)),
)
# the words any question may open with
_WH = "what|which|who|whom|whose|when|where|why|how"
_OPENS = _WH + "|" + _AUXILIARY
_ASKS = re.compile(r"^\W*(?:and\s+|so\s+|but\s+)?(?:" + _WH + r")(?:'s|’s|s)?\b", re.I)  # "whats the max" asks
_YESNO = re.compile(
    r"^\W*(?:(?:so|and|but|ok|okay)\W+)?(?:" + _AUXILIARY + r"|isn't|wasn't|didn't|doesn't|r)\b"  # "r": chat's "are"
    r"|\bis it (?:true|correct|right|the case)\b|\bright\?\s*$"
    # asked after a preface: "i'm a pacifist, is it ok if my package promotes pacifism?"
    r"|[,;:]\s*(?:" + _AUXILIARY + r")\s+(?:it|i|we|you|there|this|that|they|he|she|the|a|an|my|our|your|its|their)\b"
    # asked after a condition, with or without its comma: "if i grab the gem but hit a mine do i still die?"
    r"|^\W*(?:if|once|after|before|suppose|assuming)\b(?:(?!\b(?:what|which|who|whom|whose|when|where|why|how)\b)[^?])*?"
    r"\s(?:" + _AUXILIARY + r")\s+(?:i|we|you|it|they|there|he|she|several|many|multiple|both|all|other|others|"
    r"the|a|an|my|our|your|their|its|this|that|these|those|\d+)\b"
    r"[^?]*\?\s*$", re.I)
# words that are not a noun's modifier: "what does ...", "which of the ...", "what is its ..."
_NOT_MODIFIER = r"(?:" + _AUXILIARY + r"|of|the|an?|its|their|this|that|these|those|kind|kinds|sort|type|types)\b"
_LIST = re.compile(
    r"\b(?:which|what|name|list) (?:are |were )?(?:the )?(?:two|three|four|five|six|seven|eight|nine|ten|\d+)\b|"
    r"(?<!\bthe )(?<!\ba )(?<!\bmailing )\blist\b|\bwhat (?:are|were) the (?:main |key |four |three )?\w+s\b|\benumerate\b|\bname (?:the|all)\b|"
    r"\b(?:what|which) (?:kinds|types|sorts) of\b|"
    r"\bwhich (?:(?:new|main|key|other|major) )?[a-z]+[^su\W]s\b(?!\s+(?:an?|the|more|less|most|fewer)\b)|"  # "which countries ...": more than one
    # "which image formats", "what video formats does ...": a plural after a few words that are no verb
    r"\b(?:which|what) (?!" + _NOT_MODIFIER + r")[a-z-]+ (?:(?!" + _NOT_MODIFIER + r")[a-z-]+ )?[a-z]+[^su\W]s"
    r"(?=\s+(?:" + _AUXILIARY + r")\b)", re.I)
# a reason asked for by the noun that frames it: "what's the point of X", "what's the problem
# with X", "what's so bad about X" (the noun frames the question; X is what it is about)
_ASKED_REASON = (r"\bwhat(?:'s|’s|s| is| was) (?:the (?:reasons?|purpose|point|aim|goal|harm|rationale|motivation|benefit|"
                 r"advantage|problem|trouble|issue|danger|risk|downside|drawback|disadvantage|catch)\b|"
                 r"(?:so )?(?:bad|wrong|good|great) (?:about|with)\b)")
# a reason asked for: "why", and everyday ways of saying it ("what's behind", "how come",
# "what has driven", "the reason for")
_REASON = re.compile(r"\bwhy\b|\bhow (?:does|do|did|can|could|should|is|are|was|were|will|would)\b|\bfor what (?:reason|purpose)\b|" +
                     _ASKED_REASON + r"|\bin what way\b|\bhow come\b|"
                     r"\breasons? (?:behind|for)\b|^\W*(?:the |main )?reasons? (?!is\b|was\b)|\bwhat(?:'s|’s|s| is| was| are| were)? behind\b|"
                     r"\bwhat (?:\w+ly )?(?:has |have |had )?(?:driven|drove|drives|led to|leads to|caused|causes|prompted|motivated|made|makes)\b(?! up\b)|"
                     r"\bwhat(?:'s|’s|s| is| was| are| were) (?:causing|driving)\b|"
                     r"\bwhat (?:happens|will happen|would happen|happened)\s+(?:if|when|once|after|as soon as|in case)\b",
                     re.I)
_DEFINITION = re.compile(r"^\W*what (?:is|are|was|were|does) (?:an? |the )?[\w\s'-]{1,60}?(?:\bstand for|\bmean|\bdo)?\W*$|"
                         r"\bwhat does [\w-]+ stand for\b|\bwhat (?:does|do|did) [^?]{1,60}? (?:refer to|mean)\b|\bdefin(?:e|ed|ition)\b|\bmeant by\b|\bmeans? by\b|\bwhat(?:'s| is) (?:meant|an?\b)", re.I)
# "who was hipparchus?", "who is junio c hamano?": a name alone after "who is", no article,
# possessive or preposition ("who is the chair", "who is in charge" ask for a person)
_WHO_IS_NAMED = re.compile(r"^\W*(?:and |so |but )?who (?:is|was|are|were) (?!(?:the|a|an|this|that|these|those|your|my|our|"
                           r"their|his|her|its|in|on|at|for|of|to|by|with|from|responsible|behind|leading|heading|running|"
                           r"currently|now|next|first|last)\b)[\w.-]+(?: [\w.-]+){0,3}\W*$", re.I)
_DEFINE_ASKED = re.compile(r"\bdefin(?:e|es|ed|ition)\b|\bmean[st]? by\b|\bstands? for\b", re.I)
# "what's", "whats", "who's", "where's": the wh-word and "is"
_IS_CONTRACTED = re.compile(r"\b(what|who|where|when|how|which)(?:'s|’s|s)\b", re.I)
_CHAT_WHAT = re.compile(r"\bwat(?=s?\b)", re.I)
_DAY = re.compile(r"\b(?:what|which)\s+(?:exact\s+|precise\s+)?(?:day|date)\b|\bexact(?:ly)?\s+(?:day|date)\b|"
                  r"\bon what date\b|\bthe (?:exact |precise )?date\b", re.I)
_ROLE = re.compile(r"\b(?:job|role|position|title|function|responsib\w+|post)\b", re.I)
# words that say what kind of answer is wanted, not what it is about
_FRAME_WORDS = (
    "many much number year date month day happen took take place happened total amount "
    "kind type exactly roughly approximately name named called describe explain mean true correct "
    "right case reason purpose stand stands acronym abbreviation meant define defined definition "
    "know clarify outline summarise summarize behind refer refers one".split()
)
_FRAME = frozenset(T.stem(w) for w in _FRAME_WORDS)
_DISTINCT = r"(?:different|diff\w*|distinct|separate|unique|individual|various)\s+"
KINDS_OF = re.compile(r"^\W*(?:" + _DISTINCT + r")?"
                       r"(?:kinds?|types?|sorts?|categories|classes|forms|varieties|flavou?rs)\s+of\s+|^\W*" + _DISTINCT, re.I)
# "how many different X" counts X: "different" frames the count, as "kinds of" does
_COUNTED_DISTINCT = re.compile(r"\b(how (?:many|much)|number of)\s+" + _DISTINCT, re.I)
# what a question sets aside ("apart from SPI, which orgs ...?"): the answer is something else,
# so a sentence that says it says nothing asked for
_EXCLUDED = re.compile(r"\b(?:apart from|besides|other than|aside from|except(?: for)?|excluding|not counting)\s+"
                       r"[^,;:?]*?(?=\s*[,;:?]|\s+(?:which|what|who|how|where|when|is|are|do|does|can)\b|\s*$)", re.I)
# the frame words as typed (and their plurals): "yearly" or "daily" say what a question is
# about, though they share a stem with "year" and "day"
_FRAME_WORD = re.compile(r"\b(?:" + "|".join(_FRAME_WORDS) + r")s?\b", re.I)
# a polite request around the question: "can you tell me ...", "could you explain ...", "do you know ..."
_REQUEST = re.compile(r"^\W*(?:(?:hi|hello|hey|ok|okay|so)\W+)?(?:please\s+)?(?:(?:can|could|would|will) (?:you|u)\s+"
                      r"(?:please\s+|pls\s+)?(?:(?:tell me|explain|describe|say|give me|clarify|outline|summari[sz]e|"
                      r"let me know)\b|(?=(?:list|name)\b))|(?:do|does) (?:you|u|anyone) know\b|i(?:'d| would) like to know\b)\W*",
                      re.I)
# a topic typed before the question: "artistic licence - am i allowed ...", "header files: whats ..."
_TOPIC = re.compile(r"^[^?:\n–—]{2,80}?(?::|\s[-–—])\s+(?=(?:" + _OPENS + r")\b)", re.I)
# a clause of time or condition before the question: "when i pass it on, who do they get
# their licence from?" asks who
_LEADING_CLAUSE = re.compile(r"^\W*(?:(?:and|so|but|ok|okay)\W+)?(?:when|whenever|if|once|after|before|while)\b"
                             r"(?!\s+(?:" + _AUXILIARY + r")\b)[^,?]{3,80},\s*(?=(?:" + _OPENS + r")\b)", re.I)
# a "when" after the question's own wh-word opens a clause of time, it does not ask for one
# (and so it does after a yes/no question's opening verb: "is a 2048 bit key enough when applying?")
_CLAUSE_WHEN = re.compile(r"^(\W*(?:(?:and|so|but|ok|okay)\W+)?(?:what|which|who|whom|whose|where|how|name|list|give|tell|"
                          r"enumerate|identify|" + _AUXILIARY
                          + r")\s+\S.*?\s)when\b", re.I)
# what follows the "or" of a choice: the question's last few words ("is it A or B?"), or a
# clause of its own ("... with the keyboard or is it mouse only?")
_CHOICE_AFTER = re.compile(r"\bor\b(?!\s+not\b)\s+(?:(?:" + _AUXILIARY + r")\b|(?:\S+\s+){0,3}\S+\W*$)", re.I)


def _asks_which(question: str) -> bool:
    """Whether an "or" makes a question ask which of two, not whether: "is it A or B?" does,
    "do i need an installer or setup step before i can use it?" asks whether."""
    return bool(_CHOICE_AFTER.search(question))


_PREPOSITIONS = frozenset("at in on of for from by with to during since under over between among per".split())
_PLURAL = re.compile(r"[a-z]{3,}[^s\W]s", re.I)  # "meetings", not "process" or "its"
# what a count or a length is counted in: "how many years", "how long" (a duration)
_UNITS = frozenset(T.stem(w) for w in "year month week day hour minute decade".split())
# how many items a list question asks for: "what are the three conditions", "which 2 orgs"
_ITEMS = re.compile(r"\b([2-9]|10)\s+(?!percent\b|per\b|of\b)[a-z]", re.I)
_PRONOUNS = re.compile(r"\b(?:it|its|they|them|their|this|that|these|those|he|she|his|her|him|there|then)\b", re.I)


def _verb(word: str) -> bool:
    """Whether a word is a verb that ends the noun phrase before it: an auxiliary ("do") or an
    irregular form ("took")."""
    return word.lower() in AUXILIARIES or T.irregular_verb(word.lower())


@dataclass(frozen=True, slots=True)
class QuestionInfo:
    text: str
    answer_type: str
    terms: tuple[str, ...]  # stemmed keyword tokens, frame words removed
    specific: tuple[str, ...]  # names, acronyms and numbers the question mentions
    numbers: frozenset[str]
    counted: tuple[str, ...] = ()  # for "how many X": the stemmed words of X
    years: frozenset[str] = frozenset()
    needs_count: bool = False  # "how many X": only a number of X answers it
    form: str = FACT
    role: bool = False  # asks for a job or function
    items: int = 0  # for a list question that says how many ("the three conditions"): that many
    day: bool = False  # asks for a day ("what day", "the exact date"): a month or a year alone is no answer


# where the first of two alternatives ("amending the constitution or overriding ...") begins
# "A or B", "A vs B", "hotter is A than B" (not "more than 300")
_SIDES = re.compile(r"\bor\b(?!\s+not\b)|\bvs\b\.?|\bversus\b|(?<!\brather )\bthan\b(?!\s+\d)", re.I)
# where a side's name ends: "betelgeuse on the surface" is Betelgeuse
_SIDE_END = re.compile(r"\s(?:on|in|at|for|of|to|with|from|by|when|if|during|under)\s", re.I)
# how a thing changed from one to the other: "how did the number of maintainers change from rex to bo"
_CHANGE = re.compile(r"\b(?:chang|grow|grew|increas|decreas|ris|rose|fall|fell|drop|diff|evolv|shift)\w*\b.*?"
                     r"\b(?:from|between)\s+(\S[^,;:?]*?)\s+(?:to|and)\s+(\S.*)$", re.I)
# how one thing stands beside another: "how does the build architecture differ from the host
# architecture?", "how is a tag different from a branch", "how does X compare to Y"
_DIFFER = re.compile(r"\bhow (?:does|do|did|is|are|was|were) (\S.*?)\s+(?:differ\w*|compare\w*)\s+(?:from|to|with)\s+(\S.*)$", re.I)
_ALTERNATIVE_START = re.compile(r".*(?:[,:;?–—]|\s-\s|\bbetween\b|\bwhether\b)")
_ALTERNATIVE_END = re.compile(r"[,:;?–—]|\s-\s")


def alternatives(question: str) -> tuple[str, str] | None:
    """The two sides of an "A or B" question ("which needs more: amending the constitution or
    overriding the committee?" -> "amending the constitution", "overriding the committee"),
    of "A than B" and of a change "from A to B" or "between A and B"."""
    asked = question.strip().rstrip("?!. ")
    parts = _SIDES.split(asked)
    change = (_CHANGE.search(asked) or _DIFFER.search(asked)) if len(parts) != 2 else None
    if len(parts) != 2 and change is None:
        return None
    left, right = parts if change is None else change.groups()
    right = _SIDE_END.split(_ALTERNATIVE_END.split(right)[0].strip())[0]
    if change is None:
        start = _ALTERNATIVE_START.match(left)
        if start:
            left = left[start.end():]
        else:  # as many words before "or" as after it
            left = " ".join(left.split()[-max(len(right.split()), 1):])
    return (left.strip(), right.strip()) if set(T.tokens(left)) ^ set(T.tokens(right)) else None


@lru_cache(maxsize=4096)
def analyse(question: str) -> QuestionInfo:
    """Answer type, answer form, key terms and specific names of a question."""
    asked = [part for part in re.split(r"(?<=[?])\s+", question.strip()) if part.strip()]
    last = asked[-1] if asked else question  # with context prepended, the type is the last ask's
    if len(asked) > 1 and not last.rstrip().endswith("?") and not _ASKS.match(last):
        last = asked[-2]  # "how many days ...? i've seen two numbers": a remark; "can i raise it? whats the max" asks
    # "whats the total" asks as "what is the total"; "wat is", "wats": what
    last = _IS_CONTRACTED.sub(lambda m: f"{m.group(1)} is", _CHAT_WHAT.sub("what", last))
    last = _REQUEST.sub("", last) or last  # "could you tell me when ...?" asks when, not whether
    last = _TOPIC.sub("", last) or last
    last = _LEADING_CLAUSE.sub("", last) or last
    # the type the question asks for first: "who do I email when I'm away?" asks for a who
    typed = _CLAUSE_WHEN.sub(r"\1while", last)  # "what post did she hold when she spoke?" asks for a post
    found = [(m.start(), order, kind) for order, (kind, rx) in enumerate(_TYPES) if (m := rx.search(typed))]
    reason = _REASON.search(last)
    if reason:
        found.append((reason.start(), -1, ANY))  # "why ... when ...?" asks for a reason, not a date
    answer_type = min(found)[2] if found else ANY
    if _WHO_IS_NAMED.match(last):
        answer_type = ANY  # "who was hipparchus?" asks what the named one was, as "what is X" does
    if _YESNO.search(last) and not re.match(r"^\W*(?:what|which|who|when|where|why|how)\b", last, re.I) \
            and not _asks_which(last):  # "is it A or B?" asks which, not whether
        form = YESNO
        answer_type = ANY  # "can i put the number of mines in as a percentage?" asks whether, not how many
    elif _LIST.search(last):
        form = LIST
    elif (_DEFINITION.search(last) or _WHO_IS_NAMED.match(last)) and answer_type == ANY and (_DEFINE_ASKED.search(last) or not _REASON.search(last)):
        form = DEFINITION  # "how does X define Y?" asks for the definition, not a reason
    elif _REASON.search(last) and answer_type in (ANY, NAME):
        form = REASON
    else:
        form = FACT
    unframed = re.sub(_ASKED_REASON, " ", _EXCLUDED.sub(" ", question), flags=re.I)
    terms = tuple(dict.fromkeys(T.tokens(_FRAME_WORD.sub(" ", _COUNTED_DISTINCT.sub(r"\1 ", unframed)))))
    specific = [t for w in T.capitalised_terms(question) for t in T.tokens(w) if not t.isdigit()]
    specific += [n for n in T.numbers(question) if len(n) >= 3]
    specific += re.findall(r"\b(?:19|20)\d{2}\b", question)
    counted: tuple[str, ...] = ()
    head = re.search(r"\bhow (?:many|much)\s+(.*)|\bnumber of\s+(.*)|\bwhat (percentage|proportion|share)", last, re.I)
    if head:
        if head.group(3):
            counted = ("percent",)
        else:
            # "how many different kinds of temp files": the files are counted, by kind; "how many
            # diff limits": the limits
            after = KINDS_OF.sub("", head.group(1) or head.group(2), count=1).split()
            # the counted noun ends where a preposition or a verb follows it: "employees at Falcot" counts employees
            cut = next((i for i, w in enumerate(after[:3]) if i and (w.lower() in _PREPOSITIONS or _verb(w))), 3)
            words = T.tokens(" ".join(after[:cut]))
            counted = tuple(t for t in words if t not in _FRAME or t in _UNITS)[:2]
            # "wg on pko meetings": the meetings; "of the 180 participants were women": not the participants
            # (not past its verb: "how many days do the auto backups get wiped" counts days, not backups)
            phrase = list(itertools.takewhile(lambda w: not _verb(w), after[:5]))
            plural = "" if after[:1] == ["of"] else next((w for w in phrase if _PLURAL.fullmatch(w)), "")
            counted += tuple(t for t in T.tokens(plural) if t not in counted and t not in _FRAME)
    elif re.search(r"\bhow long\b(?!\s+ago\b)", last, re.I):
        counted = tuple(sorted(_UNITS))
    items = 0
    if form == LIST:
        said = _ITEMS.search(T.number_words_to_digits(last))
        items = int(said.group(1)) if said else 0
    return QuestionInfo(
        text=question,
        answer_type=answer_type,
        terms=terms,
        specific=tuple(dict.fromkeys(s for s in specific if s not in T.STOPWORDS)),
        numbers=frozenset(T.numbers(question)),
        counted=counted,
        needs_count=bool(counted) and head is not None and head.group(3) is None and not re.search(r"\bhow much\b", last, re.I),
        years=frozenset(re.findall(r"\b(?:19|20)\d{2}\b", question)),
        form=form,
        role=bool(_ROLE.search(last)),
        items=items,
        day=answer_type == DATE and bool(_DAY.search(last)),
    )


def leans_on_context(question: str) -> bool:
    """True when a question leans on an earlier turn (pronouns, ellipsis, very few key terms)."""
    info = analyse(question)
    if re.match(r"^\W*(?:and|what about|how about|what of|same for|also|but)\b", question, re.I):
        return True
    return (bool(_PRONOUNS.search(question)) and not info.specific) or len(info.terms) <= 2
