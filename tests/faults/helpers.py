"""What the fault tests share: the CLI in a subprocess, and an ingest killed part-way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time


def rag(args, env, timeout=120):
    return subprocess.run([sys.executable, "-m", "rag", *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **env})


def kill_ingest_after(delay: float, env: dict) -> None:
    """Start ``rag ingest --rebuild`` and SIGKILL it ``delay`` seconds later (or once it is done)."""
    proc = subprocess.Popen([sys.executable, "-m", "rag", "ingest", "--rebuild"], env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
