from rag import text as T
from rag.spelling import Speller

COLLECTION = {t for w in ("mission", "missions", "council", "reports", "infected", "patrol", "debt", "department")
              for t in T.tokens(w)}


def _fix(question: str) -> dict[str, str]:
    return Speller(COLLECTION.__contains__, lambda token: 1.0, words=COLLECTION).corrections(question)


def test_a_typo_reads_as_the_collection_word_one_edit_away():
    assert _fix("when did the mision begin?") == {T.tokens("mision")[0]: "mission"}
    assert set(_fix("security coucil reprots").values()) == {"council", "reports"}


def test_english_words_contractions_and_short_words_stay_as_typed():
    assert _fix("which patrols got infected in sept?") == {}  # "sept" is a word, though the collection lacks it
    assert _fix("why dont they report it?") == {}  # "dont": a contraction without its apostrophe
    assert _fix("how many ppl in the msn?") == {}  # under four letters: initials, not typos


def test_a_word_nothing_is_one_edit_from_is_left_alone():
    assert _fix("what is the zyxwv council?") == {}


def test_an_abbreviation_of_a_collection_word_is_no_typo():
    assert _fix("which UN dept does he head?") == {}  # short for "department", not a typo of "debt"
    assert _fix("when did the mision begin?") == {T.tokens("mision")[0]: "mission"}  # a letter left out is still a typo


def test_a_word_the_collection_writes_as_two_reads_as_the_two():
    collection = COLLECTION | {t for w in ("time", "zones", "work", "force", "hand") for t in T.tokens(w)}
    speller = Speller(collection.__contains__, lambda token: 1.0, words=collection)
    assert speller.corrections("how many timezones are there?") == {T.tokens("timezones")[0]: "time zones"}
    assert speller.corrections("how big is the workforce?") == {T.tokens("workforce")[0]: "work force"}
    assert speller.corrections("a handful of missions") == {}  # "ful" is no word: "handful" stays as typed
    assert speller.corrections("when did the mision begin?") == {T.tokens("mision")[0]: "mission"}  # a typo first
