import pytest

from rag.kinds import given_names, has_kind, names_person
from rag.question import PERSON


def test_first_names_are_loaded_from_their_data_file():
    names = given_names()
    assert {"ian", "lisa", "james"} <= names and "windows" not in names


@pytest.mark.parametrize("text, expected", [
    ("The Debian Project was created by Ian Murdock in 1993.", True),
    ("Junio C Hamano maintains the project.", True),  # a middle initial
    ("Starting the installer from Microsoft Windows: no BIOS settings change.", False),
    ("Read the Debian FTP Masters' notes.", False),  # capitals are no surname
])
def test_a_paragraph_of_the_kind_person_names_one(text, expected):
    assert has_kind(PERSON, text) is expected


def test_a_person_the_question_names_is_not_news():
    text = "Ian Murdock founded it."
    assert names_person(text) and not names_person(text, {"ian", "murdock"})
