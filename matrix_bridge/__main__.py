"""``python -m matrix_bridge``: run the Matrix bridge (see docs/matrix.md).

Stops cleanly on SIGTERM or Ctrl-C: the message being answered is finished,
the sync position saved. Exit codes: 0 stopped, 2 configuration error (also a
crypto store that does not match the device: the log says what to do).

Everything the bridge writes (state, crypto store, cross-signing seeds) is
created under umask 077: readable by its owner only.

Once, by hand:
  --new-device            log in again as a new device (after losing the crypto store)
  --reset-cross-signing   new cross-signing keys for the account (password needed)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from paths import ROOT

if TYPE_CHECKING:
    from .bridge import Bridge


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matrix_bridge", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--credentials",
        type=Path,
        default=ROOT / "credentials.yml",
        help="the file with the channels.matrix.MatrixInput section (default: credentials.yml)",
    )
    parser.add_argument(
        "--rasa-url", help="Rasa server (default: rasa_url in the section, else http://127.0.0.1:$RASA_PORT or :5005)"
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        help="where the sync position, the crypto store and the cross-signing seeds are kept (default: state_dir)",
    )
    parser.add_argument("--log-level", default=os.environ.get("MATRIX_BRIDGE_LOG_LEVEL", "INFO"))
    parser.add_argument(
        "--new-device",
        action="store_true",
        help="log in again with the password as a new device, then run (after the crypto store was lost)",
    )
    parser.add_argument(
        "--reset-cross-signing",
        action="store_true",
        help="replace the account's cross-signing keys (needs the password), then exit",
    )
    args = parser.parse_args(argv)
    os.umask(0o077)
    logging.basicConfig(
        level=args.log_level.upper(), stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("nio").setLevel(logging.ERROR)  # its own retry warnings duplicate ours
    logging.getLogger("MARKDOWN").setLevel(logging.WARNING)
    logging.getLogger("peewee").setLevel(logging.WARNING)  # every SQL statement of the crypto store

    from .bridge import Bridge
    from .config import ConfigError, load

    try:
        overrides = {"rasa_url": args.rasa_url}
        if not args.rasa_url and os.environ.get("RASA_PORT"):
            overrides["rasa_url"] = f"http://127.0.0.1:{os.environ['RASA_PORT']}"
        config = load(args.credentials, **overrides)
        state_dir = args.state_dir or config.state_path(ROOT)
        return asyncio.run(
            _run(Bridge(config, state_dir, new_device=args.new_device, reset_cross_signing=args.reset_cross_signing))
        )
    except ConfigError as error:
        logging.getLogger("matrix_bridge").error("configuration: %s", error)
        return 2


async def _run(bridge: Bridge) -> int:
    loop = asyncio.get_running_loop()
    main_task = asyncio.current_task()
    signals = {"count": 0}

    def on_signal() -> None:
        signals["count"] += 1
        bridge.stop()
        if signals["count"] > 1 and main_task is not None:  # second signal: do not wait
            main_task.cancel()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal)
    with contextlib.suppress(asyncio.CancelledError):
        await bridge.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
