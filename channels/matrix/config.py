"""The bridge's settings: the `channels.matrix.MatrixInput` section of
credentials.yml, where Rasa also finds the channel."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

SECTION = "channels.matrix.MatrixInput"
_ENV = re.compile(r"\$\{([^}:]+)\}")


class ConfigError(ValueError):
    pass


@dataclass
class MatrixConfig:
    homeserver: str
    user_id: str
    access_token: Optional[str] = None
    password: Optional[str] = None
    device_name: str = "Assistant chirurgie des métastases osseuses"
    # Sync position, login and unsent replies; relative to the project root.
    state_dir: str = "var/matrix"
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
        self.homeserver = self.homeserver.rstrip("/")
        self.rasa_url = self.rasa_url.rstrip("/")

    def state_path(self, root: Path) -> Path:
        return (root / self.state_dir).resolve()


def expand_env(value: Any) -> Any:
    """``${MATRIX_ACCESS_TOKEN}`` replaced by the variable's value, as Rasa does
    when it reads credentials.yml."""
    if isinstance(value, str):
        def replace(match: "re.Match[str]") -> str:
            name = match.group(1)
            if name not in os.environ:
                raise ConfigError(f"{SECTION}: the environment variable {name} is not set")
            return os.environ[name]

        return _ENV.sub(replace, value)
    if isinstance(value, dict):
        return {key: expand_env(item) for key, item in value.items()}
    return value


def from_mapping(section: Mapping[str, Any], **overrides: Any) -> MatrixConfig:
    known = {field.name for field in fields(MatrixConfig)}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(f"{SECTION}: unknown setting(s) {', '.join(unknown)}")
    values: Dict[str, Any] = dict(expand_env(dict(section)))
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
