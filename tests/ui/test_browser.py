"""A person in a real browser: headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rag.settings import PROJECT_ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _ask(page, question: str, turn: int) -> str:
    """Ask, then wait until the turn-th answer is finished: it streams in pieces, and is
    done when it lists its sources or says the documents don't cover the question."""
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")  # the keyboard is enough
    page.wait_for_function(
        """n => { const bots = document.querySelectorAll('#chat [data-testid="bot"]');
                  if (bots.length < n) return false;
                  const text = bots[n - 1].innerText;
                  return text.includes('Sources') || text.includes('Not in the documents'); }""",
        arg=turn, timeout=60_000)
    return page.locator("#chat [data-testid='bot']").nth(turn - 1).inner_text()


def test_ask_see_citation_open_source(browser, live, live_data_dir):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live + "/ui/")
    page.locator("#question textarea").wait_for(timeout=60_000)

    answer = _ask(page, "When did UNAMID operations cease?", 1)
    assert "31 December 2020" in answer and "[1]" in answer

    page.locator("#citations label").first.click()
    mark = page.locator("#source mark")
    mark.wait_for(timeout=30_000)
    assert "31 December 2020" in mark.inner_text()
    source = page.locator("#source").inner_text()
    assert "Security Council" in source and "paragraph" in source and "2021-01-27" in source
    page.screenshot(path=str(ARTIFACTS / "ui-answer-with-source.png"), full_page=True)

    before = page.locator("#source").inner_text()
    page.locator("#next").click()
    page.wait_for_function("t => document.querySelector('#source').innerText !== t", arg=before, timeout=15_000)

    _ask(page, "What is the Elsie Initiative?", 2)
    follow_up = _ask(page, "which country is behind it?", 3)  # "it" = the Elsie Initiative, from the conversation
    assert "Canada" in follow_up

    missing = _ask(page, "Who won the 2018 FIFA World Cup?", 4)
    assert "Not in the documents" in missing

    page.locator("#chat button[aria-label='Like']").first.click()
    feedback = live_data_dir / "feedback.jsonl"
    page.wait_for_timeout(1500)
    rows = [json.loads(line) for line in feedback.read_text().splitlines()]
    assert rows[-1]["rating"] == "up" and rows[-1]["citations"]

    page.locator("#new-chat").click()
    page.wait_for_function("() => document.querySelectorAll('#chat [data-testid=\"bot\"]').length === 0", timeout=15_000)
    page.close()


def test_narrow_window(browser, live):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(live + "/ui/")
    page.locator("#question textarea").wait_for(timeout=60_000)
    _ask(page, "How many member states signed the A4P Declaration?", 1)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400  # no sideways scrolling
    page.screenshot(path=str(ARTIFACTS / "ui-narrow.png"), full_page=True)
    page.close()


PLANTED = {
    "img": '<img src="/planted-img.png" onerror="window.__xss=1">',
    "script": "<script>window.__xss=2</script>",
    "md": "![leak](/planted-md.png)",
    "link": "[open](javascript:window.__xss=3)",
}


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """A keyed server over a document whose text, title and file name carry markup."""
    from tests.conftest import start_server, stop

    tmp = tmp_path_factory.mktemp("planted")
    corpus = tmp / "corpus"
    corpus.mkdir()
    name = "<img src=planted-name.png onerror=window.__xss=4>.txt"  # no '/' in a file name
    (corpus / name).write_text(
        f"Zephyr Mission {PLANTED['img']} {PLANTED['md']}\n\n"
        f"The Zephyr mission deployed 4,500 observers along the border {PLANTED['img']} {PLANTED['script']} "
        f"{PLANTED['md']} {PLANTED['link']} in March 2021.\n\n"
        "The observers reported to the Zephyr council every week.\n", encoding="utf-8")
    proc, base = start_server({"RAG_CORPUS_DIR": str(corpus), "RAG_INDEX_DIR": str(tmp / "index"),
                               "RAG_MODEL": "hash-64", "RAG_API_KEYS": "browser-key",
                               "RAG_DATA_DIR": str(tmp / "data")}, tmp / "planted.log")
    yield base
    stop(proc)


def test_document_markup_stays_text_and_fetches_nothing(browser, planted):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requested, dialogs = [], []
    page.on("request", lambda r: requested.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    page.goto(planted + "/ui/")  # no key yet: the sign-in form
    page.locator("#key").fill("browser-key")
    page.locator("#sign-in").click()
    page.locator("#question textarea").wait_for(timeout=60_000)

    answer = _ask(page, "How many observers did the Zephyr mission deploy?", 1)
    assert "4,500" in answer and '<img src="/planted-img.png"' in answer  # the markup is shown as its characters
    page.locator("#citations label").first.click()
    page.locator("#source mark").wait_for(timeout=30_000)
    source = page.locator("#source").inner_text()
    assert PLANTED["script"] in source and "corpus/<img src=planted-name.png" in source
    assert str(planted) not in source and "/tmp" not in source  # the file is named relative to its folder
    page.wait_for_timeout(1000)

    assert page.evaluate("window.__xss") is None and not dialogs
    assert not [u for u in requested if "planted" in u], requested
    for selector in ("#chat img", "#chat script", "#chat a[href^='javascript']", "#source img", "#source script",
                     "#citations img"):
        assert page.locator(selector).count() == 0, selector
    page.screenshot(path=str(ARTIFACTS / "ui-planted-markup.png"), full_page=True)
    page.close()


def test_upload_a_pdf_and_ask_about_it(browser, writable, tmp_path):
    from eval.samples import pdf_bytes

    pdf = tmp_path / "depot inventory.pdf"
    pdf.write_bytes(pdf_bytes(["Depot inventory 2025", "The Bunia depot holds 312 water purification units.",
                               "Annex: staff rota."], title="Depot inventory 2025"))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(writable + "/ui/")
    page.locator("#question textarea").wait_for(timeout=60_000)
    page.locator("#documents").get_by_text("Documents").first.click()
    page.locator("#upload input[type=file]").set_input_files(str(pdf))
    page.wait_for_function("() => document.querySelector('#upload-status').innerText.includes('Added')",
                           timeout=120_000)
    assert "Depot inventory 2025" in page.locator("#document-list").inner_text()

    answer = _ask(page, "how many water purification units are in the Bunia depot?", 1)
    assert "312" in answer and "page 2" in answer
    page.locator("#citations label").first.click()
    page.locator("#source mark").wait_for(timeout=30_000)
    assert "page 2" in page.locator("#source").inner_text()
    page.screenshot(path=str(ARTIFACTS / "ui-uploaded-pdf.png"), full_page=True)
