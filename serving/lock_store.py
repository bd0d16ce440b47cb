"""A Redis lock store whose ticket operations are atomic across Rasa servers.

Why: Rasa 3.6's `RedisLockStore` (``lock_store: type: redis``) issues and
returns tickets with a plain GET, then a SET of the whole lock: two Rasa
servers receiving a message of the same conversation within the same
millisecond both read "no lock", both take ticket 0 and both process their
message at once; the second tracker saved then loses the first message's
events (measured: tests/scale/test_lock_store.py; Rasa's own fix,
ConcurrentRedisLockStore, RasaHQ/rasa#11256, is not in Rasa Open Source).

Here every read-modify-write of a lock (issue a ticket, drop expired tickets,
return a ticket and delete the lock when nobody waits) runs in a Redis
optimistic transaction (WATCH / MULTI / EXEC, retried on conflict), so the
ticket order is the same for every server. Same keys, same JSON and same
settings as ``type: redis``:

    lock_store:
      type: serving.lock_store.AtomicRedisLockStore
      url: ${REDIS_HOST}
      port: 6379
      password: ${REDIS_PASSWORD}
      db: 1
      key_prefix: clinibot

Redis unreachable (restarting): each lock operation is retried after
`RECONNECT_BACKOFF_S` pauses (redis-py reconnects by itself), then taking
the lock fails with `LockError`, which the channels turn into « not taken,
send it again » (HTTP 503; serving/turns.py) before anything is read or run.
Giving the ticket back after a stored turn never fails the turn: if Redis is
still away, the ticket expires by itself (its key has a time to live).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 1000  # optimistic retries before giving up (each is one round trip)
RECONNECT_BACKOFF_S = (0.1, 0.3, 0.6)  # pauses before the retries when Redis cannot be reached: 1 s in all


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` with atomic ticket operations (see module docstring)."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        # Rasa builds a custom lock store from its endpoints.yml section
        # (`endpoint_config`); the settings are those of RedisLockStore.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _reconnecting(self, what: str, call: Callable[[], Any]) -> Any:
        """`call()`, retried while Redis cannot be reached, at most
        len(RECONNECT_BACKOFF_S) times; the last error is raised."""
        import redis

        for pause in (*RECONNECT_BACKOFF_S, None):
            try:
                return call()
            except (redis.ConnectionError, redis.TimeoutError) as error:
                if pause is None:
                    raise
                logger.warning("Lock store: %s failed (%s), retrying in %.1f s.", what, error, pause)
                time.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        try:
            return self._reconnecting("reading a lock", lambda: RedisLockStore.get_lock(self, conversation_id))
        except Exception as error:
            raise LockError(f"Error while reading the lock. Error:\n{error}") from error

    def _transaction(self, conversation_id: str, change: Callable[[TicketLock | None], Any]) -> Any:
        return self._reconnecting("updating a lock", lambda: self._attempt_transaction(conversation_id, change))

    def _attempt_transaction(self, conversation_id: str, change: Callable[[TicketLock | None], Any]) -> Any:
        """Read the lock, let `change` modify it (it returns the result and may
        return the lock to save or None to delete it), write it back only if
        nobody wrote it meanwhile; retry otherwise."""
        import redis

        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            for _ in range(MAX_ATTEMPTS):
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    result, updated = change(lock)
                    pipe.multi()
                    if updated is not None and updated.tickets:
                        # the key disappears by itself when its last ticket expires
                        ttl_ms = max(1, int((max(t.expires for t in updated.tickets) - time.time()) * 1000) + 1000)
                        pipe.set(key, updated.dumps(), px=ttl_ms)
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue
                finally:
                    pipe.reset()
        raise LockError(f"Could not update the lock of conversation '{conversation_id}' (contention).")

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: TicketLock | None):
            lock = lock or self.create_lock(conversation_id)
            return lock.issue_ticket(lock_lifetime), lock

        try:
            return self._transaction(conversation_id, change)
        except LockError:
            raise
        except Exception as error:  # same contract as LockStore.issue_ticket
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        def change(lock: TicketLock | None):
            if lock is not None:
                lock.remove_expired_tickets()
            return None, lock

        try:
            self._transaction(conversation_id, change)
        except LockError:
            raise
        except Exception as error:
            raise LockError(f"Error while waiting for the lock. Error:\n{error}") from error

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock: TicketLock | None):
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return None, lock

        self._transaction(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Return the ticket; delete the lock in the same transaction if
        nobody else holds a ticket (no ticket issued meanwhile can be lost).
        Never raises: the turn is over (stored or refused) and, if Redis is
        away, the ticket expires by itself."""
        try:
            self.finish_serving(conversation_id, ticket_number)
        except Exception as error:
            logger.error(
                "Lock store: ticket %d of a conversation not given back (%s); it expires by itself.",
                ticket_number,
                error,
            )
