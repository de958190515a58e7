import pytest

from rag.conversation import rewrite, search_query

FIRST = "When did UNAMID operations cease?"


@pytest.mark.parametrize(
    "history, follow_up, expect",
    [
        ([FIRST], "how many troops did it have?", "UNAMID"),
        ([FIRST], "what was its mandate?", "UNAMID's mandate"),
        (["How many member states signed the declaration in 2018?"], "and in 2019?", "in 2019"),
        (["Who chaired the Working Group in 2020?"], "what about the Special Committee?", "Special Committee"),
        (["Who chaired the Working Group in 2020?"], "who took over?", "Working Group"),
    ],
)
def test_follow_ups_are_rewritten_to_stand_alone(history, follow_up, expect):
    assert expect in rewrite(follow_up, history)


def test_a_standalone_question_is_left_alone():
    q = "How many observers did Mission Alpha employ?"
    assert rewrite(q, [FIRST]) == q
    assert rewrite("when did it close?", []) == "when did it close?"


def test_a_follow_up_that_names_what_it_asks_about_is_not_carried_with_the_earlier_one():
    q = "and how deep is the amulet supposed to be?"
    assert rewrite(q, ["what does Dlvl on the status line mean"]) == q
    assert "Working Group" in rewrite("who took over?", ["Who chaired the Working Group in 2020?"])  # a short one is


def test_the_one_of_another_owner_takes_the_earlier_owners_place():
    assert rewrite("and the one on webb?", ["how big is hubble's main mirror?"]) == "how big is webb's main mirror?"


def test_an_ellipsis_that_asks_inside_it_asks_that_of_the_earlier_question():
    out = rewrite("over how many yrs?", ["which depreciation method does the camera example use"])
    assert out.startswith("over how many yrs (which depreciation method")


def test_the_year_of_an_ellipsis_replaces_the_earlier_year():
    out = rewrite("and in 2019?", ["How many states signed in 2018?"])
    assert "2019" in out and "2018" not in out


@pytest.mark.parametrize(
    "before, follow_up",
    [
        ("Who wrote the annual report?", "what's her day job?"),  # names nobody: "her" is the answer
        ("Who from the Secretary-General's office spoke at the forum?", "what's his title?"),  # asked who
    ],
)
def test_a_person_pronoun_is_not_replaced_by_a_thing(before, follow_up):
    out = rewrite(follow_up, [before])
    assert out.startswith(follow_up.rstrip("?")) and before.rstrip("?") in out


def test_a_person_pronoun_takes_the_person_the_earlier_question_names():
    assert "Jean-Pierre Lacroix's role" in rewrite("what was his role?", ["What did Jean-Pierre Lacroix say?"])


def test_a_name_does_not_carry_a_trailing_connector_into_the_rewrite():
    assert rewrite("how could they help the RECs?", ["what's the A3 in the security council?"]) == "how could A3 help the RECs?"


def test_of_names_as_long_the_first_is_the_topic():
    assert rewrite("what change to it was recommended?", ["What is the PCRS in the Cairo summary?"]) == \
        "what change to PCRS was recommended?"
    assert "Working Group" in rewrite("when did it meet?", ["Did Egypt chair the Working Group?"])


def test_a_part_of_what_was_counted_is_a_part_of_it():
    before = ["how many internal deliverables does the secretariat have?"]
    assert rewrite("how many of those were on track?", before) == "how many of the internal deliverables were on track?"
    assert rewrite("how much of it went to health?", ["how much money did the functions get?"]) == \
        "how much of the money went to health?"
    assert rewrite("when did it close?", ["how many troops did UNAMID have?"]) == "when did UNAMID close?"


def test_it_after_a_question_about_something_is_that_thing():
    history = ["what did dagash-kamara say about the financial cliff?"]
    assert rewrite("which member state rep also warned about it?", history) == \
        "which member state rep also warned about financial cliff?"
    assert "strand" in rewrite("what event did they point to?", ["what did the peacebuilding strand say about donorship?"])


@pytest.mark.parametrize(
    "before, follow_up, expect",
    [
        ("What does it mean when package A Depends on package B?", "ok and Recommends?",
         "What does it mean when package A Recommends on package B"),
        ("What is Atul Khare's role?", "and jan beagle?", "What is jan beagle's role?"),
    ],
)
def test_a_short_noun_phrase_takes_the_place_of_the_name_asked_about(before, follow_up, expect):
    assert rewrite(follow_up, [before]).startswith(expect)


def test_a_phrase_that_opens_with_a_preposition_adds_to_the_question_instead():
    out = rewrite("and in darfur?", ["How many troops did UNAMID have?"])
    assert "UNAMID" in out and out.endswith("in darfur?")


def test_a_phrase_of_a_preposition_the_earlier_question_has_takes_its_place():
    before = "how do i use 2 accounts on the same git host over ssh?"
    assert rewrite("and over https?", [before]) == "how do i use 2 accounts on the same git host over https?"
    assert "ssh" not in search_query("and over https?", [before])  # the part replaced stays out of the search too
    assert "ssh" in search_query("and how do i make the key?", [before])  # not replaced: the earlier words help


def test_they_who_said_something_are_who_spoke_in_the_earlier_question():
    before = ["what did the closing panel say about the UNAMA resolution?"]
    assert rewrite("any mission mandate they held up as a good example?", before) == \
        "any mission mandate the closing panel held up as a good example?"
    # "they" that did not say anything are what the speaker spoke about, not the speaker
    assert "the report" not in rewrite("where have they been set up?", ["what does the report say about regional offices?"])


def test_it_is_contracted_reads_as_the_topic_and_is():
    out = rewrite("what if my library doesnt say which version it's under?", ["who can publish new versions of the LGPL?"])
    assert out.endswith("which version LGPL is under?")


@pytest.mark.parametrize(
    "before, follow_up, expect",
    [
        ("which env var sets the spooler's frontend?", "what do i set it to?", "what do i set the env var to?"),
        ("which co-host led the logistics strand?", "who wrote their paper?", "who wrote the co-host's paper?"),
        ("which three countries signed the pledge?", "when did they sign?", "when did the three countries sign?"),
    ],
)
def test_it_after_a_which_question_is_the_subject_it_asked_for(before, follow_up, expect):
    assert rewrite(follow_up, [before]) == expect


def test_a_which_question_that_asks_no_subject_gives_it_no_noun_of_its_own():
    # "what year did the depot close?" asks for a year, and a later "it" is no year
    assert "the year" not in rewrite("why did it close?", ["what year did the depot close?"])


def test_an_unnamed_topic_keeps_its_number_and_drops_chat_spellings_of_function_words():
    rewritten = rewrite("what's it named after", ["whats the codename of debian 10"])
    assert "10" in rewritten.split() and "whats" not in rewritten.split()


def test_they_after_a_who_question_are_the_people_it_asked_for():
    # "they" are whoever wrote it, not the words of the earlier question
    rewritten = rewrite("which uni were they at", ["who wrote the first version of the tool?"])
    assert rewritten.startswith("which uni were they at") and "who wrote the first version of the tool" in rewritten


@pytest.mark.parametrize("follow_up", ["what was that file actually?", "and is there a casting vote in that vote?"])
def test_a_demonstrative_before_a_noun_names_its_thing_and_is_not_replaced(follow_up):
    rewritten = rewrite(follow_up, ["how does the committee pick its chair"])
    assert rewritten.startswith(follow_up.rstrip("?")) and "how does the committee pick its chair" in rewritten


def test_a_demonstrative_before_a_verb_stands_for_the_earlier_thing():
    assert rewrite("what does that mean?", ["what is the A3?"]) == "what does A3 mean?"


@pytest.mark.parametrize("before, follow_up, expect", [
    ("how do i put a saddle on my pony", "ok and how do i get it off again", "ok and how do i get the saddle off again"),
    ("how do i set the number of mines in custom", "can i put it in as a percentage?", "can i put the number of mines in as a percentage?"),
])
def test_it_is_the_earlier_questions_noun_phrase_when_it_names_nothing(before, follow_up, expect):
    assert rewrite(follow_up, [before]) == expect
