from rag.titles import document_names, named
from rag.types import DocumentInfo


def _docs(**titles: str) -> dict[str, DocumentInfo]:
    return {doc_id: DocumentInfo(doc_id=doc_id, title=title, source=f"{doc_id}.txt") for doc_id, title in titles.items()}


DOCS = _docs(**{
    "GPL-3": "GNU GENERAL PUBLIC LICENSE",
    "MPL-2.0": "Mozilla Public License Version 2.0",
    "BSD": "Copyright (c) The Regents of the University of California.",
    "Apache-2.0": "Apache License",
    "security-report": "Report on security",
    "annual-report": "Annual report on security",
})


def _names(lower=frozenset({"licens", "report", "security", "annual", "public", "version", "general", "copyright"}),
           used=lambda name: 1):
    return document_names(DOCS, lower.__contains__, used)


def test_names_are_what_single_a_document_out():
    names = _names()
    assert {"gpl", "mpl", "mozilla", "bsd", "apach"} <= names["GPL-3"] | names["MPL-2.0"] | names["BSD"] | names["Apache-2.0"]
    # words the collection writes in lower case ("security", "report") name nothing
    assert not names["security-report"] and not names["annual-report"]
    # a name in the text of too many documents ("mozilla" everywhere) tells none apart
    assert "mozilla" not in _names(used=lambda name: 5 if name == "mozilla" else 1)["MPL-2.0"]


def test_a_question_names_a_document_by_its_name_or_file_name_with_a_glued_version():
    names = _names()
    assert named("can i sell copies of GPLv3 software?", names) == {"GPL-3"}
    assert named("mpl2 larger work definition pls", names) == {"MPL-2.0"}
    assert named("who owns the copyright in the bsd licence text?", names) == {"BSD"}
    assert named("what does the licence say about patents?", names) == set()


def test_the_words_that_name_a_document_count_as_said_by_its_passages():
    from rag.titles import naming_terms

    names = {"GPL-3": frozenset({"gpl"}), "BSD": frozenset({"bsd"})}
    assert naming_terms("can i sell GPLv3 code under the bsd terms?", names) == {"GPL-3": {"gpl", "3"}, "BSD": {"bsd"}}
