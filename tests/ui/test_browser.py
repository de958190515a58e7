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
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")  # the keyboard is enough
    page.wait_for_function(
        "n => document.querySelectorAll('#chat [data-testid=\"bot\"]').length >= n", arg=turn, timeout=60_000)
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
