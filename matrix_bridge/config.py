"""The bridge's settings: the `channels.matrix.MatrixInput` section of
credentials.yml, where Rasa also finds the channel."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

SECTION = "channels.matrix.MatrixInput"
_ENV = re.compile(r"\$\{([^}:]+)\}")
# Where the crypto store's key is read when credentials.yml does not name it.
STORE_KEY_VARIABLE = "MATRIX_STORE_KEY"
MIN_STORE_KEY_CHARS = 16
# nio's default pickle key: a store "protected" by it is not protected.
NIO_DEFAULT_KEY = "DEFAULT_KEY"


class ConfigError(ValueError):
    pass


@dataclass
class MatrixConfig:
    homeserver: str
    user_id: str
    access_token: str | None = None
    password: str | None = None
    device_name: str = "Assistant chirurgie des métastases osseuses"
    # Sync position, login, unsent replies and the crypto store; relative to
    # the project root.
    state_dir: str = "var/matrix"
    # End-to-end encryption (Element and Tchap encrypt direct messages).
    encryption: bool = True
    # The secret that encrypts the crypto store and the cross-signing seeds
    # (normally "${MATRIX_STORE_KEY}"; else that variable is read).
    store_key: str | None = field(default=None, repr=False)
    # Calls to the homeserver: at most this many per second on average, with
    # a reserve of `rate_limit_burst` calls (Tchap asks bots for about one
    # call per second).
    rate_limit_per_second: float = 1.0
    rate_limit_burst: int = 3
    rasa_url: str = "http://127.0.0.1:5005"
    # Direct rooms only, unless this is set.
    accept_group_rooms: bool = False
    # m.notice is what the Matrix spec asks of bots (clients never answer it).
    msgtype: str = "m.notice"
    # Reconnection: 1 s, 2 s, 4 s… up to this many seconds between attempts.
    reconnect_max_delay: float = 60.0
    sync_timeout_ms: int = 30_000
    # Events per room and per sync; beyond it, the gap is fetched page by page.
    timeline_limit: int = 50

    def __post_init__(self) -> None:
        if not str(self.homeserver or "").startswith(("http://", "https://")):
            raise ConfigError(f"{SECTION}.homeserver: an http(s) URL is expected, got {self.homeserver!r}")
        if not re.fullmatch(r"@[^:\s]+:\S+", str(self.user_id or "")):
            raise ConfigError(f"{SECTION}.user_id: a Matrix user id (@name:server) is expected, got {self.user_id!r}")
        if not (self.access_token or self.password):
            raise ConfigError(f"{SECTION}: give access_token or password")
        if self.msgtype not in ("m.notice", "m.text"):
            raise ConfigError(f"{SECTION}.msgtype: m.notice or m.text")
        if not isinstance(self.rate_limit_per_second, (int, float)) or self.rate_limit_per_second <= 0:
            raise ConfigError(
                f"{SECTION}.rate_limit_per_second: a positive number of calls per second is expected, "
                f"got {self.rate_limit_per_second!r}"
            )
        if not isinstance(self.rate_limit_burst, int) or self.rate_limit_burst < 1:
            raise ConfigError(
                f"{SECTION}.rate_limit_burst: a whole number of calls, at least 1, is expected, "
                f"got {self.rate_limit_burst!r}"
            )
        if self.encryption:
            self.store_key = self.store_key or os.environ.get(STORE_KEY_VARIABLE) or None
            self._check_store_key()
        self.homeserver = self.homeserver.rstrip("/")
        self.rasa_url = self.rasa_url.rstrip("/")

    def _check_store_key(self) -> None:
        how = (
            f"generate one with `python -c 'import secrets; print(secrets.token_urlsafe(32))'`, keep it with "
            f"the other secrets, and give it as the environment variable {STORE_KEY_VARIABLE} "
            f'(or store_key: "${{SOME_VARIABLE}}" in {SECTION}); see docs/matrix.md'
        )
        if not self.store_key:
            raise ConfigError(f"{SECTION}: encryption is on and no key protects the crypto store: {how}")
        if self.store_key == NIO_DEFAULT_KEY:
            raise ConfigError(
                f"{SECTION}.store_key: {NIO_DEFAULT_KEY!r} is matrix-nio's public default, not a secret: {how}"
            )
        if len(self.store_key) < MIN_STORE_KEY_CHARS:
            raise ConfigError(
                f"{SECTION}.store_key: at least {MIN_STORE_KEY_CHARS} characters are expected "
                f"(got {len(self.store_key)}): {how}"
            )

    def state_path(self, root: Path) -> Path:
        return (root / self.state_dir).resolve()


def expand_env(value: Any) -> Any:
    """``${MATRIX_ACCESS_TOKEN}`` replaced by the variable's value, as Rasa does
    when it reads credentials.yml."""
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise ConfigError(f"{SECTION}: the environment variable {name} is not set")
            return os.environ[name]

        return _ENV.sub(replace, value)
    if isinstance(value, dict):
        return {key: expand_env(item) for key, item in value.items()}
    return value


def from_mapping(section: Mapping[str, Any], **overrides: Any) -> MatrixConfig:
    known = {item.name for item in fields(MatrixConfig)}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(f"{SECTION}: unknown setting(s) {', '.join(unknown)}")
    values: dict[str, Any] = dict(expand_env(dict(section)))
    values.update({key: value for key, value in overrides.items() if value is not None})
    try:
        return MatrixConfig(**values)
    except TypeError as error:  # a required setting is missing
        raise ConfigError(f"{SECTION}: {error}") from None


def load(credentials: Path, **overrides: Any) -> MatrixConfig:
    """The Matrix section of `credentials` (YAML)."""
    import yaml

    data = yaml.safe_load(Path(credentials).read_text(encoding="utf-8")) or {}
    section = data.get(SECTION)
    if not isinstance(section, dict):
        raise ConfigError(f"{credentials}: no {SECTION} section (see docs/matrix.md)")
    return from_mapping(section, **overrides)
