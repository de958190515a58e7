import html

import pytest

from ui.app import citation_label, format_answer, previous_questions, render_paragraph
from ui.feedback import FeedbackStore

CITATION = {
    "marker": 1, "doc_id": "d", "title": "A <Title>", "source": "corpus/d.txt", "paragraph": 3,
    "start": 10, "end": 40, "text": "Alpha beta. The <b>answer</b> here.", "score": 0.9,
    "quote": {"text": "The <b>answer</b> here.", "start": 22, "end": 45}, "publisher": "Pub", "date": "2020",
}


def test_answers_list_their_sources():
    text = format_answer({"answer": "It closed. [1]", "abstained": False, "conflict": False, "citations": [CITATION]})
    assert text.startswith("It closed. &#91;1&#93;")
    assert "[1] *A &#60;Title&#62;*, paragraph 3 (Pub, 2020)" in text


def test_abstention_is_marked_as_such():
    text = format_answer({"answer": "The documents don't cover this.", "abstained": True, "citations": []})
    assert "Not in the documents" in text and "Sources" not in text


def test_conflicts_are_side_by_side():
    other = {**CITATION, "marker": 2, "title": "Other", "quote": {"text": "Different | count.", "start": 0, "end": 5}}
    text = format_answer({"answer": "x", "abstained": False, "conflict": True, "citations": [CITATION, other]})
    assert "The sources differ" in text
    assert "| [1] A &#60;Title&#62; | [2] Other |" in text and "Different &#124; count." in text


@pytest.mark.parametrize("planted", [
    '<img src="/planted.png" onerror="alert(1)">', "<script>alert(1)</script>", "![x](/planted.png)",
    "[click](javascript:alert(1))", "<b>bold</b>", "$$x$$", "# heading",
])
def test_document_text_is_shown_as_text_never_as_markup(planted):
    import markdown_it

    cited = {**CITATION, "title": planted, "quote": {"text": planted, "start": 0, "end": 5}}
    for conflict in (False, True):
        message = format_answer({"answer": f"{planted} [1]", "abstained": False, "conflict": conflict,
                                 "citations": [cited, {**cited, "marker": 2}]})
        rendered = markdown_it.MarkdownIt("commonmark").enable("table").render(message)
        for tag in ("<img", "<script", "<a ", "<b>", "<h1"):
            assert tag not in rendered, (planted, rendered)
        assert html.unescape(planted) in html.unescape(rendered)  # shown as its characters


def test_paragraph_html_escapes_and_highlights_the_quote():
    paragraph = {"text": "Before. <script>x</script> The answer.", "start": 100, "end": 138, "number": 2}
    quote = {"start": 127, "end": 138}
    html = render_paragraph({"title": "T & U", "publisher": "P", "date": "D", "source": "s.txt"}, paragraph, quote, 9)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>The answer.</mark>" in html
    assert "T &amp; U" in html and "paragraph 2 of 9" in html


def test_history_and_labels():
    history = [{"role": "user", "content": "What was UNAMID?"}, {"role": "assistant", "content": "..."},
               {"role": "user", "content": "When did it close?"}]
    assert previous_questions(history) == ["What was UNAMID?", "When did it close?"]
    assert citation_label(CITATION) == "[1] A <Title> · paragraph 3"


def test_feedback_is_appended_as_json_lines(tmp_path):
    store = FeedbackStore(tmp_path / "data")
    store.save(rating="up", question="q", answer="a [1]", citations=[CITATION])
    store.save(rating="down", question="q2", answer="b", citations=[])
    rows = store.read()
    assert [r["rating"] for r in rows] == ["up", "down"] and rows[0]["citations"][0]["doc_id"] == "d"
    with pytest.raises(ValueError, match="rating"):
        store.save(rating="meh", question="q", answer="a", citations=[])
