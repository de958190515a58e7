"""The staff chat: cited answers with one-click access to the source paragraph."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any, Callable

import gradio as gr

from rag.assistant import Assistant
from rag.errors import RagError
from rag.formats import SUPPORTED
from rag.settings import Settings
from ui.feedback import FeedbackStore

EXAMPLES = [
    "How many member states signed the A4P Declaration of Shared Commitments?",
    "When did UNAMID operations cease?",
    "What were the three pillars of the UNAMID transition?",
    "From how many countries did participants join the 2020 Challenges Forum?",
]

CSS = """
.source-panel { font-size: 0.95rem; line-height: 1.5; }
.source-panel mark { background: #ffe58a; color: #111; padding: 0 2px; }
.source-panel .meta { color: #555; font-size: 0.85rem; margin-bottom: 0.5rem; }
.source-panel .para { white-space: pre-wrap; border-left: 3px solid #4a7bd0; padding-left: 0.75rem; }
@media (max-width: 720px) { .gradio-container { padding: 4px !important; } }
"""


# --- pure formatting (unit-tested) -----------------------------------------------------


def format_answer(answer: dict[str, Any]) -> str:
    """The chat message for an answer: the answer, then its numbered sources."""
    if answer["abstained"]:
        return f"🛈 **Not in the documents.** {_md(answer['answer'])}"
    lines = []
    citations = answer["citations"]
    if answer.get("conflict") and len(citations) >= 2:
        a, b = citations[0], citations[1]
        lines += [
            "**The sources differ.** Both are shown; check which applies.",
            "",
            f"| [{a['marker']}] {_md(a['title'])} | [{b['marker']}] {_md(b['title'])} |",
            "|---|---|",
            f"| {_md(_squash(a['quote']['text']))} | {_md(_squash(b['quote']['text']))} |",
        ]
    else:
        lines.append(_md(answer["answer"]))
    if answer.get("warning"):
        lines += ["", f"*Answered from the documents directly: {_md(answer['warning'])}.*"]
    lines += ["", "**Sources**"]
    for c in citations:
        meta = ", ".join(x for x in (c.get("publisher", ""), c.get("date", "")) if x)
        where = f"page {c['page']}, paragraph {c['paragraph']}" if c.get("page") else f"paragraph {c['paragraph']}"
        lines.append(f"[{c['marker']}] *{_md(c['title'])}*, {where}" + (f" ({_md(meta)})" if meta else ""))
    return "\n".join(lines)


def citation_label(c: dict[str, Any]) -> str:
    page = f" · page {c['page']}" if c.get("page") else ""
    return f"[{c['marker']}] {c['title'][:70]}{page} · paragraph {c['paragraph']}"


def render_paragraph(info: dict[str, str], paragraph: dict[str, Any], quote: dict[str, Any] | None, total: int) -> str:
    """HTML for one source paragraph, the quoted sentence highlighted."""
    text = paragraph["text"]
    if quote and paragraph["start"] <= quote["start"] < quote["end"] <= paragraph["end"]:
        a, b = quote["start"] - paragraph["start"], quote["end"] - paragraph["start"]
        body = html.escape(text[:a]) + "<mark>" + html.escape(text[a:b]) + "</mark>" + html.escape(text[b:])
    else:
        body = html.escape(text)
    meta = " · ".join(html.escape(x) for x in (info.get("publisher", ""), info.get("date", "")) if x)
    page = f" · page {int(paragraph['page'])}" if paragraph.get("page") else ""
    return (
        f"<div class='source-panel' aria-live='polite'>"
        f"<h3>{html.escape(info['title'])}</h3>"
        f"<div class='meta'>{meta}<br>{html.escape(info['source'])}{page} · paragraph {paragraph['number']} of {total}"
        f" · characters {paragraph['start']}–{paragraph['end']}</div>"
        f"<div class='para'>{body}</div></div>"
    )


_MARKUP = re.compile(r"[\\`*_\[\]()!|~$<>&\"']|^[#+\-=]|^\d+(?=[.)])")


def _md(text: str) -> str:
    """Text from a document or a user as literal characters in a Markdown message: every
    character Markdown or HTML could read as markup becomes a numeric entity (entities are
    never delimiters, and survive any backslash handling), so a quote can render neither
    an image (a request to any URL), nor a link, nor a tag."""
    return _MARKUP.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group(0)), " ".join(text.split()))


def _squash(text: str) -> str:
    return " ".join(text.split())


def previous_questions(history: list[dict[str, Any]]) -> list[str]:
    """The user's earlier questions in a Gradio messages history."""
    out = []
    for message in history or []:
        content = message.get("content") if isinstance(message, dict) else None
        if message.get("role") == "user" and content:
            out.append(content if isinstance(content, str) else str(content))
    return out


# --- the app ---------------------------------------------------------------------------


def document_list(index) -> str:
    """The collection as a Markdown list (titles are document text: escaped)."""
    rows = []
    for info in index.documents.values():
        pages = f", {info.pages} pages" if info.pages else ""
        rows.append(f"- {_md(info.title)} ({_md(info.format)}{pages}; id {_md(info.doc_id)})")
    return f"**{len(rows)} documents**\n\n" + "\n".join(rows)


def build(assistant: Assistant, settings: Settings, *, current: Callable[[], Assistant] | None = None,
          replace: Callable[[Assistant], None] | None = None) -> gr.Blocks:
    """The Gradio Blocks app over an already loaded assistant; ``current`` gives the one in
    use now when the server follows a changing index, ``replace`` installs a new one after
    an upload (by default the app keeps its own)."""
    if current is None or replace is None:
        holder = [assistant]
        current, replace = (lambda: holder[0]), (lambda a: holder.__setitem__(0, a))
    store = FeedbackStore(settings.data_dir, max_bytes=int(settings.feedback_max_mb * 1024 * 1024))

    def paragraph_view(doc_id: str, number: int, quote: dict | None) -> str:
        index = current().index
        if doc_id not in index.documents:
            return "<div class='source-panel'>This source is no longer in the collection.</div>"
        paragraphs = index.document_paragraphs(doc_id)
        p = paragraphs[number - 1]
        info = index.documents[doc_id]
        data = {"text": p.text, "start": p.start, "end": p.end, "number": p.number, "page": p.page}
        return render_paragraph(
            {"title": info.title, "publisher": info.publisher, "date": info.date, "source": info.source},
            data, quote, len(paragraphs),
        )

    def respond(question: str, history: list, answers: list):
        """Show the answer as it is made (with the LLM answerer, each claim once verified),
        then the finished answer with its sources."""
        history = list(history or [])
        shown = ""
        answer = None
        try:
            for item in current().stream(question, history=previous_questions(history)):
                if isinstance(item, str):
                    shown += item
                    turn = [{"role": "user", "content": _md(question.strip())}, {"role": "assistant", "content": _md(shown)}]
                    yield history + turn, answers, "", gr.update(), gr.update(), gr.update()
                else:
                    answer = item.to_dict()
        except RagError as exc:
            gr.Warning(str(exc))
            yield history, answers, question, gr.update(), gr.update(), None
            return
        history += [{"role": "user", "content": _md(answer["question"])},
                    {"role": "assistant", "content": format_answer(answer)}]
        answers = list(answers or []) + [answer]
        choices = [citation_label(c) for c in answer["citations"]]
        if not choices:
            yield history, answers, "", gr.update(choices=[], value=None, visible=False), "", None
            return
        first = answer["citations"][0]
        view = paragraph_view(first["doc_id"], first["paragraph"], first["quote"])
        position = {"doc_id": first["doc_id"], "number": first["paragraph"], "quote": first["quote"]}
        yield history, answers, "", gr.update(choices=choices, value=choices[0], visible=True), view, position

    def open_citation(label: str | None, answers: list):
        if not label or not answers:
            return gr.update(), None
        for c in answers[-1]["citations"]:
            if citation_label(c) == label:
                position = {"doc_id": c["doc_id"], "number": c["paragraph"], "quote": c["quote"]}
                return paragraph_view(c["doc_id"], c["paragraph"], c["quote"]), position
        return gr.update(), None

    def step(position: dict | None, delta: int):
        if not position:
            return gr.update(), position
        total = len(current().index.document_paragraphs(position["doc_id"]))
        if not total:
            return paragraph_view(position["doc_id"], 1, None), position
        number = min(max(position["number"] + delta, 1), total)
        position = {**position, "number": number}
        return paragraph_view(position["doc_id"], number, position.get("quote")), position

    def add_files(files: list | None):
        """Add uploaded files to the collection: only their text is embedded; a file that
        cannot be used is named with the reason and nothing changes."""
        if not files:
            return gr.update(), gr.update(), None
        from rag.assistant import assistant_for
        from rag.collection import Upload, change
        from rag.index import load_index
        from rag.store import GenerationVectors

        embedder = current().searcher.embedder
        try:
            uploads = [Upload(Path(f).name, Path(f).read_bytes()) for f in files]
            result = change(settings.index_dir, embedder, add=uploads, max_bytes=settings.max_file_bytes,
                            vectors=GenerationVectors(settings))
            if result.index is not None:
                replace(assistant_for(load_index(settings.index_dir), embedder, settings))
        except (RagError, OSError) as exc:
            return f"⚠️ Not added: {_md(str(exc))}", gr.update(), None
        index = current().index
        lines = [f"Added *{_md(d.title)}* ({len(index.document_paragraphs(d.doc_id))} paragraphs"
                 + (f", {d.pages} pages" if d.pages else "") + "). Ask about it now."
                 for d in result.added + result.replaced]
        lines += [f"*{_md(d.title)}* is already in the collection." for d in result.unchanged]
        return "\n\n".join(lines), document_list(index), None

    def new_chat():
        return [], [], "", gr.update(choices=[], value=None, visible=False), "", None

    def feedback(history: list, answers: list, data: gr.LikeData):
        index_ = data.index if isinstance(data.index, int) else data.index[0]
        turn = index_ // 2  # user, assistant, user, assistant, ...
        if not answers or turn >= len(answers):
            return
        a = answers[turn]
        store.save(rating="up" if data.liked else "down", question=a["question"], answer=a["answer"],
                   citations=a["citations"])
        gr.Info("Thank you, your feedback was saved.")

    with gr.Blocks(title="Peace-operations assistant") as demo:
        gr.Markdown("## Peace-operations assistant\nAnswers come only from the document collection, each with its source. "
                    "If the documents don't say, the assistant says so.")
        answers = gr.State([])
        position = gr.State(None)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chat = gr.Chatbot(
                    label="Conversation", height=480, buttons=["copy"], feedback_options=("Like", "Dislike"),
                    examples=[{"text": e} for e in EXAMPLES], placeholder="Ask about UN peace operations documents.",
                    elem_id="chat",
                )
                question = gr.Textbox(label="Your question", placeholder="Type a question and press Enter",
                                      lines=1, max_lines=4, autofocus=True, elem_id="question")
                with gr.Row():
                    send = gr.Button("Ask", variant="primary", elem_id="ask")
                    clear = gr.Button("New chat", elem_id="new-chat")
            with gr.Column(scale=2, min_width=300):
                sources = gr.Radio(label="Citations: choose one to read its source", choices=[], visible=False,
                                   elem_id="citations")
                source = gr.HTML(elem_id="source")
                with gr.Row():
                    prev_btn = gr.Button("◀ Previous paragraph", size="sm", elem_id="prev")
                    next_btn = gr.Button("Next paragraph ▶", size="sm", elem_id="next")
                with gr.Accordion("Documents", open=False, elem_id="documents"):
                    upload = gr.File(label=f"Add your own documents ({', '.join(SUPPORTED)})",
                                     file_count="multiple", file_types=list(SUPPORTED), elem_id="upload")
                    upload_status = gr.Markdown(elem_id="upload-status")
                    listing = gr.Markdown(document_list(current().index), elem_id="document-list")

        outputs = [chat, answers, question, sources, source, position]
        question.submit(respond, [question, chat, answers], outputs)
        send.click(respond, [question, chat, answers], outputs)
        def pick_example(event: gr.SelectData) -> str:
            return event.value["text"]

        chat.example_select(pick_example, None, question).then(respond, [question, chat, answers], outputs)
        clear.click(new_chat, None, outputs)
        sources.change(open_citation, [sources, answers], [source, position])
        prev_btn.click(lambda p: step(p, -1), position, [source, position])
        next_btn.click(lambda p: step(p, +1), position, [source, position])
        chat.like(feedback, [chat, answers], None)
        upload.upload(add_files, upload, [upload_status, listing, upload])
        demo.load(lambda: document_list(current().index), None, listing)  # the collection may have changed
    return demo


def mount(app, assistant: Assistant, settings: Settings):
    """Mount the chat at /ui of an existing FastAPI app; it answers from the app's assistant
    of the moment (the server may switch to a new index generation)."""
    def replace(new: Assistant) -> None:
        app.state.assistant = new

    blocks = build(assistant, settings, current=lambda: getattr(app.state, "assistant", None) or assistant,
                   replace=replace)
    return gr.mount_gradio_app(app, blocks, path="/ui", css=CSS)


def launch(settings: Settings, *, host: str, port: int) -> int:
    """``rag ui``: serve the chat on its own."""
    from api.security import KeyPolicy
    from rag.assistant import load_assistant

    assistant, _ = load_assistant(settings, serving=True)
    print(f"Chat UI on http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}", flush=True)
    policy = KeyPolicy(settings.api_key_set)
    auth = (lambda _user, key: policy.valid_key(key)) if policy.enabled else None  # any user name, a valid key
    build(assistant, settings).launch(server_name=host, server_port=port, css=CSS, show_error=False, auth=auth,
                                      auth_message="Sign in with an access key as the password." if auth else None)
    return 0
