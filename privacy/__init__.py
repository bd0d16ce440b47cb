"""Identifying data screened out of everything the assistant keeps and logs:
`screen` a text, `screen_value` every string of a nested value (an event, a
slot, metadata). Used by the tracker store (records.store), the servers' logs
(serving.log_screen) and the actions that quote what was typed."""

from .patterns import KINDS
from .screening import Screened, screen, screen_value

__all__ = ["KINDS", "Screened", "screen", "screen_value"]
