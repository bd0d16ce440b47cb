"""A bounded memory of the last results computed, which a result computed
elsewhere can also be put into (`Memo.remember`).

`functools.lru_cache` cannot be told a result: a message the Rasa server's
NLU already read (`freetext.reading`) would be read again by the action
server. Thread-safe; the least recently used result is forgotten first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """The last ``size`` results of a computation, by key."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._results: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The result remembered for ``key``, else ``compute()`` remembered."""
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                self.hits += 1
                return self._results[key]
            self.misses += 1
        value = compute()
        self.remember(key, value)
        return value

    def remember(self, key: Hashable, value: V) -> None:
        """Keep ``value`` as the result for ``key`` (computed elsewhere, or just now)."""
        with self._lock:
            self._results[key] = value
            self._results.move_to_end(key)
            while len(self._results) > self.size:
                self._results.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._results.clear()
            self.hits = self.misses = 0
