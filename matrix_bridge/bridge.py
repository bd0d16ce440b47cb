"""The Matrix bridge: homeserver <-> Rasa's Matrix channel, in its own
virtual environment (matrix-nio needs aiohttp >= 3.10, Rasa 3.6 pins
aiohttp < 3.10): ``python -m matrix_bridge --credentials credentials.yml``.

`Bridge` composes the two halves and runs them until stopped: the
`HomeserverSession` (`session.py`: login, crypto store, keys,
cross-signing, paced and retried calls) and the `SyncLoop` (`sync_loop.py`:
receive, decrypt, dispatch to Rasa, send). What can be decided without the
network is in `messages.py`, `state.py` and `crosssigning.py`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from . import state
from .config import ConfigError, MatrixConfig
from .pacing import Stopped, StopSignal
from .session import HomeserverSession, TokenRejected
from .sync_loop import SyncLoop

logger = logging.getLogger(__name__)


class Bridge:
    """One account's bridge: its session on the homeserver and its sync
    loop, sharing what is kept across restarts (`state.json`)."""

    def __init__(
        self, config: MatrixConfig, state_dir: Path, new_device: bool = False, reset_cross_signing: bool = False
    ) -> None:
        kept = state.BridgeState(Path(state_dir) / "state.json", config.user_id)
        self.stop_signal = StopSignal()
        self.session = HomeserverSession(config, state_dir, kept, self.stop_signal, reset_cross_signing)
        self.sync_loop = SyncLoop(config, kept, self.session, self.stop_signal)
        self.new_device = new_device

    async def run(self) -> None:
        """Log in, send what a previous run left unsent, then sync until
        stopped. An unexpected error syncs the same batch again, after a
        back-off: nothing lost, nothing repeated. With
        ``--reset-cross-signing``: new cross-signing keys, then return."""
        session = self.session
        try:
            await session.start(new_device=self.new_device)
            if session.reset_cross_signing:
                await session.cross_sign(reset=True)
                return
            await self.sync_loop.send_all_pending()
            while not self.stop_signal.is_set():
                try:
                    await self.sync_loop.sync_once()
                except TokenRejected:
                    await session.log_in_again()
                except (Stopped, ConfigError):
                    raise
                except Exception:  # noqa: BLE001 - the batch is synced again: nothing lost, nothing repeated
                    delay = session.backoff.next_delay()
                    logger.exception("unexpected error; syncing again in %.1f s", delay)
                    await self.stop_signal.pause(delay)
        except Stopped:
            pass
        finally:
            await self.sync_loop.close()
            await session.close()
            logger.info("bridge stopped")

    def stop(self) -> None:
        self.stop_signal.set()
