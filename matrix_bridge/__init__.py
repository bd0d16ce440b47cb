"""The Matrix bridge: a process of its own, in its own virtual environment
(``requirements.txt`` here; no matrix-nio release fits Rasa 3.6's pins, see
docs/matrix.md), between a Matrix homeserver (Element, Tchap) and Rasa's
Matrix channel (`channels.matrix.MatrixInput`, ``/webhooks/matrix/webhook``).

``python -m matrix_bridge --credentials credentials.yml`` (`__main__.py`):

- `bridge.py`: `Bridge` runs a `HomeserverSession` and a `SyncLoop` until
  stopped, logging in again when the access token is rejected;
- `session.py`: `HomeserverSession`, the bridge's device on the homeserver:
  login, crypto store, keys, cross-signing, trust of the clinicians' devices,
  and every call to the homeserver (paced, retried);
- `sync_loop.py`: `SyncLoop`: sync, gaps, invitations, decryption, each
  message to Rasa (one conversation per room), the replies and files sent;
- without network, unit-tested: `messages.py` (which events are answered,
  what is sent back), `state.py` (what is kept across restarts, checks of the
  crypto store), `crosssigning.py` (the account's cross-signing keys),
  `pacing.py` (rate limit, back-off), `config.py` (the credentials.yml
  section).

It imports no Rasa; from this project, only `channels.buttonless` and
`channels.formatting` (pure Python).
"""
