"""Users' own documents through the HTTP API of a running server: upload, ask, delete, ask
again, without a restart; bad files get a 4xx naming the reason and change nothing."""

from __future__ import annotations

import io
import zipfile

import httpx
import pytest

from eval.samples import docx_bytes, pdf_bytes

pytestmark = pytest.mark.integration
FACT = "The Lake Kivu ferry patrol was handed to the Goma river police on 14 February 2025."
QUESTION = "Who was the Lake Kivu ferry patrol handed to?"


@pytest.fixture
def server(writable):
    return writable


def _ask(base: str, question: str) -> dict:
    r = httpx.post(base + "/ask", json={"question": question}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def test_upload_ask_delete_ask_again(server):
    pdf = pdf_bytes(["Harbour services annex", "Section 2. " + FACT, "Section 3. Budget lines follow."],
                    title="Harbour services annex")
    r = httpx.post(server + "/documents", files={"files": ("harbour annex.pdf", pdf, "application/pdf")}, timeout=120)
    assert r.status_code == 201, r.text
    added = r.json()["added"]
    assert [d["format"] for d in added] == ["pdf"] and added[0]["pages"] == 3 and added[0]["origin"] == "added"
    doc_id = added[0]["doc_id"]
    assert added[0]["title"] == "Harbour services annex"  # from the PDF's own metadata

    answer = _ask(server, QUESTION)
    assert not answer["abstained"] and "Goma river police" in answer["answer"]
    c = answer["citations"][0]
    assert c["doc_id"] == doc_id and c["page"] == 2
    stored = httpx.get(f"{server}/documents/{doc_id}/text").text
    assert stored[c["start"]:c["end"]] == c["text"] and stored[c["quote"]["start"]:c["quote"]["end"]] == c["quote"]["text"]
    paragraph = httpx.get(f"{server}/documents/{doc_id}/paragraphs/{c['paragraph']}").json()
    assert paragraph["page"] == 2

    again = httpx.post(server + "/documents", files={"files": ("harbour annex.pdf", pdf, "application/pdf")}, timeout=60)
    assert again.status_code == 201 and not again.json()["added"] and again.json()["unchanged"][0]["doc_id"] == doc_id

    r = httpx.delete(f"{server}/documents/{doc_id}", timeout=60)
    assert r.status_code == 200 and r.json()["removed"][0]["doc_id"] == doc_id
    assert doc_id not in {d["doc_id"] for d in httpx.get(server + "/documents").json()["documents"]}
    after = _ask(server, QUESTION)
    assert after["abstained"] or all(c["doc_id"] != doc_id for c in after["citations"])
    assert httpx.delete(f"{server}/documents/{doc_id}").status_code == 404


def test_a_word_file_is_answered_with_its_heading_as_context(server):
    docx = docx_bytes("Logistics memo", [("Heading 1", "Fuel convoys"), ("Normal", FACT.replace("ferry", "fuel"))])
    r = httpx.post(server + "/documents", files={"files": ("memo.docx", docx)}, timeout=120)
    assert r.status_code == 201, r.text
    doc_id = r.json()["added"][0]["doc_id"]
    answer = _ask(server, "Who was the Lake Kivu fuel patrol handed to?")
    assert answer["citations"] and answer["citations"][0]["doc_id"] == doc_id
    assert httpx.delete(f"{server}/documents/{doc_id}").status_code == 200


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(300):
                member.write(block)
    return buffer.getvalue()


@pytest.mark.parametrize("name, content, status, reason", [
    ("tool.exe", b"MZ\x90\x00", 415, "unsupported file type"),
    ("empty.txt", b"", 422, "empty"),
    ("renamed.txt", bytes(range(256)) * 8, 422, "binary"),
    ("latin1.txt", "caf\xe9 au lait".encode("latin-1"), 422, "not UTF-8"),
    ("fake.pdf", b"%PDF-1.4 this is not really a PDF", 422, "not a readable PDF"),
    ("bomb.docx", None, 422, "expands"),
    ("huge.txt", b"word " * 500_000, 413, "over the 2 MB limit"),
])
def test_bad_files_get_4xx_and_change_nothing(server, name, content, status, reason):
    before = httpx.get(server + "/documents").json()["documents"]
    content = _zip_bomb() if content is None else content
    r = httpx.post(server + "/documents", files={"files": (name, content)}, timeout=60)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert reason in r.json()["detail"] and name in r.json()["detail"] or status == 413
    assert httpx.get(server + "/documents").json()["documents"] == before


def test_encrypted_and_scanned_pdfs_are_refused_with_the_reason(server):
    for name, content, reason in [
        ("locked.pdf", pdf_bytes(["Secret minutes of the board."], user_password="s3cret"), "encrypted"),
        ("scan.pdf", pdf_bytes([], image_only=True), "no extractable text; OCR is not supported"),
    ]:
        r = httpx.post(server + "/documents", files={"files": (name, content)}, timeout=60)
        assert r.status_code == 422 and reason in r.json()["detail"], r.text


def test_a_nameless_upload_is_refused(server):
    r = httpx.post(server + "/documents", files={"files": ("../", b"some words here")}, timeout=30)
    assert r.status_code == 422
