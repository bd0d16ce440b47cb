"""How fast the bridge may call the homeserver, how long it waits before
trying again, and waits that end when it is asked to stop. No network: a
clock and an event."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any


class Backoff:
    """Waits between reconnection attempts: 1 s, 2 s, 4 s… up to `maximum`,
    with ±20 % jitter; back to 1 s after a success."""

    def __init__(self, maximum: float = 60.0, first: float = 1.0, jitter: float = 0.2) -> None:
        self.maximum, self.first, self.jitter = maximum, first, jitter
        self.failures = 0

    def next_delay(self) -> float:
        base = min(self.maximum, self.first * (2**self.failures))
        self.failures += 1
        return base * random.uniform(1 - self.jitter, 1 + self.jitter)

    def reset(self) -> None:
        self.failures = 0


class RateLimiter:
    """Calls to the homeserver: at most `rate` per second on average, `burst`
    at once (a token bucket). `reserve()` books the next call and says how
    long to wait before making it; successive bookings queue up."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = float(rate), int(burst), clock
        self.tokens = float(burst)
        self.updated = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(float(self.burst), self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def reserve(self) -> float:
        self._refill()
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def available(self, calls: int = 1) -> bool:
        """`calls` calls could go now without waiting (for optional calls,
        such as typing notices, made only then)."""
        self._refill()
        return self.tokens >= calls


class Stopped(Exception):
    """The bridge was asked to stop while waiting."""


class StopSignal:
    """Set once, on SIGTERM or Ctrl-C: every wait of the bridge ends then,
    raising `Stopped`."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    def set(self) -> None:
        self.event.set()

    def is_set(self) -> bool:
        return self.event.is_set()

    async def pause(self, seconds: float) -> None:
        """Sleep, unless asked to stop (then raise Stopped)."""
        try:
            await asyncio.wait_for(self.event.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            return
        raise Stopped()

    async def until_stopped(self, call: Awaitable[Any]) -> Any:
        """`call`, cancelled if the bridge is asked to stop meanwhile."""
        task = asyncio.ensure_future(call)
        stopper = asyncio.ensure_future(self.event.wait())
        try:
            await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
        if not task.done():
            task.cancel()
            raise Stopped()
        return task.result()
