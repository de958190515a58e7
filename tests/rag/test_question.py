import pytest

from rag.question import (ADDRESS, ANY, COUNTRY, DATE, DEFINITION, FACT, FREQUENCY, LIST, NAME, NUMBER, PERSON, REASON, REFERENCE, YESNO,
                          alternatives, analyse, leans_on_context)


@pytest.mark.parametrize(
    "question, kind",
    [
        ("How many member states signed the declaration?", NUMBER),
        ("What share of peacekeepers serve in complex settings?", NUMBER),
        ("When did UNAMID operations cease?", DATE),
        ("In what year was CPAS launched?", DATE),
        ("What were the dates of the forum?", DATE),
        ("what's the deadline for comments?", DATE),
        ("which days in december did the forum run?", DATE),
        ("date of the ministerial dinner", DATE),  # a fragment
        ("what yr did the patents run out?", DATE),  # chat shorthand
        ("Who chaired the Working Group?", PERSON),
        ("whose idea was the social contract?", PERSON),
        ("Which two countries circulated the draft?", COUNTRY),
        ("Which Security Council resolution recognised data?", REFERENCE),
        ("What are the three pillars of A4P?", ANY),
        ("how often does the committee meet?", FREQUENCY),
        ("whats the total budget for 2020?", NUMBER),
        ("total amount raised at the pledging conference?", NUMBER),
        ("who's the chair now?", PERSON),
        ("roughly what was the turnout at the forum?", NUMBER),
        ("What is the expected turnaround time for an answer to a request?", NUMBER),  # a duration
        ("what is the typical size of a depot team?", NUMBER),
        ("What is the largest database size that SQLite supports?", NUMBER),  # words before the quantity asked
        ("whats the default max number of columns in a tbl?", NUMBER),
        ("can i raise it? whats the absolute max", NUMBER),  # the second ask, typed without its "?"
        ("what is the maximum page cache limit?", NUMBER),
        ("What size should the background tile image be?", NUMBER),
        ("what rate did they agree on for the loan", NUMBER),
        ("what is the name of the size option?", ANY),  # the quantity is not what is asked
        ("what grid size did the first release use?", NUMBER),  # a word between "what" and the quantity
        ("what USD/EUR exchange rate was entered?", NUMBER),
        ("what does the size option do?", ANY),
        ("whats the default grace period", NUMBER),  # a span of time
        ("which version of the library added the flag?", NUMBER),  # a version is a number
        ("in which release was it introduced", NUMBER),
        ("what is the release date of the second edition?", DATE),
        ("what is a version control system?", ANY),
        ("at what time of day does the nightly job start?", NUMBER),  # a clock time
        ("what time zone do the logs use?", ANY),
        ("and what if my package doesnt say which version it is under?", ANY),  # the version is not what is asked
        ("debian was set up by which guy originally?", PERSON),
        ("name of the person heading the working group", PERSON),
        ("which think tank ran the partnership track?", NAME),
        ("lacroix heads which UN dept?", NAME),
        ("Which co-host organisation led the strand?", NAME),  # a hyphenated word before the class noun
        ("which non-African countries took part?", COUNTRY),
        # a measure asks for a number: "how far", "how old", "the temperature of"
        ("how far from earth is the L2 point in km?", NUMBER),
        ("how old is the universe, in billions of years?", NUMBER),
        ("what is the surface temperature of the sun", NUMBER),
        ("how did the idea of a measure of age arise?", ANY),
    ],
)
def test_answer_types(question, kind):
    assert analyse(question).answer_type == kind


def test_a_count_of_kinds_counts_what_comes_after_them():
    assert analyse("how many different kinds of temp files does it create?").counted == ("temp", "file")
    assert analyse("how many types of leave are there?").counted == ("leav",)


def test_how_many_different_things_counts_the_things_and_asks_no_word_different():
    q = analyse("how many diff limits can disk quotas enforce?")
    assert q.counted == ("limit",) and "diff" not in q.terms
    assert analyse("how many distinct users are there?").counted == ("user",)
    assert "differenc" in analyse("what is the difference between them?").terms


def test_counted_noun_and_specific_terms():
    q = analyse("How many member states signed the A4P Declaration in 2018?")
    assert q.counted[:2] == ("member", "stat") and q.needs_count
    assert "a4p" in q.specific and "2018" in q.specific
    assert q.years == frozenset({"2018"})
    assert not analyse("How much did the UK shorten the mandate?").needs_count


def test_the_counted_noun_ends_at_the_verb():
    assert analyse("after how many days do the auto backups get wiped").counted == ("day",)  # not the backups
    assert analyse("how many wg on pko meetings were held?").counted == ("wg", "meet")  # the noun after "on" is
    assert analyse("how many ppl took part in the forum?").counted == ("ppl",)  # an irregular verb ends it too


def test_a_list_question_says_how_many_items_it_wants():
    assert analyse("What are the three conditions for redistribution?").items == 3
    assert analyse("which 2 orgs can i donate to").items == 2
    assert analyse("which countries signed?").items == 0
    assert analyse("how many of the 3 members voted?").items == 0  # a count, not a list


def test_a_remark_after_the_question_is_not_the_question():
    q = analyse("how many days do i get to fix it? i've seen two different numbers")
    assert q.answer_type == NUMBER and q.counted == ("day",)


def test_a_topic_typed_before_the_question_is_not_the_question():
    assert analyse("artistic licence - am i allowed to charge a fee?").form == YESNO
    assert analyse("mission budget: who approved it?").answer_type == PERSON
    assert analyse("darfur mission handover - main pillars?").form != YESNO  # no question after the dash
    assert analyse("the old engine vs the new one when many users write at once - which copes better?").answer_type != DATE


def test_a_clause_of_time_or_condition_before_the_question_is_not_what_it_asks():
    assert analyse("when i pass the code on to someone, who do they get their licence from?").answer_type == PERSON
    assert analyse("if i cash out early, how much is the penalty?").answer_type == NUMBER
    assert analyse("when did the mission close, and who led it?").answer_type == DATE  # "when did" asks


@pytest.mark.parametrize("question, expected", [
    ("whats the url of the reject faq?", True),
    ("What is the email address of the project secretary?", True),
    ("whats the secretary's email?", True),
    ("what website hosts the archive", True),
    ("what is the link between the two councils?", False),  # a relation, not a web link
    ("which mailing list should i email?", False),  # a verb
    ("what formats do they want on the project web pages?", False),  # web pages named, not asked for
])
def test_a_question_that_asks_for_a_web_or_mail_address_says_so(question, expected):
    assert (analyse(question).answer_type == ADDRESS) is expected


def test_a_question_typed_as_a_bare_max_or_min_asks_for_a_number():
    assert analyse("max chars for the synopsis in the description field?").answer_type == NUMBER
    assert analyse("min key length for a dd key").answer_type == NUMBER


def test_a_yes_no_question_may_open_with_chats_r_for_are():
    assert analyse("r optional pkgs allowed to conflict with each other").form == YESNO
    assert analyse("r u sure the limit is 64?").form == YESNO


def test_a_question_that_asks_for_a_day_says_so():
    assert analyse("what day was the project founded?").day
    assert analyse("on what date did the dashboard go live?").day
    assert analyse("on which exact day in feb 2015 did she pass away").day
    assert not analyse("when was the project founded?").day
    assert not analyse("what year was the project founded?").day
    assert not analyse("how many days does the freeze last?").day  # counts days


def test_a_when_after_a_questions_verb_opens_a_clause_of_time_it_does_not_ask_for_one():
    q = analyse("is a 2048 bit key good enough when applying to join?")
    assert q.form == YESNO and q.answer_type != DATE
    assert analyse("what post did she hold when she spoke?").answer_type != DATE
    assert analyse("when did the mission close?").answer_type == DATE
    assert analyse("and when was it signed?").answer_type == DATE
    # a request to name or list things: its "when" dates what it asks about, too
    assert analyse("name the three people who joined the board when jackson became president").answer_type != DATE
    assert analyse("list when the meetings were held").answer_type == DATE


def test_a_yes_no_question_asked_after_a_preface_is_yes_no():
    assert analyse("i'm a pacifist, is it ok if my package promotes pacifism?").form == YESNO
    assert analyse("we have two depots, can we merge their stocks?").form == YESNO
    assert analyse("what happens to the stock, is it counted twice?").form != YESNO  # asks what happens


def test_a_count_of_time_units_counts_them():
    # "year" is a frame word for the key terms ("what year ..."), but "how many years" counts years
    q = analyse("dpl gets the job for how many years?")
    assert q.counted == ("year",) and q.needs_count and "year" not in q.terms
    assert "year" in analyse("how long is a term of office").counted  # a length of time, in any unit
    assert not analyse("how long ago was it founded").counted


@pytest.mark.parametrize(
    "question, form",
    [
        ("is it true that the forum was held online?", YESNO),
        ("Did the mission close in 2020?", YESNO),
        ("which three pillars does the plan rest on", LIST),
        ("which tools can i use to pin a package", LIST),
        ("which organisation hosts it?", FACT),
        ("why do reports arrive late?", REASON),
        ("what has driven the focus on performance?", REASON),
        ("whats behind the push on performance", REASON),
        ("how come the reports dont help", REASON),
        ("what made up the budget?", FACT),
        ("how does the network define effectiveness?", DEFINITION),
        ("what does DPPA stand for", DEFINITION),
        ("how many observers were there?", FACT),
        ("what video formats are the projects supposed to use?", LIST),  # a plural after a few words
        ("which open voip protocols does it have software for", LIST),
        ("which version does it use?", FACT),  # "does" is no plural
        ("which process uses it?", FACT),  # nor is a verb not followed by an auxiliary
        ("what does the tool do?", DEFINITION),
        ("what do they mean by 'classic serverless'?", DEFINITION),
        ("reason they dropped tapes for backups?", REASON),  # a fragment asks why
        ("what's the harm in giving a beta the final version number?", REASON),  # the harm of it: why not
        ("whats the point of a public dashboard", REASON),
        ("whats the problem with re-uploading the same version", REASON),  # the problem with it: why not
        ("what actually causes the seasons", REASON),  # an adverb between
        ("why shouldn't i sign the mails i send to the list?", REASON),  # "the list": a mailing list, no list asked for
        ("in policy-speak what does 'should' mean", DEFINITION),  # a phrase before the ask
        ("what does the (tiny change) tag in the changelog mean?", DEFINITION),
        ("parsec as a unit, how is it defined exactly?", DEFINITION),
        ("what's so bad about bundled copies of libs", REASON),
        ("inserts are slow, a few dozen a second - whats causing it", REASON),  # asks for the cause
        ("what happens once it runs out?", REASON),  # a consequence: explained as a reason is
        ("what happens if a member resigns", REASON),
        ("the reason is unclear, right?", YESNO),
        ("if i grab the gem but hit a mine in the same move do i still die?", YESNO),  # after a condition
        ("if i put my books on mysql can several ppl work in them at once?", YESNO),  # whoever the subject
        ("if a package is removed does the bug get closed?", YESNO),
        ("In jigsaw mode, can the grid size be a prime number?", YESNO),  # after a preface
        ("if the grid is big, what size can it be?", FACT),
        ("if the licence changes, which version applies?", FACT),  # a verb ending in s is no plural
        ("what kinds of monsters go in the grid", LIST),
        ("what kind of work does the UN take on?", FACT),
    ],
)
def test_answer_forms(question, form):
    assert analyse(question).form == form


@pytest.mark.parametrize("question, kind, form", [
    ("who is junio c hamano?", ANY, DEFINITION),  # a name alone: what the named one is
    ("who was hipparchus?", ANY, DEFINITION),
    ("who is the chair of the group?", PERSON, FACT),  # a post: who holds it
    ("who is in charge of security?", PERSON, FACT),
    ("who is responsible for the archive?", PERSON, FACT),
])
def test_who_is_a_name_asks_what_the_named_one_is(question, kind, form):
    info = analyse(question)
    assert (info.answer_type, info.form) == (kind, form)


@pytest.mark.parametrize("question, terms", [
    ("whats the point of parking the telescope at L2", ("park", "telescop", "l2")),
    ("what's the problem with bundled copies", ("bundl", "copy")),
    ("what's so bad about bundled copies", ("bundl", "copy")),
])
def test_the_noun_that_frames_a_reason_is_no_term_the_answer_must_say(question, terms):
    assert analyse(question).terms == terms


def test_with_history_the_type_comes_from_the_last_question():
    assert analyse("How many troops did UNAMID have? When did it close?").answer_type == DATE


def test_follow_up_detection():
    assert leans_on_context("When did it close?")
    assert leans_on_context("And the budget?")
    assert not leans_on_context("When did the UNAMID mission in Darfur close its operations?")


def test_the_type_asked_for_first_decides():
    assert analyse("who do I email when I go on vacation?").answer_type == PERSON
    assert analyse("how many troops were there when the mission closed?").answer_type == NUMBER
    assert analyse("when did the mission close?").answer_type == DATE


def test_a_reason_asked_first_is_not_a_date():
    q = analyse("why are the reports of little use when mandates are renewed?")
    assert (q.form, q.answer_type) == (REASON, ANY)
    assert analyse("when did it close, and why?").answer_type == DATE


def test_a_when_after_the_questions_own_wh_word_is_a_clause_not_the_ask():
    q = analyse("What position did she hold when she joined the opening panel?")
    assert q.answer_type == ANY and q.role
    assert analyse("what was his title when he spoke at the forum").answer_type == ANY
    assert analyse("and when did it end?").answer_type == DATE
    assert analyse("the mission closed when?").answer_type == DATE


@pytest.mark.parametrize(
    "question, form",
    [
        ("are more of the commitments on member states or on the SG?", FACT),  # which of two, not whether
        ("is the forum held in person or not?", YESNO),
        ("which needs a bigger majority: amending the constitution or overriding the committee?", FACT),
        ("which tools can i use to pin a package?", LIST),
        ('What does the name "sid" refer to in the archive?', DEFINITION),
    ],
)
def test_alternatives_verbs_after_which_and_refer_to(question, form):
    assert analyse(question).form == form


@pytest.mark.parametrize(
    "question, kind, form",
    [
        ("can you tell me when UNAMID closed?", DATE, FACT),
        ("do you know who chaired the working group?", PERSON, FACT),
        ("could you list the three pillars?", ANY, LIST),
        ("Could you explain why mission heads pushed back?", ANY, REASON),
        ("can the committee overrule a developer?", ANY, YESNO),  # a real yes/no question
    ],
)
def test_a_polite_request_asks_the_question_inside_it(question, kind, form):
    q = analyse(question)
    assert (q.answer_type, q.form) == (kind, form)
    assert "know" not in q.terms


def test_the_words_that_frame_a_why_or_a_definition_are_not_what_it_is_about():
    assert analyse("whats behind the big push on performance?").terms == ("big", "push", "performanc")
    assert analyse("What does the name sid refer to?").terms == ("sid",)


def test_a_word_that_only_shares_a_frame_words_stem_is_what_the_question_is_about():
    assert "year" in analyse("@yearly in a crontab - when does it fire?").terms
    assert "year" not in analyse("how many years did the mission last?").terms  # "years" frames a count


def test_one_as_a_determiner_is_not_what_the_question_is_about():
    assert analyse("how long does one full wobble of the axis take?").terms == ("long", "full", "wobbl", "axis")
    assert "3" in analyse("what happens after three failed logins?").terms  # other numbers in words are


def test_wat_is_what():
    q = analyse("wats a conffile in debian")
    assert q.form == DEFINITION and q.terms == ("conffil", "debian")


def test_what_a_count_counts_ends_where_a_function_word_follows_it():
    assert analyse("what is the number of employees at Falcot's main site?").counted == ("employee",)
    assert analyse("how many people did OCHA say were in need?").counted == ("peopl",)


def test_what_a_count_counts_is_the_plural_its_words_lead_to():
    assert "meet" in analyse("number of wg on pko meetings in 2020").counted
    assert analyse("how many meetings did the group hold?").counted == ("meet",)
    assert "participant" not in analyse("how many of the 180 participants were women?").counted  # a part of them


@pytest.mark.parametrize(
    "question, sides",
    [
        ("which needs a bigger majority: amending the constitution or overriding the committee?",
         ("amending the constitution", "overriding the committee")),
        ("testing or unstable, which one breaks more often?", ("testing", "unstable")),
        ("should I use apt or aptitude?", ("apt", "aptitude")),
        ("when did it close?", None),
        ("is it this or this?", None),  # the same on both sides: no choice
        ("commercial vs community distros - how do their release cycles differ?", ("commercial", "community distros")),
        ("apt versus aptitude for upgrades?", ("apt", "aptitude")),  # a side's name ends at a preposition
        # a comparison's two sides: "hotter is A than B", not "more than 300"
        ("how much hotter is bellatrix than betelgeuse on the surface?", ("bellatrix", "betelgeuse")),
        ("did more than 300 observers serve?", None),
        ("would you rather than wait?", None),
        # how a thing changed from one to the other
        ("how did the number of maintainers change from rex to bo", ("rex", "bo")),
        ("whats the difference between vegan and vegetarian conduct", ("vegan", "vegetarian conduct")),
        ("diff between char and block device files?", ("char", "block device files")),  # as typed
        # how one stands beside the other
        ("how does the build architecture differ from the host architecture?",
         ("the build architecture", "the host architecture")),
        ("how is a tag different from a branch", ("a tag", "a branch")),
        ("how does the dev reference compare to policy in terms of authority", ("the dev reference", "policy")),
        ("who chaired from 2019 to 2021?", None),  # no change asked about
    ],
)
def test_the_two_sides_of_an_or_question(question, sides):
    assert alternatives(question) == sides


@pytest.mark.parametrize("question", ["can i put the number of mines in as a percentage instead?",
                                      "is there a limit on the number of attached databases?"])
def test_a_yes_no_question_asks_whether_not_for_the_type_its_words_name(question):
    q = analyse(question)
    assert q.form == YESNO and q.answer_type == ANY


@pytest.mark.parametrize("question, set_aside, kept", [
    ("apart from SPI which orgs can I donate to?", "spi", "donat"),
    ("which database engines can i keep my books in besides the xml file?", "xml", "databas"),
    ("besides signed-off-by, which trailers can i add to a patch?", "sign", "trailer"),
])
def test_what_a_question_sets_aside_is_no_term_it_asks_about(question, set_aside, kept):
    terms = analyse(question).terms
    assert set_aside not in terms and kept in terms


@pytest.mark.parametrize(
    "question, form",
    [
        ("do i need to run an installer or setup step before i can use sqlite?", YESNO),  # an "or" inside a claim
        ("can i ship gpl or lgpl code in an app without releasing its source?", YESNO),
        ("is it a hard limit or a soft one?", FACT),  # which of the two
        ("should i use merge or rebase?", FACT),
        ("can it be played with the keyboard or is it mouse only?", FACT),  # a clause of its own after "or"
    ],
)
def test_an_or_asks_which_only_when_it_offers_the_choice(question, form):
    assert analyse(question).form == form
