"""The library's errors; edges (CLI, API, UI) translate them once."""


class RagError(Exception):
    """Base class: something the user or operator can act on."""

    code = "rag-error"


class InvalidRequest(RagError):
    """A request the library cannot serve as asked (bad top_k, bad history, ...)."""

    code = "invalid-request"


class InvalidQuestion(InvalidRequest):
    """The question is empty, too long or otherwise unusable."""

    code = "invalid-question"


class CorpusError(RagError):
    """The corpus cannot be read: missing path, unsupported file, bad manifest."""

    code = "corpus-error"


class IndexError_(RagError):
    """The index on disk is missing, corrupt or was built for another model."""

    code = "index-error"


class WriterBusy(IndexError_):
    """Another process is writing this index."""

    code = "ingest-running"


class DocumentNotFound(RagError):
    """No document or paragraph with that identifier."""

    code = "not-found"


class ModelError(RagError):
    """The embedding model cannot be loaded from local files."""

    code = "model-error"


class UnusableFile(CorpusError):
    """A file offered to the index that cannot be used (the message names it and says why)."""

    code = "unusable-file"


class FileTooLarge(UnusableFile):
    """A file over ``RAG_MAX_FILE_MB``."""

    code = "file-too-large"


class UnsupportedFileType(UnusableFile):
    """A file of a type the index does not read."""

    code = "unsupported-file-type"
