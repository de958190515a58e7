import pytest

from rag.answering import NOT_COVERED, make_citation
from rag.answering.extractive import ExtractiveAnswerer, polarity
from rag.answering.features import FEATURES, QUESTION_FEATURES, Vocabulary, candidates
from rag.answering.selector import load_selector
from rag.question import analyse
from rag.retriever import HybridSearcher
from rag.types import Sentence

from tests.rag.answering.contract import AnswererContract


@pytest.fixture
def vocabulary(tiny_index):
    return Vocabulary.of(tiny_index)


class TestExtractiveAnswerer(AnswererContract):
    @pytest.fixture
    def answerer(self, vocabulary):
        return ExtractiveAnswerer(vocabulary)


def test_shipped_selector_matches_the_features_of_the_code():
    selector = load_selector(expect=(FEATURES, QUESTION_FEATURES))
    assert 0 < selector.threshold < 1 and "dev split" in selector.meta["fitted_on"]


def test_every_candidate_has_every_feature(tiny_index, fake_embedder, vocabulary):
    passages = HybridSearcher(tiny_index, fake_embedder).search("How many observers?", 3)
    found = candidates(analyse("How many observers?"), passages, vocabulary)
    assert found and all(len(c.features) == len(FEATURES) for c in found)


def test_conflicting_sources_are_both_shown_and_cited(tiny_index, fake_embedder, vocabulary):
    answerer = ExtractiveAnswerer(vocabulary, threshold=0.0)
    # in words neither source uses ("attend" would favour the one that says "attended")
    question = "From how many countries did participants come to the Beta Forum?"
    answer = answerer.answer(question, [], HybridSearcher(tiny_index, fake_embedder).search(question, 4))
    assert answer.conflict and not answer.abstained
    assert "20 countries" in answer.answer and "25 countries" in answer.answer
    assert [c.marker for c in answer.citations] == [1, 2]


def test_a_threshold_of_one_always_abstains(tiny_index, fake_embedder, vocabulary):
    answerer = ExtractiveAnswerer(vocabulary, threshold=1.0)
    passages = HybridSearcher(tiny_index, fake_embedder).search("How many observers?", 3)
    answer = answerer.answer("How many observers?", [], passages)
    assert answer.abstained and answer.answer == NOT_COVERED


def test_yes_no_answers_lead_with_yes_or_no():
    assert polarity(analyse("did the mission close in 2021?"), "The mission closed on 30 June 2021.")
    assert not polarity(analyse("did the mission close in 2019?"), "The mission closed on 30 June 2021.")
    assert not polarity(analyse("did 300 observers serve?"), "The mission employed 1,200 observers.")
    assert not polarity(analyse("was the forum held in person?"), "The forum was not held in person.")
    assert polarity(analyse("can i set my own starting invoice no. instead of 1?"), "You can change the starting invoice number.")
    # a day written as an ordinal is a figure stated: "on sept 23?" against "on September 21st"
    assert not polarity(analyse("does the sun reach the equinox on sept 23?"), "It reaches it on September 21st.")
    assert polarity(analyse("does the sun reach the equinox on sept 21?"), "It reaches it on September 21st.")



def test_a_claim_about_every_case_needs_evidence_that_makes_it_too():
    assert not polarity(analyse("is the meeting always chaired by the same country?"), "A member state chairs the meeting.")
    assert polarity(analyse("is the meeting always chaired by the same country?"),
                    "The same country always chairs the meeting.")
    assert polarity(analyse("is the meeting chaired by a member state?"), "A member state chairs the meeting.")


def test_a_yes_no_answer_reads_the_clause_that_says_what_is_asked():
    # the negation of a clause about something else does not answer it
    assert polarity(analyse("are the build targets allowed to write to /tmp?"),
                    "Build targets may write to /tmp, but must not depend on its contents.")
    assert not polarity(analyse("are the build targets allowed to write to /tmp?"),
                        "Build targets must not write to /tmp; they may read from it.")


def test_a_nor_that_goes_on_with_a_negation_adds_none():
    q = analyse("can i get the sources with anonymous rsync?")
    assert not polarity(q, "Sources are available via svn, but currently not via anonymous rsync (nor CVS).")
    assert not polarity(q, "Neither anonymous rsync nor CVS serves the sources.")


def test_no_restriction_allows_and_a_bound_excludes_its_own_figure():
    assert polarity(analyse("can the grid size be a prime number?"), "Jigsaw mode has no constraint on the grid size.")
    assert not polarity(analyse("can the grid size be a prime number?"), "The grid size is constrained to squares.")
    assert not polarity(analyse("is a 2048 bit key good enough?"), "Your key length must be greater than 2048 bits.")
    assert polarity(analyse("did more than 300 observers serve?"), "More than 300 observers served.")


def test_a_number_that_names_what_is_asked_about_is_no_claim_the_evidence_must_repeat():
    evidence = "Around 8500 packages were shipped, the first release available on DVD."
    assert polarity(analyse("was release 3.0 the first to ship on DVD?"), evidence)  # "release 3.0" names it
    assert not polarity(analyse("were 9000 packages shipped?"), evidence)  # a count it claims
    assert not polarity(analyse("was the package count 9000?"), evidence)  # a figure it ends on


def test_a_verb_of_not_doing_negates_and_two_negations_cancel():
    assert polarity(analyse("should a small biz skip booking unrealized gains?"), "Small enterprises should not record unrealized gains.")
    assert not polarity(analyse("does the lock prevent a second user from opening it?"), "The lock does not prevent a second user.")
    assert polarity(analyse("can the grid size be a prime number?"),
                    "There is no reason to enter a number above 1; jigsaw mode has no constraint, it can even be prime.")


def test_evidence_that_says_yes_or_no_itself_decides():
    assert not polarity(analyse("must I reboot to upgrade?"), "No. Packages can be upgraded in place.")
    assert polarity(analyse("is it free?"), "Yes, it is free of charge and carries no fee.")
    assert polarity(analyse("is there no fee for it?"), "No fee is charged for it.")  # "No" as a word, not an answer


def test_make_citation_refuses_a_sentence_outside_its_paragraph(tiny_index, fake_embedder):
    passage = HybridSearcher(tiny_index, fake_embedder).search("observers", 1)[0]
    with pytest.raises(ValueError, match="outside"):
        make_citation(1, passage, Sentence(0, 5, "xx"))


def test_constructor_validates(vocabulary):
    with pytest.raises(ValueError, match="threshold"):
        ExtractiveAnswerer(vocabulary, threshold=2)


def test_a_claim_about_each_case_needs_evidence_that_says_so_in_any_words():
    assert not polarity(analyse("does one organisation host the forum each year?"),
                        "The forum is hosted yearly on a rotating basis by partner organizations.")
    assert polarity(analyse("is the report published each year?"), "The report is published every year.")


def test_asked_about_a_case_the_main_clause_says_whether_it_holds():
    # the negation that makes the case ("excluded", "ignored") is no answer: "not possible" is
    assert not polarity(analyse("is it possible to un-ignore a file when its folder is already ignored?"),
                        "It is not possible to re-include a file if a parent directory of that file is excluded.")
    assert polarity(analyse("can a file be re-included when its folder is ignored?"),
                    "A file can be re-included even if a parent directory is excluded.")
    # no case asked about: a negation the question makes is matched wherever the evidence makes it
    assert polarity(analyse("may the committee make a developer act in a way they do not want?"),
                    "The committee may ask a developer to act even if the developer does not wish to.")


def test_a_long_sentence_is_quoted_by_the_clauses_that_hold_the_number(vocabulary):
    from rag.answering.extractive import _excerpt, clause
    from rag.answering.features import candidates
    from rag.ingest import split_paragraphs
    from rag.types import DocumentInfo, Passage

    text = ("In its final year the mission, which had faced long delays in deployment, employed 1,200 military "
            "observers; its civilian staff were drawn from the regional offices of several agencies.\n")
    paragraph = split_paragraphs("d", text)[0]
    passage = Passage(paragraph, DocumentInfo("d", "D", "d.txt"), 1.0, sentence_scores=(0.5,), rank=1)
    q = analyse("How many military observers did the mission employ?")
    c = next(c for c in candidates(q, [passage], vocabulary) if c.sentence.text.startswith("In its final year"))
    short = clause(q, c, c.sentence, longest=60)
    assert short.text == "In its final year the mission, which had faced long delays in deployment, employed 1,200 military observers"
    assert text[short.start:short.end] == short.text  # verbatim, at exact offsets
    assert _excerpt(c, short).endswith("observers…")  # marked as cut short
    assert clause(q, c, c.sentence, longest=1000) == c.sentence  # short enough: the whole sentence


def _one_sentence_passage(text):
    from rag.ingest import split_paragraphs
    from rag.types import DocumentInfo, Passage

    paragraph = split_paragraphs("d", text + "\n")[0]
    return Passage(paragraph, DocumentInfo("d", "D", "d.txt"), 1.0, sentence_scores=(0.5,), rank=1)


@pytest.mark.parametrize(
    "text, question, kept, dropped",
    [
        # who: the clause that names the one asked for
        ("The review, which had been delayed twice by the pandemic and by the rainy season in the north, was "
         "opened by the head of the regional office, while the closing session was chaired by Amina Odhiambo, "
         "who had led the mission's civilian component for three years.",
         "who chaired the closing session?", "Amina Odhiambo", "rainy season"),
        # what an acronym stands for: the clause that spells it out
        ("Building on the reviews of the past decade and on the consultations held with the regions, the "
         "Secretary-General launched several reforms, including the Regional Mediation Framework (RMF) "
         "for the southern field offices, which the General Assembly later endorsed.",
         "what does RMF stand for?", "Regional Mediation Framework (RMF)", "consultations"),
    ],
)
def test_a_long_sentence_is_quoted_by_the_clause_that_answers(vocabulary, text, question, kept, dropped):
    answer = ExtractiveAnswerer(vocabulary, threshold=0.0).answer(question, [], [_one_sentence_passage(text)])
    assert kept in answer.answer and dropped not in answer.answer
    quote = answer.citations[0].quote
    assert text[quote.start:quote.end] == quote.text  # verbatim, at exact offsets


def test_a_long_sentence_answers_whats_someones_job_by_the_clause_with_their_post(vocabulary):
    text = ("The review, which had been delayed twice by the pandemic and by the rainy season in the north, was "
            "closed by a panel that heard from the field, while Amina Odhiambo, Director of the Regional Office for "
            "Mediation Support, summed up.")
    passage = _one_sentence_passage(text)
    answer = ExtractiveAnswerer(vocabulary, threshold=0.0).answer("what's amina odhiambo's job?", [], [passage])
    assert "Director of the Regional Office" in answer.answer and "rainy season" not in answer.answer


def test_a_clause_keeps_a_list_of_names_whole(vocabulary):
    text = ("In New York the most consistent forum for dialogue between the secretariat and the member states on "
            "the reform agenda has been the informal group of friends, a cross-regional group co-led by the "
            "governments of Ethiopia, Norway, and the Republic of Korea.")
    passage = _one_sentence_passage(text)
    answer = ExtractiveAnswerer(vocabulary, threshold=0.0).answer("who co-leads the group of friends?",
                                                                   [], [passage])
    assert all(name in answer.answer for name in ("Ethiopia", "Norway", "Korea"))


def test_a_clause_never_takes_in_a_page_number_the_sentence_runs_across(vocabulary):
    from rag.answering.extractive import clause
    from rag.ingest import split_paragraphs
    from rag.types import DocumentInfo, Passage

    text = ("In its final year the mission, which had faced long delays in deployment and in the delivery of its "
            "heavy equipment to the\n\n12\n\nremote northern sectors, employed 1,200 military observers; its "
            "civilian staff were drawn from the regional offices of several agencies.\n")
    paragraph = split_paragraphs("d", text)[0]
    assert "12\n" in paragraph.text and " 12 " not in paragraph.sentences[0].text  # the page number is set apart
    passage = Passage(paragraph, DocumentInfo("d", "D", "d.txt"), 1.0, sentence_scores=(0.5,), rank=1)
    q = analyse("How many military observers did the mission employ?")
    c = next(c for c in candidates(q, [passage], vocabulary) if c.sentence.text.startswith("In its final year"))
    quoted = clause(q, c, c.sentence, longest=60)
    assert " 12 " not in quoted.text and "1,200 military observers" in quoted.text


def test_a_footnotes_own_number_is_no_word_of_it(vocabulary):
    from dataclasses import replace

    from rag.ingest import split_paragraphs
    from rag.types import DocumentInfo, Passage

    paragraph = split_paragraphs("d", "10 In November the heads of mission were asked for their views.\n")[0]
    q = analyse("who are the group of 10?")
    s_cov = FEATURES.index("s_cov")
    coverage = {}
    for kind in ("footnote", "text"):
        passage = Passage(replace(paragraph, kind=kind), DocumentInfo("d", "D", "d.txt"), 1.0, sentence_scores=(0.5,), rank=1)
        coverage[kind] = candidates(q, [passage], vocabulary)[0].features[s_cov]
    assert coverage["footnote"] < coverage["text"]  # "10" is the note's number, not "the group of 10"


def test_a_quote_that_announces_a_list_goes_on_with_the_items_retrieved_after_it(vocabulary):
    from rag.answering.extractive import _after_lead_in
    from rag.ingest import split_paragraphs
    from rag.types import DocumentInfo, Passage

    text = ("SQLite supports three different threading modes:\n\n1. Single-thread. All mutexes are disabled.\n\n"
            "2. Multi-thread. Connections are not shared between threads.\n\n3. Serialized. It is safe everywhere.\n\n"
            "The threading mode can be selected at compile-time.\n")
    paragraphs = split_paragraphs("d", text)
    assert paragraphs[0].searchable  # the lead-in says how many
    info = DocumentInfo("d", "D", "d.txt")
    passages = [Passage(p, info, 1.0, sentence_scores=(0.5,) * len(p.sentences), rank=i + 1)
                for i, p in enumerate(paragraphs) if p.number != 3]  # the second item was not retrieved
    found = candidates(analyse("What threading modes does SQLite support?"), passages, vocabulary)
    scored = [(1.0, c) for c in found]
    lead_in = next(c for c in found if c.sentence.text.endswith(":"))
    items = _after_lead_in(lead_in, scored)
    assert [c.passage.paragraph.number for c in items] == [2]  # in order, up to the first one missing
    plain = next(c for c in found if c.sentence.text.startswith("The threading mode"))
    assert _after_lead_in(plain, scored) == []
    # with the collection at hand, the list items come whether retrieved or not, and no more
    by_place = {(p.doc_id, p.number): p for p in paragraphs}
    items = _after_lead_in(lead_in, scored, lambda doc_id, number: by_place.get((doc_id, number)))
    assert [c.passage.paragraph.number for c in items] == [2, 3, 4]
    assert items[1].sentence.text.startswith("2. Multi-thread.")


def test_a_why_answer_takes_in_the_reason_just_before_its_sentence(vocabulary):
    from rag.answering.extractive import _with_explanation
    from rag.ingest import split_paragraphs
    from rag.types import DocumentInfo, Passage

    text = ("It will only do a few dozen transactions per second. Transaction speed is limited by the rotational "
            "speed of your disk drive. A transaction normally requires two rotations of the platter, which limits "
            "you to about 60 transactions per second.\n")
    paragraph = split_paragraphs("d", text)[0]
    passage = Passage(paragraph, DocumentInfo("d", "D", "d.txt"), 1.0, sentence_scores=(0.5, 0.5, 0.5), rank=1)
    q = analyse("why r my inserts so slow? only getting like 60/sec")
    last = next(c for c in candidates(q, [passage], vocabulary) if c.sentence.text.startswith("A transaction"))
    quoted = _with_explanation(q, last, last.sentence)
    assert quoted.text.startswith("Transaction speed is limited by") and quoted.text.endswith("per second.")
    assert text[quoted.start:quoted.end] == quoted.text


@pytest.mark.parametrize("question, items", [("What threading modes does SQLite support?", True),
                                             ("How many threading modes does SQLite support?", False)])
def test_a_lead_in_is_followed_by_its_items_unless_it_states_the_number_asked(vocabulary, question, items):
    from rag.ingest import split_paragraphs
    from rag.types import DocumentInfo, Passage

    text = ("SQLite supports three different threading modes:\n\n1. Single-thread mode disables all mutexes.\n\n"
            "2. Multi-thread mode shares no connection between threads.\n\n3. Serialized mode is safe everywhere.\n")
    info = DocumentInfo("d", "D", "d.txt")
    passages = [Passage(p, info, 1.0 - i / 10, sentence_scores=(0.9 if i == 0 else 0.3,) * len(p.sentences), rank=i + 1)
                for i, p in enumerate(split_paragraphs("d", text))]
    answer = ExtractiveAnswerer(vocabulary, threshold=0.0).answer(question, [], passages)
    assert answer.answer.startswith("SQLite supports three different threading modes:")
    assert ("Serialized mode" in answer.answer) is items


def test_a_list_answer_that_counts_its_items_goes_on_with_the_sentences_that_name_them(vocabulary):
    from rag.answering.extractive import _with_counted_items
    from rag.ingest import split_paragraphs
    from rag.types import DocumentInfo, Passage

    text = ("To track appreciation you will need three accounts. The first is an asset account. The second is an "
            "income account. Finally, a realized gains account is needed. Below is an example.\n\n"
            "The transition rests on three pillars: protection, livelihoods and the rule of law. It began in 2020.\n")
    info = DocumentInfo("d", "D", "d.txt")
    passages = [Passage(p, info, 1.0, sentence_scores=(0.5,) * len(p.sentences), rank=1) for p in split_paragraphs("d", text)]
    found = candidates(analyse("which three accts do i need to track appreciation?"), passages, vocabulary)
    counted = next(c for c in found if c.sentence.text.startswith("To track"))
    assert _with_counted_items(counted, counted.sentence).text.endswith("a realized gains account is needed.")
    named = next(c for c in found if c.sentence.text.startswith("The transition"))
    assert _with_counted_items(named, named.sentence) == named.sentence  # it names them itself


def test_two_counts_of_the_asked_thing_conflict_however_differently_worded(vocabulary):
    from rag.ingest import split_paragraphs
    from rag.types import DocumentInfo, Passage

    texts = ("The agenda groups its commitments into eight thematic areas.\n",
             "Since its launch many states have signed on, and the declaration that followed lists its forty-five "
             "commitments under seven thematic areas, each with a champion among its endorsers.\n")
    passages = [Passage(split_paragraphs(f"d{i}", t)[0], DocumentInfo(f"d{i}", "D", f"d{i}.txt"), 1.0 - i / 10,
                        sentence_scores=(0.5,), rank=i + 1) for i, t in enumerate(texts)]
    answer = ExtractiveAnswerer(vocabulary, threshold=0.0).answer("How many thematic areas does the agenda have?", [], passages)
    assert answer.conflict and "eight" in answer.answer and "seven" in answer.answer


def test_a_count_of_a_word_the_collection_never_writes_is_not_required_to_be_anchored(vocabulary):
    from rag.ingest import split_paragraphs
    from rag.types import DocumentInfo, Passage

    passage = Passage(split_paragraphs("d", "The committee consists of up to 8 members.\n")[0], DocumentInfo("d", "D", "d.txt"),
                      1.0, sentence_scores=(0.5,), rank=1)
    unknown = candidates(analyse("how many ppl sit on the committee?"), [passage], vocabulary)
    known = candidates(analyse("how many observers sit on the committee?"), [passage], vocabulary)
    assert unknown[0].typed and not known[0].typed  # "observers" the collection writes: 8 members are not 8 observers


def test_a_list_question_that_says_how_many_gathers_that_many(tiny_index, fake_embedder, vocabulary):
    answerer = ExtractiveAnswerer(vocabulary, threshold=0.0)
    passages = HybridSearcher(tiny_index, fake_embedder).search("observers forum mission", 5)
    found = [c for c in candidates(analyse("observers"), passages, vocabulary) if c.sentence.end <= c.passage.paragraph.sentences[c.position].end]
    distinct = list({(c.passage.paragraph.doc_id, c.passage.paragraph.number, c.position): c for c in found}.values())[:4]
    assert len(distinct) == 4
    scored = list(zip((0.8, 0.3, 0.25, 0.1), distinct))
    unsaid = analyse("which observers were there?")
    three = analyse("what are the three observers?")
    assert unsaid.items == 0 and three.items == 3
    assert answerer._more_items(unsaid, 0.8, distinct[0], scored) == []  # none within 0.6 of the best
    assert answerer._more_items(three, 0.8, distinct[0], scored) == distinct[1:3]  # down to a quarter, until three


def test_a_question_naming_two_documents_hears_from_both(tiny_index, fake_embedder, vocabulary):
    passages = HybridSearcher(tiny_index, fake_embedder).search("observers forum mission council", 8)
    found = candidates(analyse("observers"), passages, vocabulary)
    docs = list(dict.fromkeys(c.passage.paragraph.doc_id for c in found))
    assert len(docs) >= 2
    vocabulary.document_names = {docs[0]: frozenset({"zorblat"}), docs[1]: frozenset({"quintex"})}
    answerer = ExtractiveAnswerer(vocabulary, threshold=0.0)
    scored = [(1.0 / (i + 1), c) for i, c in enumerate(found)]
    best = next(c for c in found if c.passage.paragraph.doc_id == docs[0])
    other = answerer._from_other_named(analyse("is it the same under zorblat as under quintex?"), [best], scored)
    assert [c.passage.paragraph.doc_id for c in other] == [docs[1]]
    assert other[0] is next(c for _, c in scored if c.passage.paragraph.doc_id == docs[1])  # its best candidate
    assert answerer._from_other_named(analyse("what does zorblat say?"), [best], scored) == []  # one named: no more


def test_a_sentence_that_only_names_what_is_asked_is_quoted_with_the_next(tiny_index, fake_embedder, vocabulary):
    from rag.answering.extractive import _with_explanation

    passages = HybridSearcher(tiny_index, fake_embedder).search("observers forum mission council", 8)
    found = candidates(analyse("observers"), passages, vocabulary)
    c = next(c for c in found if c.position + 1 < len(c.passage.paragraph.sentences)
             and c.sentence.end == c.passage.paragraph.sentences[c.position].end)
    after = c.passage.paragraph.sentences[c.position + 1]
    what = analyse("what is the zorblat?")
    joined = _with_explanation(what, c, c.sentence)
    assert (joined.start, joined.end) == (c.sentence.start, after.end) and joined.text.endswith(after.text)
    defining = type(c.sentence)(c.sentence.start, c.sentence.end, "The zorblat means a small council.")
    assert _with_explanation(what, c, defining) is defining  # it says what it is itself


def _one_paragraph(text: str, sentences_quoted: int = 1):
    """A candidate made of the first sentences of a one-paragraph document, and its sentences."""
    from rag import text as T
    from rag.answering.features import Candidate
    from rag.types import DocumentInfo, Paragraph, Passage

    sentences = tuple(Sentence(a, b, text[a:b]) for a, b in T.sentence_spans(text))
    paragraph = Paragraph("doc", 1, 0, len(text), text, clean=text, sentences=sentences)
    passage = Passage(paragraph, DocumentInfo("doc", "Doc", "doc.txt"), 1.0)
    quoted = sentences[:sentences_quoted]
    sentence = Sentence(quoted[0].start, quoted[-1].end, " ".join(s.text for s in quoted))
    return Candidate(passage, 0, sentence, (), frozenset(), True), sentences


def test_a_quote_ending_on_first_goes_on_through_second_and_finally():
    from rag.answering.extractive import _with_explanation

    c, sentences = _one_paragraph("The commission had helped in two areas. First, it engaged early. Second, it raised the "
                                  "country's visibility. Finally, it kept donors close. Other business followed.")
    quoted = _with_explanation(analyse("how did the commission help?"), c, c.sentence)
    assert quoted.end == sentences[3].end and quoted.text.endswith("it kept donors close.")
    assert "Other business" not in quoted.text


def test_two_sentences_that_give_no_reason_are_quoted_with_the_next_for_a_why_question():
    from rag.answering.extractive import _with_explanation

    c, sentences = _one_paragraph("In May the heads met in Berlin. Almost all of them pushed back against the plan. "
                                  "They said their mandates came first. Other business followed.", sentences_quoted=2)
    window = c.sentence
    quoted = _with_explanation(analyse("why did the heads push back on the plan?"), c, window)
    assert quoted.end == sentences[2].end and "Other business" not in quoted.text
    assert _with_explanation(analyse("when did the heads meet?"), c, window) is window  # not a why question
    reasoned = Sentence(window.start, window.end, "They met because the plan was late. They pushed back.")
    assert _with_explanation(analyse("why did the heads push back?"), c, reasoned) is reasoned  # the reason is there


@pytest.mark.parametrize("paragraph, question, ending", [
    ("A new distribution, testing, was introduced. Packages moved to it after a few weeks. Its files were mirrored "
     "widely. This was done in order to shorten the freeze. Other business followed.",
     "why did they bring in testing?", "in order to shorten the freeze."),
    # a means ("seen by noting") is no reason: the answer goes on to the one given
    ("Retrograde motion is seen in the outer planets. They drift east, as is seen by noting their place among the "
     "stars. This is normal. But since the Earth is faster, we overtake them. Other business followed.",
     "why do the outer planets seem to go backwards?", "we overtake them."),
])
def test_a_why_answer_goes_on_to_the_reason_given_a_little_later(paragraph, question, ending):
    from rag.answering.extractive import _with_explanation

    c, sentences = _one_paragraph(paragraph)
    quoted = _with_explanation(analyse(question), c, c.sentence)
    assert quoted.end == sentences[3].end and quoted.text.endswith(ending)


def test_a_reason_given_too_far_after_is_not_quoted():
    from rag.answering.extractive import _with_explanation

    c, sentences = _one_paragraph("A new distribution, testing, was introduced. Packages moved to it after a few weeks. "
                                  "Its files were mirrored widely. Nobody liked it. It was done to shorten the freeze.")
    assert _with_explanation(analyse("why did they bring in testing?"), c, c.sentence).end == sentences[1].end


def test_a_list_answer_that_names_no_items_goes_on_with_the_sentence_that_names_them():
    from rag.answering.extractive import _with_items_after

    c, sentences = _one_paragraph("Hunger shows your current hunger status. Values are Satiated, Not Hungry, Hungry, "
                                  "Weak, and Fainting. Other business followed.")
    quoted = _with_items_after(c, c.sentence)
    assert quoted.end == sentences[1].end and "Fainting" in quoted.text
    c, _ = _one_paragraph("Hunger shows your status. It is shown at the bottom, in the middle. Other business.")
    assert _with_items_after(c, c.sentence) is c.sentence  # two commas name no list


def _each_sentence(text: str):
    """Every sentence of a one-paragraph document as a candidate, and an answerer that knows every word."""
    c, _ = _one_paragraph(text)
    found = tuple(c.__class__(c.passage, i, s, (), frozenset(), True) for i, s in enumerate(c.passage.paragraph.sentences))
    return found, ExtractiveAnswerer(Vocabulary(lambda t: 1.0, lambda t: True), threshold=0.0)


def test_an_or_question_hears_both_sides():
    (first, second, third), answerer = _each_sentence("Amending the constitution needs a 3:1 majority. Overriding the "
                                                      "committee needs a 2:1 majority. Other business followed.")
    scored = [(0.8, first), (0.1, third), (0.05, second)]
    q = analyse("which needs a bigger majority: amending the constitution or overriding the committee?")
    assert answerer._for_each_alternative(q, [first], scored) == [second]  # the other side, though it scored lower
    assert answerer._for_each_alternative(analyse("what majority does amending the constitution need?"), [first],
                                          scored) == []  # no "or": one side


def test_a_quote_that_names_both_sides_hears_neither():
    (named, character, block), answerer = _each_sentence("Two kinds of device files exist: character files and block "
                                                         "files. Character files allow reads and writes only. Block "
                                                         "files also allow seeking.")
    scored = [(0.8, named), (0.1, character), (0.05, block)]
    q = analyse("character vs block files, what's the difference?")
    assert answerer._for_each_alternative(q, [named], scored) == [character, block]
    assert answerer._for_each_alternative(q, [character, block], scored) == []  # each side heard alone already


def test_a_comparison_answer_goes_on_with_the_next_sentence_for_the_other_side():
    c, sentences = _one_paragraph("A fetch stores the latest changes without touching the working tree. A pull is a "
                                  "fetch followed by a merge. Other business followed.")
    answerer = ExtractiveAnswerer(Vocabulary(lambda t: 1.0, lambda t: True), threshold=0.0)
    compared = answerer.compose("fetch vs pull?", analyse("fetch vs pull, what's the difference?"), [(0.9, c)], 1.0)
    assert compared.citations[0].quote.end == sentences[1].end and "Other business" not in compared.answer
    alone = answerer.compose("which one leaves the tree alone?", analyse("which one leaves the tree alone?"), [(0.9, c)], 1.0)
    assert alone.citations[0].quote.end == sentences[0].end  # no comparison: the one sentence


def test_a_sentence_that_opens_on_the_former_is_quoted_with_what_it_refers_to():
    from rag.answering.extractive import ExtractiveAnswerer
    from rag.answering.features import Candidate

    c, sentences = _one_paragraph("The company has two sites, one in Lyon and one in Nice. The former has 150 employees.")
    former = Candidate(c.passage, 1, sentences[1], (), frozenset(), True)
    quoted = ExtractiveAnswerer._with_antecedent(None, former)
    assert (quoted.start, quoted.end) == (sentences[0].start, sentences[1].end) and "Lyon" in quoted.text


@pytest.mark.parametrize("second", [
    "That's the reason why the first release was 1.1.",
    "Hence, the default build disables asserts.",
    "Therefore the document was renamed.",
])
def test_a_sentence_that_draws_on_the_one_before_is_quoted_with_it(second):
    from rag.answering.extractive import ExtractiveAnswerer
    from rag.answering.features import Candidate

    c, sentences = _one_paragraph(f"A vendor had shipped a release called 1.0 by mistake. {second}")
    leaning = Candidate(c.passage, 1, sentences[1], (), frozenset(), True)
    quoted = ExtractiveAnswerer._with_antecedent(None, leaning)
    assert (quoted.start, quoted.end) == (sentences[0].start, sentences[1].end) and "vendor" in quoted.text


def _passages(*texts):
    from rag.ingest import split_paragraphs
    from rag.types import DocumentInfo, Passage

    return [Passage(split_paragraphs(f"d{i}", t)[0], DocumentInfo(f"d{i}", "D", f"d{i}.txt"), 1.0 - i / 10,
                    sentence_scores=(0.5,) * 4, rank=i + 1) for i, t in enumerate(texts)]


def test_a_long_sentence_keeps_the_clause_with_the_count_not_every_number_it_states(vocabulary):
    from rag.answering.extractive import clause
    from rag.answering.features import candidates

    text = ("Since May 2018, 152 states and four organizations have signed the pledge, which lists forty-five "
            "commitments in seven areas of work.\n")
    q = analyse("How many states signed the pledge?")
    c = next(c for c in candidates(q, _passages(text), vocabulary) if c.position == 0 and c.sentence.text.endswith("work."))
    assert clause(q, c, c.sentence, longest=60).text == "Since May 2018, 152 states and four organizations have signed the pledge"


def test_conflicting_counts_are_each_quoted_by_the_clause_that_states_them(vocabulary):
    texts = ("The agenda groups its commitments into eight thematic areas.\n",
             "Since its launch many states have signed on, and the declaration lists its forty-five commitments under "
             "seven thematic areas of the agenda; each area has a champion among its endorsers, who reports every year.\n")
    passages = _passages(*texts)
    answer = ExtractiveAnswerer(vocabulary, threshold=0.0, longest_quote=80).answer(
        "How many thematic areas does the agenda have?", [], passages)
    assert answer.conflict and "eight" in answer.answer and "seven" in answer.answer
    assert "champion" not in answer.answer  # the clause after ";" states neither count
    second = next(c for c in answer.citations if "seven" in c.quote.text)
    assert texts[1][second.quote.start:second.quote.end] == second.quote.text  # verbatim, at exact offsets


def test_a_question_that_asks_for_several_dates_is_no_conflict_between_them(vocabulary):
    passages = _passages("The board met twice. Its first meeting was held on 3 May 2019.\n",
                         "The second meeting of the board was held on 9 June 2019.\n")
    answer = ExtractiveAnswerer(vocabulary, threshold=0.0).answer("What were the dates of the meetings of the board?", [],
                                                                  passages)
    assert not answer.conflict and "The sources differ" not in answer.answer and "2019" in answer.answer


def test_a_count_of_the_asked_noun_itself_outranks_a_count_of_a_word_like_it(vocabulary):
    alike = Vocabulary(vocabulary.idf, vocabulary._knows_term, similarity=lambda a, b: 0.9)  # every word alike
    passages = _passages("The company has two sites, one in the north and one in the south. The former has about 150 "
                         "observers; the latter about 50 staff.\n")
    q = analyse("What is the number of observers at the northern site?")
    found = {c.sentence.text: c for c in candidates(q, passages, alike)}
    assert found["The former has about 150 observers; the latter about 50 staff."].typed
    assert not found["The company has two sites, one in the north and one in the south."].typed
    # with no count of the noun itself, a count of a word like it still answers
    found = candidates(q, _passages("The company has two sites, one in the north and one in the south.\n"), alike)
    assert found[0].typed


@pytest.mark.parametrize("question, best, no_conflict, conflict", [
    # a count of something the question does not ask about
    ("how many observers does the cross board start with?", "The cross board starts with 32 observers on it.",
     "Another game has 4 observers per row.", "The cross board starts with 30 observers, some say."),
    # one count of the asked thing: the other numbers (23 countries, 45 organisations) count something else
    ("how many observers took part in the forum?", "More than 180 observers from 23 countries took part in the forum.",
     "Some 180 observers from 45 organisations took part in the forum.",
     "Some 200 observers from 45 organisations took part in the forum."),
], ids=["a count of something else", "the same count of the asked thing"])
def test_a_close_rival_conflicts_only_when_it_gives_another_count_of_the_asked_thing(vocabulary, question, best,
                                                                                    no_conflict, conflict):
    rival, (top, agrees, differs) = _rival_between(vocabulary, question, best, no_conflict, conflict)
    # scored as close as can be
    assert rival(top, agrees) is None
    assert rival(top, differs) is differs


def _rival_between(vocabulary, question, *texts):
    """The first sentence of each text (one passage each), and a function that gives the
    rival the answerer sees to the best of them when a second scores close to it."""
    q = analyse(question)
    found = [next(c for c in candidates(q, [p], vocabulary) if c.position == 0) for p in _passages(*(t + "\n" for t in texts))]
    answerer = ExtractiveAnswerer(vocabulary, threshold=0.0)
    return (lambda best, other: answerer._rival(q, 0.5, best, [(0.5, best), (0.45, other)])), found


def _scored(vocabulary, q, texts):
    """Candidates of one passage (and document) per text, in the order given (the first scored best)."""
    from rag.answering.features import candidates
    from rag.ingest import split_paragraphs
    from rag.types import DocumentInfo, Passage

    passages = [Passage(split_paragraphs(f"d{i}", t + "\n")[0], DocumentInfo(f"d{i}", "D", f"d{i}.txt"), 1.0,
                        sentence_scores=(0.5,), rank=1) for i, t in enumerate(texts)]
    found = candidates(q, passages, vocabulary)
    return [(1.0 / (i + 1), next(c for c in found if c.sentence.text == t)) for i, t in enumerate(texts)]


def test_a_yes_no_question_takes_the_evidence_that_denies_what_it_asks(vocabulary):
    from rag.answering.extractive import _negating

    q = analyse("does the library pull in any external libs as dependencies?")
    few = "The library is self-contained in the sense that it has very few dependencies."
    denial = "The library uses no external libraries or interfaces."
    assert _negating(q, _scored(vocabulary, q, [few, denial])).sentence.text == denial
    # a negation in a condition denies nothing; nor does the best need replacing when it denies itself
    assert _negating(q, _scored(vocabulary, q, [few, "If you do not have external tools, install them first."])) is None
    assert _negating(q, _scored(vocabulary, q, ["It needs no external code at all.", denial])) is None
    # a question that itself negates is read by the best evidence's polarity as before
    assert _negating(analyse("does the library not use external libs?"), _scored(vocabulary, q, [few, denial])) is None


def test_or_not_is_no_negation_of_the_claim():
    from rag.answering.extractive import _negated

    assert _negated("Do not attach the patch as a MIME attachment, compressed or not.")
    assert not _negated("Attach the patch, whether or not it is compressed.")


def test_a_side_of_a_comparison_is_quoted_where_it_is_written_as_asked(vocabulary):
    from rag.answering.extractive import _writes_phrase

    assert _writes_phrase("small change", "For medium to small changes, request a personal disclaimer.")
    assert not _writes_phrase("small change", "When you record a small patch in a change log, look for earlier ones.")
    assert not _writes_phrase("changes", "small changes")  # one word is no phrase
    q = analyse("big change vs small change from a contributor: which paperwork do i ask for?")
    large = "For large changes, ask the contributor for an assignment of copyright."
    patch = "When you record a small patch in a change log, look for earlier ones by the same person."
    disclaimer = "For medium to small changes, request a personal disclaimer from the contributor."
    scored = _scored(vocabulary, q, [large, patch, disclaimer])  # the patch's sentence scored higher
    added = ExtractiveAnswerer(vocabulary)._for_each_alternative(q, [scored[0][1]], scored)
    assert [c.sentence.text for c in added] == [disclaimer]


def test_a_list_question_that_says_how_many_goes_on_to_the_sentence_naming_that_many(vocabulary):
    from rag.answering.extractive import _with_items_after
    from rag.answering.features import candidates

    (passage,) = _passages("The game offers a variety of display options. The options available vary from port to "
                           "port. The three possible display options are: a monochrome interface, a colour interface, "
                           "and tiles.")
    q = analyse("what 3 display modes does the game have?")
    lead = next(c for c in candidates(q, [passage], vocabulary) if c.sentence.text.startswith("The game offers"))
    assert _with_items_after(lead, lead.sentence, q.items).text.endswith("and tiles.")
    # not asked how many: two commas name too few to go on for
    assert _with_items_after(lead, lead.sentence).text == lead.sentence.text


def test_a_reason_the_paragraph_lacks_is_read_from_the_next_when_it_goes_on(vocabulary):
    from rag.answering.extractive import _reason_after
    from rag.answering.features import candidates
    from rag.ingest import split_paragraphs
    from rag.types import DocumentInfo, Passage

    def reason_after(first: str, second: str):
        paragraphs = split_paragraphs("faq", f"{first}\n\n{second}\n")
        passage = Passage(paragraphs[0], DocumentInfo("faq", "FAQ", "faq.txt"), 1.0,
                          sentence_scores=(0.5,) * len(paragraphs[0].sentences), rank=1)
        c = candidates(analyse("why does the merge keep the change?"), [passage], vocabulary)[0]
        found = _reason_after(c, c.sentence, lambda doc_id, number: next(
            (p for p in paragraphs if (p.doc_id, p.number) == (doc_id, number)), None))
        return found[1].text if found else None

    merge = "By default, a merge considers exactly three points: the two heads and their merge base."
    assert reason_after(merge, "As a result, the change is kept. This is because the other side has no net change.") \
        == "As a result, the change is kept. This is because the other side has no net change."
    assert reason_after(merge, "Rebasing applies each commit in turn, since it replays history.") is None  # starts afresh
    assert reason_after(merge + " That is because only the end states count.",
                        "As a result, the change is kept.") is None  # its own paragraph gives the reason


def test_a_fact_from_a_paragraph_about_something_else_is_no_answer():
    from rag.answering.features import candidates

    knows_all = Vocabulary(lambda t: 1.0, lambda t: True)
    answerer = ExtractiveAnswerer(knows_all, threshold=0.0)
    q = analyse("who chaired the PBC in 2020?")
    (chair,) = candidates(q, _passages("Tarek Ladeb was elected Chair of the Working Group for 2020."), knows_all)
    assert answerer._about_another(q.text, q, chair)
    group = "who chaired the Working Group in 2020?"
    assert not answerer._about_another(group, analyse(group), chair)
    what = "what is the PBC?"  # what something is: the paragraph that says it names it
    assert answerer._about_another(what, analyse(what), chair)
    # only a fact: a yes/no or list question's evidence may come from a paragraph without the name
    for other in ("is the PBC chaired by Tarek Ladeb?", "list the chairs of the PBC"):
        assert not answerer._about_another(other, analyse(other), chair)
    # a follow-up ("and in 2020?" after a question on the PBC) answers for the names it says itself
    assert not answerer._about_another("and who chaired it in 2020?", q, chair)
