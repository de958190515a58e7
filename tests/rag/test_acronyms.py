import pytest

from rag import text as T
from rag.acronyms import find_acronyms, find_initialisms, initials_name, spelled_initials

TEXTS = [
    "Decisions are taken by the Technical Committee. The Debian Project Leader appoints the Technical Committee members.",
    "Then the Technical Committee votes. Does Debian support Java? Ask the Project Secretary.",
]


def test_initials_read_as_the_name_they_most_often_spell():
    found = find_initialisms(TEXTS, known=lambda term: False)
    assert found["tc"] == ("Technical Committee", 3)
    assert found["dpl"] == ("Debian Project Leader", 1)
    assert "dd" not in found  # "Does Debian" opens its sentence: not a name


def test_initials_the_documents_write_or_stopwords_are_left_alone():
    found = find_initialisms(TEXTS, known=lambda term: term == "ps")
    assert "ps" not in found  # "PS" is a word the documents use
    assert all(key not in found for key in ("the", "an"))


def test_a_question_spells_names_by_capitals_or_by_frequency():
    found = find_initialisms(TEXTS, known=lambda term: False)
    assert spelled_initials("how long is a DPL term?", found) == {"dpl": "Debian Project Leader"}
    # lower case, the name occurs once: read when no English word ("dpl"), not when one ("pat")
    assert spelled_initials("how long is a dpl term?", found) == {"dpl": "Debian Project Leader"}
    once = find_initialisms(["Ask the Package Admin Team."], known=lambda term: False)
    assert once["pat"] == ("Package Admin Team", 1)
    assert spelled_initials("can i pat the dog?", once) == {}
    assert spelled_initials("can i ask the PAT?", once) == {"pat": "Package Admin Team"}
    assert spelled_initials("can the tc overrule?", found) == {"tc": "Technical Committee"}
    assert spelled_initials("who is the DPL or the TeC?", found) == {"dpl": "Debian Project Leader", "tc": "Technical Committee"}


def test_defined_acronyms_are_still_learned_from_their_definitions():
    assert find_acronyms(["The Mission Alpha Observation Force (MAOF) was deployed."]) == {
        "maof": T.tokens("Mission Alpha Observation Force")}


def test_a_long_form_in_lower_case_is_learned_when_its_initials_spell_the_acronym():
    found = find_acronyms(["the so-called release-critical bugs (RC bugs) delay a release",
                           "it keeps a write-ahead log (WAL) beside the database",
                           "some non-maintainer uploads (NMUs) were late",
                           "we read the big file (XYZ) twice",
                           "the tracking system (RC bugs) lists them"])
    assert found["rc"] == T.tokens("release critical")
    assert found["wal"] == T.tokens("write ahead log")
    assert found["nmu"] == T.tokens("non maintainer upload")
    assert "xyz" not in found  # initials that spell no acronym
    assert len(found) == 3  # "(RC bugs)" after a noun it does not repeat defines nothing


@pytest.mark.parametrize(
    "acronym, text, name",
    [
        ("GNU", "Even the name “GNU” is a recursive acronym for “GNU’s Not Unix.”", "GNU’s Not Unix"),
        ("DPL", "The Debian Project Leader is elected every year.", "Debian Project Leader"),
        ("DPO", "It reports to the Department of Peace Operations.", "Department of Peace Operations"),
        ("GNU", "GNU packages. Not Unix at all.", ""),  # a full stop ends a name
        ("A4P", "Action for Peacekeeping", ""),  # a digit is no initial
        ("TC", "the technical committee", ""),  # written in lower case: no name
    ],
)
def test_a_name_whose_initials_spell_the_acronym(acronym, text, name):
    assert initials_name(acronym, text) == name


def test_an_acronym_written_before_its_long_form_is_learned_when_the_initials_spell_it():
    found = find_acronyms(["To use the Emacs GUD (Grand Unified Debugger) library, type M-x gdb.",
                           "Run GDB (the debugger) first."])
    assert found["gud"] == T.tokens("Grand Unified Debugger") and "gdb" not in found
