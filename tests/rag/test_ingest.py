import os
from pathlib import Path

import pytest

from rag.errors import CorpusError
from rag.ingest import read_sources, split_paragraphs, windows
from tests.conftest import REAL_CORPUS


def _paragraphs(corpus_dir: Path, doc_id: str):
    source = next(s for s in read_sources([corpus_dir]) if s.info.doc_id == doc_id)
    return source, split_paragraphs(doc_id, source.text)


@pytest.mark.parametrize("corpus", [REAL_CORPUS, Path(__file__).parents[1] / "data" / "corpus"])
def test_every_paragraph_and_sentence_is_an_exact_slice(corpus):
    for source in read_sources([corpus]):
        paragraphs = split_paragraphs(source.info.doc_id, source.text)
        assert paragraphs, source.info.doc_id
        for p in paragraphs:
            assert p.text == source.text[p.start:p.end]
            for s in p.sentences:
                assert p.start <= s.start < s.end <= p.end
                assert source.text[s.start:s.end].strip()


def test_manifest_metadata_is_used(corpus_dir):
    info = {s.info.doc_id: s.info for s in read_sources([corpus_dir])}
    assert info["mission-alpha"].title == "Mission Alpha: Closure Report"
    assert info["mission-alpha"].publisher == "Example Peace Institute"
    assert info["forum-beta"].source.endswith("forum-beta.md")
    assert len(info["forum-beta"].sha256) == 64


def test_debris_is_dropped_and_page_breaks_joined(corpus_dir):
    _, paragraphs = _paragraphs(corpus_dir, "mission-alpha")
    texts = [p.clean for p in paragraphs]
    assert not any("Sponsor Logo Block" in t for t in texts)  # repeated logo
    assert "3" not in texts  # lone page number
    joined = next(p for p in paragraphs if "Riverside" in p.clean)
    assert joined.clean.endswith("chosen for its airport and road links.")
    assert "\n\n3\n\n" in joined.text  # the span is still the exact file slice
    assert any(s.text.endswith("road links.") and "Most observers" in s.text for s in joined.sentences)


def test_list_items_are_paragraphs_and_headings_become_sections(corpus_dir):
    _, paragraphs = _paragraphs(corpus_dir, "mission-alpha")
    items = [p for p in paragraphs if p.kind == "list"]
    assert [p.clean[:2] for p in items] == ["1.", "2."]
    assert items[0].section == "Key lessons:"
    headings = [p for p in paragraphs if p.kind == "heading"]
    assert all(not p.searchable for p in headings)


def test_a_list_item_that_says_something_is_no_title():
    text = ("Special entries:\n\n- @yearly: once per year (January 1, at 00:00);\n\n"
            "1. make any technical or nontechnical decision with regard to their own work;\n\n"
            "4. Integrity of The Author's Source Code\n\n- Prev\n\n- Next\n")
    kinds = {p.clean: p.kind for p in split_paragraphs("d", text)}
    assert kinds["@yearly: once per year (January 1, at 00:00);"] == "list"
    assert kinds["1. make any technical or nontechnical decision with regard to their own work;"] == "list"
    # a numbered title and a page's menu still only head or name
    assert kinds["4. Integrity of The Author's Source Code"] == "heading"
    assert kinds["Prev"] == kinds["Next"] == "heading"


def test_a_numbered_chapter_title_heads_its_section_and_a_footnote_stays_a_footnote():
    text = ("3 Accounts and Resources\n\nMaintainers of a package should have an account there.\n\n"
            "4 Report of the Secretary-General on the mission, 2015.\n")
    heading, body, note = split_paragraphs("d", text)
    assert heading.kind == "heading" and body.section == "3 Accounts and Resources"
    assert note.kind == "footnote"


def test_a_marked_heading_is_under_the_levels_above_it():
    text = ("Previous | Contents | Next\n\n# Chapter 39: Flood\n\nYou are given a grid of squares.\n\n"
            "## 39.2 Flood parameters\n\nThese are on the Type menu.\n\nColours\n\n"
            "Number of colours used to fill the grid.\n\n## 39.3 Flood tips\n\nStart from a corner.\n")
    sections = {p.clean: p.section for p in split_paragraphs("d", text) if p.kind != "heading"}
    assert sections["You are given a grid of squares."] == "Chapter 39: Flood"  # a page's links above it head nothing
    assert sections["These are on the Type menu."] == "Chapter 39: Flood — 39.2 Flood parameters"
    assert sections["Number of colours used to fill the grid."] == "Chapter 39: Flood — 39.2 Flood parameters — Colours"
    assert sections["Start from a corner."] == "Chapter 39: Flood — 39.3 Flood tips"  # a sibling replaces its level


def test_an_underlined_heading_is_a_heading_without_its_underline_and_under_the_levels_above_it():
    # Markdown's setext headings and reStructuredText's sections, in a .md, .txt or .rst file
    text = ("Installing\n==========\n\nRun the installer as root.\n\nOptions\n-------\nText right under it.\n\n"
            "=======\nLimits\n=======\n\nAt most 12 workers.\n\nPer user\n~~~~~~~~\n\nTwo each.\n")
    paragraphs = split_paragraphs("d", text)
    headings = [p for p in paragraphs if p.kind == "heading"]
    assert [h.text for h in headings] == ["Installing", "Options", "Limits", "Per user"]  # exact slices, no rules
    assert all(text[p.start:p.end] == p.text for p in paragraphs)
    sections = {p.clean: p.section for p in paragraphs if p.kind != "heading"}
    assert sections["Run the installer as root."] == "Installing"
    assert sections["Text right under it."] == "Installing — Options"
    assert sections["At most 12 workers."] == "Limits"  # an overlined title is a first level again
    assert sections["Two each."] == "Limits — Per user"


def test_a_rule_set_close_under_a_sentence_is_no_heading_underline():
    text = "The depot opened in 2019 and closed in 2021.\n----------\nIt reopened later.\n"
    assert [p.kind for p in split_paragraphs("d", text)] == ["text"]


def test_a_restructured_text_directive_alone_is_markup_that_heads_nothing():
    text = "Options\n-------\n\n.. _force-flag:\n\n.. note::\n\n   The force flag overwrites files.\n"
    paragraphs = split_paragraphs("d", text)
    assert [p.clean for p in paragraphs] == ["Options", "The force flag overwrites files."]
    assert paragraphs[1].section == "Options"


def test_a_lead_in_that_counts_what_follows_heads_it_and_can_be_found():
    text = ("SQLite currently uses nine distinct types of temporary files:\n\n- Rollback journals, which hold the original pages.\n\n"
            "Challenges Forum consists of Partners from:\n\n- Argentina, Australia and Canada.\n")
    counts, items, partners, country = split_paragraphs("d", text)
    assert counts.kind == "heading" and counts.searchable  # it says how many
    assert items.section == "SQLite currently uses nine distinct types of temporary files:"
    assert partners.kind == "heading" and not partners.searchable  # nothing until the list


def test_a_short_item_that_gives_a_label_its_value_states_it():
    text = ("These are the terms of the loan:\n\n- Principal Amount - $2,000\n\n- Annual Percentage Rate: 5%\n\n"
            "- Assets: Things you own\n\n- Chapter 1: Introduction\n")
    kinds = {p.clean: p.kind for p in split_paragraphs("d", text)}
    assert kinds["Principal Amount - $2,000"] == kinds["Annual Percentage Rate: 5%"] == "list"
    assert kinds["Assets: Things you own"] == "list"
    assert kinds["Chapter 1: Introduction"] == "heading"  # a title's parts, no value


def test_an_equation_is_text_not_a_title():
    text = "Equation 2.1. The static accounting equation\n\nAssets - Liabilities = Equity\n\nIt always holds.\n"
    title, equation, _ = split_paragraphs("d", text)
    assert title.kind == "heading" and equation.kind == "text" and equation.searchable


def test_short_lines_that_end_a_sentence_inside_are_text_not_a_title():
    text = ("Other resources available to maintainers are described in the guide, as well\n"
            "as throughout this document. In brief:\n\nChapter 1. Definitions and overview\n")
    said, title = split_paragraphs("d", text)
    assert said.kind == "text" and said.searchable
    assert title.kind == "heading"  # "Chapter 1." numbers a title; it says nothing


def test_contents_and_index_lines_with_spaced_dot_leaders_are_debris():
    text = ("2 Getting Help . . . . . . . . . . . . . . 1\n3 Accounts and Resources . . . . . . . 2\n\n"
            "D data base of copyright assignments . . . . . 3\ndevelopment method . . . . . . . 35\n\n"
            "Maintainers should answer mail promptly.\n")
    kept = [p.clean for p in split_paragraphs("d", text)]
    assert kept == ["Maintainers should answer mail promptly."]


def test_contents_lines_whose_page_numbers_were_set_apart_are_debris_but_an_ellipsis_is_not():
    text = ("4.13.2 October 2000: Implementation of Package Pools . . . . .\n\n"
            "4.13.7 November 2003: Several servers hacked .......\n\n"
            "The pools were implemented in October 2000...\n")
    kept = [p.clean for p in split_paragraphs("d", text)]
    assert kept == ["The pools were implemented in October 2000..."]


def test_markdown_front_matter_is_left_out_and_a_code_block_heads_nothing():
    text = ('---\ntitle: "Leave policy"\ndate: 2021-03-04\ntags:\n  - hr\n---\n\n# Annual leave\n\n'
            "Staff get 25 days of annual leave a year.\n\n```yaml\nleave_days: 25\n```\n\n"
            "| Grade | Days |\n|---|---|\n| P1 | 25 |\n")
    paragraphs = split_paragraphs("leave", text)
    assert [p.kind for p in paragraphs] == ["heading", "text", "text", "table"]
    assert all(p.section == "Annual leave" for p in paragraphs[1:])  # not the metadata, not the code
    assert "leave_days: 25" in paragraphs[2].clean and paragraphs[2].searchable


def test_a_one_line_question_heads_the_answer_below_it():
    text = "5.6. Why is there no libfoo.so file?\n\nSuch links are placed in separate development packages.\n"
    question, answer = split_paragraphs("faq", text)
    assert question.kind == "heading" and not question.searchable
    assert answer.searchable and answer.section == "5.6. Why is there no libfoo.so file?"


def test_duplicate_pull_quotes_are_not_searchable(tmp_path):
    text = "Intro heading\n\nCovid-19 exposed fractures in the system as a whole.\n\nCovid-19 exposed fractures in the system as a whole. It also showed resilience.\n"
    (tmp_path / "d.txt").write_text(text)
    paragraphs = split_paragraphs("d", text)
    searchable = [p.clean for p in paragraphs if p.searchable]
    assert searchable == ["Covid-19 exposed fractures in the system as a whole. It also showed resilience."]


def test_long_paragraphs_are_windowed_for_embedding():
    source = next(s for s in read_sources([REAL_CORPUS]) if s.info.doc_id.startswith("challenges"))
    paragraphs = split_paragraphs(source.info.doc_id, source.text)
    longest = max((p for p in paragraphs if p.searchable), key=lambda p: len(p.clean.split()))
    parts = windows(longest, max_words=60)
    assert len(parts) > 1
    assert all(len(w.split()) <= 60 + len(longest.section.split()) + 40 for w in parts)


def test_bad_inputs_raise_corpus_errors(tmp_path):
    with pytest.raises(CorpusError, match="no such file"):
        read_sources([tmp_path / "missing"])
    (tmp_path / "x.xyz").write_bytes(b"%PDF")
    with pytest.raises(CorpusError, match="only .txt, .md"):
        read_sources([tmp_path / "x.xyz"])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CorpusError, match="no supported documents"):
        read_sources([empty])


def _bad_folder(root):
    """A folder with one good document and one file of every bad kind."""
    folder = root / "docs"
    folder.mkdir()
    (folder / "good.txt").write_text("Peacekeepers protect civilians.\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text("  \n\n ", encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "latin1.txt").write_bytes("Caf\xe9 au lait, d\xe9j\xe0 vu.".encode("latin-1"))
    (folder / "huge.txt").write_text("word " * 300_000, encoding="utf-8")
    (folder / "dangling.txt").symlink_to(folder / "nowhere.txt")
    locked = folder / "locked.txt"
    locked.write_text("secret", encoding="utf-8")
    locked.chmod(0)
    return folder


def test_bad_files_are_skipped_with_a_reason_and_the_rest_is_read(tmp_path, monkeypatch):
    folder = _bad_folder(tmp_path)
    if os.geteuid() == 0:  # root reads any file whatever its mode: refuse it as the kernel would for a user
        real = Path.read_bytes
        monkeypatch.setattr(Path, "read_bytes", lambda self: (_ for _ in ()).throw(PermissionError(13, "denied"))
                            if self.name == "locked.txt" else real(self))
    corpus = read_sources([folder], max_bytes=1_000_000)
    assert [s.info.doc_id for s in corpus] == ["good"]
    assert corpus.sources[0].info.source == "docs/good.txt"  # relative, never the server's path
    reasons = {s.source: s.reason for s in corpus.skipped}
    assert "empty" in reasons["docs/empty.txt"] and "empty" in reasons["docs/blank.md"]
    assert "binary" in reasons["docs/binary.txt"]
    assert "UTF-8" in reasons["docs/latin1.txt"]
    assert "limit" in reasons["docs/huge.txt"] and "RAG_MAX_FILE_MB" in reasons["docs/huge.txt"]
    assert "broken symbolic link" in reasons["docs/dangling.txt"]
    assert "permission" in reasons["docs/locked.txt"]
    assert all(str(tmp_path) not in s.source + s.reason for s in corpus.skipped)


def test_a_folder_of_nothing_but_bad_files_is_an_error(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    with pytest.raises(CorpusError, match="no readable documents.*empty"):
        read_sources([folder])


def test_a_paragraph_cut_by_a_page_break_is_joined_but_one_on_the_same_page_starts_afresh():
    from rag.formats import PAGE_BREAK

    first = "Release 1.2 was named for the plastic dinosaur in the films and consisted of 848 packages maintained by 120 developers"
    second = "Release 1.3 was named for the shepherdess."
    apart = split_paragraphs("d", f"{first}\n\n{second}\n")
    assert [p.clean for p in apart] == [first, second]  # no full stop, but a new paragraph on the same page
    cut = split_paragraphs("d", f"{first}{PAGE_BREAK}Thereafter the team grew.\n")
    assert len(cut) == 1 and cut[0].clean == f"{first} Thereafter the team grew."


def test_a_hash_glued_to_a_word_is_no_heading():
    text = "# Tags\n\n#leftoverbits: marks an idea for later work.\n\n#include <stdio.h> reads the header.\n"
    paragraphs = split_paragraphs("d", text)
    assert [p.kind for p in paragraphs] == ["heading", "text", "text"]
    assert paragraphs[1].searchable and paragraphs[1].section == "Tags"


def test_underline_levels_follow_the_order_the_document_first_uses_them():
    # Sphinx's plain-text output: "*" for chapters, "=" for sections, "-" below them
    text = ("1. The archive\n**************\n\n1.1. Areas\n==========\n\n1.1.1. Main\n-----------\n\n"
            "Main holds free software.\n\n2. Packages\n***********\n\nA package has a name.\n")
    paragraphs = split_paragraphs("policy", text)
    assert [p.text for p in paragraphs if p.kind == "heading"] == ["1. The archive", "1.1. Areas", "1.1.1. Main", "2. Packages"]
    body = {p.text: p.section for p in paragraphs if p.kind != "heading"}
    assert body["Main holds free software."] == "1. The archive — 1.1. Areas — 1.1.1. Main"
    assert body["A package has a name."] == "2. Packages"


def test_a_note_numbered_in_brackets_is_a_footnote():
    text = ("Final determination lies with the FTP team. [5]\n\n"
            "[5] Licenses that are not thought to require the copying of all notices include Apache-2.0.\n")
    paragraphs = split_paragraphs("policy", text)
    assert [p.kind for p in paragraphs] == ["text", "footnote"]  # a sentence ending on a note's mark is no title
    assert paragraphs[0].searchable


def test_a_typeset_texts_running_headers_are_debris_and_a_paragraph_they_cut_is_joined():
    page = "          Field Guide                                     {n}\n\n\n"
    text = ("          Scouts walk ahead of the column and report what they\n"
            "          see to the leader of the patrol before\n\n\n" + page.format(n=1)
            + "          nightfall, as the guide tells them.\n\n" + page.format(n=2)
            + "          Step 1\n\n          Step 2\n\n          Step 3\n\n" + page.format(n=3))
    paragraphs = split_paragraphs("guide", text)
    assert not any("Field Guide" in p.clean for p in paragraphs)
    assert paragraphs[0].clean.endswith("before nightfall, as the guide tells them.")
    assert [p.clean for p in paragraphs[1:]] == ["Step 1", "Step 2", "Step 3"]  # not set out across the page


def test_a_word_hyphenated_at_a_line_end_reads_whole_while_the_text_stays_the_files():
    text = ("          Healers know the herbs that restore vitality and anes-\n"
            "          thetize, and they have a well-\n          known touch for the mouse-\n          click.\n")
    (p,) = split_paragraphs("roles", text)
    assert "and anesthetize, and they have a well- known touch for the mouse- click." in p.clean
    assert p.sentences[0].text == p.clean
    assert p.text == text.strip() and "anes-\n" in p.text
