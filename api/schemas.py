"""HTTP shapes, kept apart from the library's value types."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Turn(BaseModel):
    """An earlier turn of the conversation."""

    role: Literal["user", "assistant", "system"] = "user"
    content: str = Field(max_length=20000)


class AskRequest(BaseModel):
    """A question, optionally with the conversation so far."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, description="the question (limit set by RAG_MAX_QUESTION_CHARS)")
    top_k: int | None = Field(default=None, ge=1, le=50, description="passages to retrieve")
    history: list[str | Turn] = Field(default_factory=list, max_length=50, description="earlier turns, oldest first")

    def previous_questions(self) -> list[str]:
        return [h if isinstance(h, str) else h.content for h in self.history if isinstance(h, str) or h.role == "user"]


class QuoteOut(BaseModel):
    text: str
    start: int
    end: int


class CitationOut(BaseModel):
    marker: int
    doc_id: str
    title: str
    source: str
    paragraph: int
    start: int
    end: int
    text: str
    score: float
    quote: QuoteOut
    publisher: str = ""
    date: str = ""
    page: int = Field(default=0, description="the PDF page the quote is on; 0 when the document has no pages")


class AskResponse(BaseModel):
    """The same JSON as ``rag ask --json``."""

    question: str
    answer: str
    abstained: bool
    conflict: bool = False
    confidence: float = 0.0
    citations: list[CitationOut]
    timings_ms: dict[str, float]
    answerer: str = Field("extractive", description="llm, extractive, or extractive-fallback when the LLM could not be used")
    warning: str = Field("", description="why the fallback was taken")
    claims_dropped: int = Field(0, description="LLM claims dropped because their cited sentences did not support them")


class DocumentOut(BaseModel):
    doc_id: str
    title: str
    publisher: str
    author: str
    date: str
    source: str
    paragraphs: int
    format: str = Field(default="txt", description="txt, md, pdf, docx or html")
    pages: int = Field(default=0, description="pages of a PDF; 0 for other formats")
    origin: str = Field(default="folder", description="folder: from an ingested folder; added: by upload or `rag add`")
    added: str = Field(default="", description="when it entered the index (UTC)")


class Changed(BaseModel):
    """What an upload or a delete did."""

    added: list[DocumentOut] = []
    replaced: list[DocumentOut] = Field(default=[], description="an earlier upload of the same name, now replaced")
    unchanged: list[DocumentOut] = Field(default=[], description="the same file was already in the index")
    removed: list[DocumentOut] = []


class SkippedOut(BaseModel):
    source: str = Field(description="the file, relative to the ingested folder")
    reason: str = Field(description="why it is not in the index")


class DocumentList(BaseModel):
    documents: list[DocumentOut]
    skipped: list[SkippedOut] = Field(description="files found in the folder but left out of the index, with the reason")


class ParagraphOut(BaseModel):
    doc_id: str
    number: int
    kind: str
    section: str
    start: int
    end: int
    text: str = Field(description="exactly the source file's characters start..end")
    clean: str = Field(description="display text")
    page: int = Field(default=0, description="the PDF page the paragraph begins on; 0 when the document has no pages")
    previous: int | None = None
    next: int | None = None


class DocumentDetail(DocumentOut):
    paragraph_list: list[ParagraphOut]


class Health(BaseModel):
    status: Literal["ok"]
    documents: int
    paragraphs: int
    model: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str = ""
    errors: list[dict[str, Any]] | None = None


# --- OpenAI-compatible chat completions ------------------------------------------------


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return " ".join(str(part.get("text", "")) for part in self.content if isinstance(part, dict))
        return self.content or ""


class ChatRequest(BaseModel):
    """The subset of OpenAI's chat-completions request this service reads; other fields are ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = "peaceops-extractive"
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    stream: bool = False
    top_k: int | None = Field(default=None, ge=1, le=50)


class ChatChoiceMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatChoiceMessage
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatResponse(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage
    citations: list[CitationOut] = Field(description="structured sources for the [n] markers")
    abstained: bool = False
    conflict: bool = False
    answerer: str = "extractive"
    warning: str = ""


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]
