"""Direct reads and deletes on the tracker store's `events` table (SQLite or
PostgreSQL), for the report and purge commands: no Rasa server needed."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml


def store_config(endpoints: Path) -> dict[str, Any]:
    """The tracker_store section, with ${VARIABLES} expanded as Rasa does."""
    config = yaml.safe_load(os.path.expandvars(endpoints.read_text(encoding="utf-8"))) or {}
    store = config.get("tracker_store") or {}
    if not store:
        raise SystemExit(f"{endpoints}: no tracker_store section")
    return store


def engine_for(store: dict[str, Any], root: Path) -> sa.engine.Engine:
    dialect = store.get("dialect", "sqlite")
    if dialect == "sqlite":
        path = Path(store.get("db", "rasa.db"))
        return sa.create_engine(f"sqlite:///{path if path.is_absolute() else root / path}")
    url = sa.engine.URL.create(
        dialect,
        username=store.get("username"),
        password=store.get("password"),
        host=store.get("url") or store.get("host"),
        port=store.get("port"),
        database=store.get("db"),
    )
    return sa.create_engine(url)


def last_recommendation(engine: sa.engine.Engine, sender_id: str) -> dict[str, Any] | None:
    """The latest value of the `recommendation` slot in a conversation."""
    query = sa.text("SELECT data FROM events WHERE sender_id = :sender AND type_name = 'slot' ORDER BY id DESC")
    with engine.connect() as connection:
        for (data,) in connection.execute(query, {"sender": sender_id}):
            event = json.loads(data)
            if event.get("name") == "recommendation":
                return event.get("value")
    return None


def purge(engine: sa.engine.Engine, older_than_days: float, now: float | None = None) -> int:
    """Delete every conversation whose last event is older than the limit; returns how many."""
    cutoff = (now if now is not None else time.time()) - older_than_days * 86400
    with engine.begin() as connection:
        inspector = sa.inspect(connection)
        if "events" not in inspector.get_table_names():
            return 0
        stale = [
            row[0]
            for row in connection.execute(
                sa.text("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"),
                {"cutoff": cutoff},
            )
        ]
        for sender in stale:
            connection.execute(sa.text("DELETE FROM events WHERE sender_id = :sender"), {"sender": sender})
    return len(stale)
