import pytest

from rag.answering.features import Vocabulary, asks_expansion, counted_values, defines, expanded_acronyms, sentence_values, type_match
from rag.question import analyse

HOW_LONG = analyse("For how long does the Project Leader serve?")


@pytest.mark.parametrize("sentence", ["The Project Leader serves for one year.", "The term of office is 1 year."])
def test_one_of_a_time_unit_is_a_quantity(sentence):
    assert sentence_values(HOW_LONG, sentence)[0] == {"1"}


def test_one_as_a_word_is_not_a_quantity():
    assert sentence_values(HOW_LONG, "One of the members serves as chair.")[0] == frozenset()


def test_a_count_is_anchored_to_what_the_question_counts():
    values, anchored = sentence_values(analyse("How many states signed?"), "In all, 152 states signed it.")
    assert values == {"152"} and anchored


def test_the_counted_values_are_those_of_what_the_question_counts():
    q = analyse("How many states signed?")
    assert counted_values(q, "In all, 152 states from 4 regions of the wider world have signed it.") == {"152"}
    assert counted_values(q, "In all, 4 different regions of the world took part.") == frozenset()


@pytest.mark.parametrize("alike, anchored", [(0.9, True), (0.1, False)])
def test_a_count_in_other_words_is_anchored_by_similarity(alike, anchored):
    asked = []
    q = analyse("How many countries took part?")
    values, found = sentence_values(q, "In all, 152 member states joined.", lambda a, b: asked.append((a, b)) or alike)
    assert values == {"152"} and found is anchored
    assert len(asked) == 1 and "countries" in asked[0][0] and asked[0][1] == "member states"


@pytest.mark.parametrize(
    "question, sentence, expected",
    [
        ("how does the network define effectiveness?", "The network defines effectiveness as the strategic impact of a mission.", True),
        ("what is a champion?", "A champion is a member state that rallies others.", True),
        ("what is a champion?", "This is something the champions have tried to address.", False),
        ("what is meant by good donorship?", "The strand also focused on the idea of good donorship.", False),
        # a glossary's entry: the term, a colon, what it is
        ("what do they mean by classic serverless?", "1. Classic Serverless: The engine runs within the same process.", True),
        # a name after what it is
        ("who was hipparchus?", "Long ago, the ancient Greek astronomer Hipparchus classified the stars.", True),
        ("who was hipparchus?", "Hipparchus's scheme is still used by astronomers.", False),
        # an apposition: the term, a comma, what it is
        ("dkms - what is it?", "Squeeze brought DKMS, a framework to generate kernel modules.", True),
        ("dkms - what is it?", "The release, a big one, brought DKMS.", False),
        ("what do they mean by classic serverless?", "Note: classic serverless engines are rare.", False),
        # "refer to" as an instruction points elsewhere; as a verb of its subject it defines
        ("what is the build team for?", "To find out whom to ask on the build team, refer to the wiki.", False),
        ("what is the build team for?", "Please refer to the build team page.", False),
        ("what is the build team?", "The words build team refer to the people who run the build machines.", True),
        # the scope a question ends on is not what it asks defined
        ("what is sokoban in nethack", "NetHack is the product of dozens of people's work.", False),
        ("what is sokoban in nethack", "Sokoban is a pre-mapped branch of the dungeon.", True),
        ("what is the wiki in nethack", "NetHack is the product of dozens of people's work.", False),
        # a condition's subject is not defined by it
        ("what is ShackleMe?", "If ShackleMe is not well-known, reject the idea.", False),
        ("what is ShackleMe?", "ShackleMe is a nonfree program.", True),
    ],
)
def test_a_definition_defines_a_term_of_the_question(question, sentence, expected):
    assert defines(analyse(question), sentence) is expected


@pytest.mark.parametrize("sentence, expected", [
    ("The three heads meet quarterly with the directors.", True),
    ("Elections are held every two years.", True),
    ("The heads met in Berlin to set priorities.", False),
])
def test_how_often_is_answered_by_a_frequency(sentence, expected):
    assert type_match(analyse("how often do the heads meet?"), sentence, frozenset()) is expected


def test_a_percentage_is_not_a_count():
    count = analyse("how many member states signed the declaration?")
    assert sentence_values(count, "More than 75 percent of member states signed it.")[1] is False
    assert sentence_values(count, "Since 2018, 152 member states have signed it.")[1] is True
    assert sentence_values(analyse("what percentage of member states signed?"), "75 percent of member states signed.")[1]


def test_a_multiple_answers_how_much():
    q = analyse("how much free disk space does it need while it runs?")
    assert sentence_values(q, "It needs twice the size of the original database in free space.")[0] == {"twice"}
    assert not sentence_values(q, "Double-click the file to open it.")[0]


def test_a_fraction_in_words_counts_what_follows_it():
    count = analyse("how many peacekeepers operate in complex settings?")
    assert sentence_values(count, "More than two-thirds of UN peacekeepers operate in complex settings.")[1] is True
    assert sentence_values(count, "Two-thirds of the budget went to complex settings.")[1] is False  # not of peacekeepers


def test_a_footnote_mark_and_a_day_of_a_date_are_not_quantities():
    count = analyse("how many member states belong to the group?")
    assert sentence_values(count, "46 Group of Friends, meeting note, February 26, 2019.")[0] == frozenset()
    cost = analyse("how much did it cost to run the forum?")
    assert sentence_values(cost, "The forum was hosted virtually from 7–11 December 2020.")[0] == frozenset()
    assert "7" in sentence_values(analyse("when was the forum held?"), "It was held on 7 December 2020.")[0]
    assert sentence_values(count, "152 member states signed it.")[0] == frozenset({"152"})


def test_a_year_in_a_name_does_not_date_anything():
    when = analyse("when was the network set up?")
    assert not type_match(when, "The 2020 Annual Forum set out to examine peace operations.", frozenset())
    assert type_match(when, "The network was set up in 2017.", frozenset())


@pytest.mark.parametrize("sentence, expected", [
    ("The project was founded in August 1993.", False),  # a month, no day
    ("The project was founded on August 16th, 1993.", True),
    ("It was held from 7-11 December 2020.", True),
    ("The release is dated 2020-12-05.", True),
])
def test_a_question_that_asks_for_a_day_needs_a_day(sentence, expected):
    assert type_match(analyse("what day was the project founded?"), sentence, frozenset()) is expected
    assert type_match(analyse("when was the project founded?"), sentence, frozenset())  # any date answers "when"


def test_a_question_for_an_address_needs_one_it_does_not_write_itself():
    q = analyse("whats the url of the reject faq?")
    assert not type_match(q, "The FTP masters publish a REJECT-FAQ on how they read the guidelines.", frozenset())
    assert type_match(q, "See https://ftp-master.debian.org/REJECT-FAQ.html for the reasons.", frozenset())
    assert type_match(analyse("whats the secretary's email?"), "Write to secretary@debian.org.", frozenset())


def test_a_name_the_question_writes_inside_a_hyphenated_word_is_no_new_name():
    who = analyse("who moderates the info-gnu announcement list?")
    assert not type_match(who, "We recommend the moderated GNU announcements list.", frozenset())
    assert type_match(who, "The list is moderated by Karl Berry.", frozenset())


@pytest.mark.parametrize("sentence, expected", [
    ("The Debian Project was created by Ian Murdock in 1993.", True),  # a known first name
    ("The Ambassador of Tunisia, Tarek Ladeb, was elected Chair.", True),  # a first name no dictionary has
    ("Ms. Gbeho explained the transition.", True),  # an honorific
    ("The Technical Committee decides.", True),  # a body
    ("The Project Leader appoints the Secretary.", True),  # an office
    ("It is now possible to start the installer directly from Microsoft Windows.", False),  # capitals, no one
    ("Unlike Hubble, the James Webb Space Telescope orbits at L2.", True),  # a name on a telescope still names one
    ("Copyright and licence questions go to the Debian FTP Masters' REJECT-FAQ.", False),
    ("The ferry patrol was handed to the Goma river police in 2025.", True),  # a body's word in lower case after a name
    ("The ferry patrol was handed to the river police in 2025.", False),
])
def test_who_is_answered_by_a_person_a_body_or_an_office(sentence, expected):
    assert type_match(analyse("who started the project?"), sentence, frozenset()) is expected


@pytest.mark.parametrize("question", ["who chaired the commission in 2020?", "who is the current project leader?",
                                      "who led the review of peacekeeper security?"])
def test_who_holds_an_office_is_a_person_not_the_office(question):
    assert not type_match(analyse(question), "Briefings by the Chair of the Commission continued.", frozenset())
    assert type_match(analyse(question), "Briefings by Tarek Ladeb continued.", frozenset())


def test_who_does_something_to_an_office_may_be_another_office():
    assert type_match(analyse("who appoints the project secretary?"), "The Project Leader appoints the Secretary.",
                      frozenset())


def test_when_in_the_present_is_answered_by_the_event_that_triggers_it():
    condition = "The grants become effective on the date the Contributor first distributes it."
    assert type_match(analyse("when do the grants start applying?"), condition, frozenset())
    assert type_match(analyse("When does the licence end?"), "It terminates upon any breach.", frozenset())
    # a past "when" asks for the calendar date it happened on
    assert not type_match(analyse("when was the licence published?"), condition, frozenset())


@pytest.mark.parametrize(
    "question, expected",
    [
        ("a4p = ?", True),
        ("What is the full name of the initiative abbreviated A4P?", True),
        ("what is the A4P short for in the declaration?", True),
        ("how many states signed the A4P declaration?", False),
        ("what did the A4P declaration commit states to?", False),
        ("what does A4P mean when states sign it?", True),
        ("what does the A4P network mean by effective?", False),  # what it means by a word
        ("What does the term 'A4P' refer to in the declaration?", True),
        ("which UN reports refer to the A4P declaration?", False),
    ],
)
def test_a_question_asks_what_an_acronym_stands_for(question, expected):
    assert asks_expansion(analyse(question), ["A4P"]) is expected


@pytest.mark.parametrize(
    "question, expected",
    [
        ("What does the term 'A3' refer to in the AU-UN partnership?", ["A3"]),
        ("what does DPPA stand for in the AU report?", ["DPPA"]),
        ("how do the AU and UN work together on A3?", ["AU", "UN", "A3", "DPPA"]),  # asks no expansion: all of them
    ],
)
def test_the_acronym_a_question_asks_to_spell_out_is_the_one_before_its_verb(question, expected):
    assert expanded_acronyms(analyse(question), ["AU", "UN", "A3", "DPPA"]) == [a for a in ["AU", "UN", "A3", "DPPA"] if a in expected]


def test_a_sentence_states_a_long_form_without_the_word_the_collection_uses_everywhere():
    idf = {"debian": 0.2, "project": 2.0, "leader": 3.0, "term": 2.0}
    vocab = Vocabulary(lambda t: idf.get(t, 1.0), lambda t: True, acronyms={"dpl": ["debian", "project", "leader"]})
    q = analyse("what is the dpl term?")
    assert vocab.coverage(q, {"project", "leader", "term"}) == 1.0  # "The Project Leader's term ..."
    assert vocab.coverage(q, {"debian", "project", "term"}) < 1.0  # the leader is the rare word: not said


def test_initials_the_documents_never_write_weigh_what_the_name_they_spell_weighs():
    idf = {"debian": 0.2, "project": 2.0, "leader": 3.0, "term": 2.5}  # "dpl": unknown, no weight of its own
    vocab = Vocabulary(lambda t: idf.get(t, 0.0), lambda t: t in idf,
                       initialisms={"dpl": ("Debian Project Leader", 1)})
    q = analyse("what is the DPL term?")
    assert vocab.coverage(q, {"project", "leader"}) > vocab.coverage(q, {"term"})


@pytest.mark.parametrize(
    "question, unreadable",
    [
        ("¿Cuántos estados miembros firmaron la declaración?", True),
        ("wie viele Mitgliedstaaten haben die Erklärung unterzeichnet?", True),
        ("сколько государств подписали декларацию?", True),
        ("how many depots counted their blankets in March?", False),
        ("whos hosting nxt yrs forum", False),  # chat shorthand is short: not counted
        ("why doesnt the deppot count blankts?", False),  # a contraction, typos the collection corrects
        ("UNAMID MINUSMA MONUSCO", False),  # acronyms aside
    ],
)
def test_a_question_mostly_in_words_neither_english_nor_the_collections_is_unreadable(question, unreadable):
    known = {"depot", "blanket", "count", "march"}
    vocab = Vocabulary(lambda t: 1.0, known.__contains__,
                       typos=lambda q: {t: w for t, w in (("deppot", "depot"), ("blankt", "blankets")) if t in q.lower()})
    assert vocab.unreadable(question) is unreadable


@pytest.mark.parametrize(
    "sentence, reference",
    [
        ("³ See Gustavo de Carvalho, Partnerships and Peace Operations in Africa.", True),
        ("For an overview of the issue, see Security Council Report, “Is Christmas Really Over?", True),
        ("See the License for the specific language governing permissions.", True),
        ("Developers may make these decisions as they see fit.", False),
        ("Data goes to drives on a server, where RAID (see Section 12.1.1, “Software RAID”) protects it.", False),
        ("Report of the Panel on United Nations Peace Operations, 2000.", True),
        ("This release of the guide was last updated February 26, 2022.", False),  # a date ends it, not a citation
        ("The release was frozen on February 7th, 2017.", False),  # a date with its day's ordinal too
    ],
)
def test_a_cross_reference_or_the_verb_see_is_no_bibliography(sentence, reference):
    from rag.answering.features import BIBLIOGRAPHIC

    assert bool(BIBLIOGRAPHIC.search(sentence)) is reference


def test_a_sentence_that_opens_on_the_asked_term_says_what_it_is():
    q = analyse("what's a soft limit when it comes to disk quotas")
    assert defines(q, "A “soft” limit can be temporarily exceeded; the user will simply be warned.")
    assert not defines(q, "After this period, the soft limit will be treated like a hard limit.")  # not its subject
    assert not defines(q, "The limit is soft.")  # one word of a two-word term


def test_a_count_by_kinds_is_anchored_to_what_they_are_kinds_of():
    q = analyse("how many different kinds of temporary files are there?")
    assert sentence_values(q, "SQLite currently uses nine distinct types of temporary files.") == (frozenset({"9"}), True)


def test_a_count_stated_after_what_it_counts_is_anchored_and_may_look_like_a_year():
    q = analyse("whats the default max number of columns in a table?")
    assert sentence_values(q, "The default setting for SQLITE_MAX_COLUMN is 2000.") == (frozenset({"2000"}), True)
    assert sentence_values(q, "The default page cache parameter is 1.")[1] is False  # not what is counted
    assert sentence_values(q, "In 2000, the project moved to a new table format.")[0] == frozenset()  # a year


@pytest.mark.parametrize("sentence, expected", [
    ("Support for Mac OS Classic ended with R 1.7.1.", True),  # a version tells when in a program's life
    ("As of version 3.37.0, tables can be strict.", True),
    ("Except as provided in Section 10.3, no one may publish new versions.", False),  # a section's number
    ("Version 2.0 was the one with MPL 2.0 terms.", False),  # the version the question names
])
def test_when_is_answered_by_a_date_or_a_programs_version(sentence, expected):
    q = analyse("when did support for mac os classic end in MPL 2.0 land?")
    assert type_match(q, sentence, frozenset()) is expected


def _passage(text: str, title: str = "Annual report", section: str = ""):
    from dataclasses import replace

    from rag.ingest import split_paragraphs
    from rag.types import DocumentInfo, Passage

    paragraph = replace(split_paragraphs("d", text + "\n")[0], section=section)
    return Passage(paragraph, DocumentInfo("d", title, "d.txt"), 1.0)


def test_a_name_the_question_asks_about_must_be_named_where_the_answer_comes_from():
    from rag.answering.features import unmentioned

    knows_all = Vocabulary(lambda t: 1.0, lambda t: True, acronyms={"PBC": ["Peacebuilding Commission"]})
    q = analyse("who chaired the PBC in 2020?")
    elsewhere = "Tarek Ladeb was elected Chair of the Working Group for 2020."
    assert unmentioned(q, _passage(elsewhere), knows_all) == ["pbc"]
    # named by the acronym's long form, by the section, or by the document's title
    assert unmentioned(q, _passage("The Peacebuilding Commission was chaired by Ms. Rae in 2020."), knows_all) == []
    assert unmentioned(q, _passage(elsewhere, section="PBC chairs"), knows_all) == []
    assert unmentioned(q, _passage(elsewhere, title="The PBC in 2020"), knows_all) == []
    # an acronym the paragraph writes says the words of its long form
    unamid = Vocabulary(lambda t: 1.0, lambda t: True, acronyms={"UNAMID": ["Hybrid Operation in Darfur"]})
    darfur = analyse("when did the Hybrid Operation close?")
    assert unmentioned(darfur, _passage("UNAMID closed on 31 December 2020."), unamid) == []
    assert set(unmentioned(darfur, _passage("UNAMID closed on 31 December 2020."), knows_all)) == {"hybrid", "operat"}
    # initials a name of the paragraph spells, hyphenated, plural or possessive
    eu = analyse("when did the ministers discuss the EU partnership?")
    assert unmentioned(eu, _passage("The European Union partnership was discussed on 25 May."), knows_all) == []
    usg = analyse("when did the USG visit the mission?")
    assert unmentioned(usg, _passage("The Under-Secretary-General visited the mission in May."), knows_all) == []
    tccs = analyse("how many TCCs sent troops?")
    assert unmentioned(tccs, _passage("In all, 120 Troop Contributing Countries sent troops."), knows_all) == []
    sg = analyse("when did the SG's call for a ceasefire come?")
    assert unmentioned(sg, _passage("The Secretary-General called for a ceasefire in March."), knows_all) == []
    # a word the collection never writes is no clue
    knows_none = Vocabulary(lambda t: 1.0, lambda t: False)
    assert unmentioned(eu, _passage("The partnership was discussed on 25 May."), knows_none) == []
    # a capitalised word the collection also writes in lower case is no name ("Member States")
    states = analyse("how many Member States signed the PBC pledge?")
    signed = _passage("In all, 152 countries signed the PBC pledge.")
    assert set(unmentioned(states, signed, knows_all)) == {"member", "stat"}
    common = Vocabulary(lambda t: 1.0, lambda t: True, common=frozenset({"member", "states"}))
    assert unmentioned(states, signed, common) == []
