"""Matrix and Tchap.

Two parts, because no matrix-nio release fits Rasa 3.6's pins (docs/matrix.md):

- `channels.matrix.MatrixInput`, a Rasa input channel, declared in
  credentials.yml with the Matrix account: Rasa serves
  ``/webhooks/matrix/webhook`` for the bridge;
- the bridge, ``python -m channels.matrix`` in its own virtual environment
  (matrix-nio): it syncs with the homeserver, hands each message of a room to
  that webhook (one conversation per room) and posts the replies.

`MatrixInput` is imported lazily, so that the bridge, which has no Rasa, can
import this package.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "MatrixInput":
        from .rasa_channel import MatrixInput

        return MatrixInput
    raise AttributeError(name)
