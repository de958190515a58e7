"""Admission control: answering is CPU-bound, so a bounded number of questions run at
once, a short bounded queue waits, and anything past that gets an immediate 503 with
``Retry-After`` instead of a slow answer for everyone."""

from __future__ import annotations

import asyncio
import math
from contextlib import asynccontextmanager
from typing import AsyncIterator

from starlette.exceptions import HTTPException


class Admission:
    """At most ``in_flight`` running, ``queue`` waiting (each at most ``wait_s``)."""

    def __init__(self, in_flight: int, queue: int, wait_s: float) -> None:
        if in_flight < 1 or queue < 0 or wait_s <= 0:
            raise ValueError(f"in_flight must be >= 1, queue >= 0, wait_s > 0; got {in_flight}, {queue}, {wait_s}")
        self.in_flight, self.queue, self.wait_s = in_flight, queue, wait_s
        self._slots = asyncio.Semaphore(in_flight)
        self._waiting = 0
        self.refused = 0

    def _busy(self, why: str) -> HTTPException:
        self.refused += 1
        return HTTPException(503, f"the service is at capacity ({why}); retry shortly",
                             headers={"Retry-After": str(max(1, math.ceil(self.wait_s)))})

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._slots.locked() and self._waiting >= self.queue:
            raise self._busy(f"{self.in_flight} questions running, {self._waiting} waiting")
        self._waiting += 1
        try:
            await asyncio.wait_for(self._slots.acquire(), self.wait_s)
        except asyncio.TimeoutError:
            raise self._busy(f"no slot within {self.wait_s:g} s") from None
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._slots.release()
