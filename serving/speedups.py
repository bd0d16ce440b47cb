"""Two speed-ups of Rasa 3.6's server, installed by `python -m serving`.

Found with py-spy on the Rasa server under 20 concurrent consultations and
measured by `make bench` (docs/performance.md):

1. Rasa checks every custom action's response with `jsonschema.validate()`,
   which first re-checks Rasa's constant response schema against the JSON
   Schema 2020-12 metaschema: 20-35 ms per action call, three calls a turn,
   two thirds of the server's CPU. `cache_action_response_validator()` checks
   the schema once and keeps the validator: same schema, same error raised
   (jsonschema's best match), same message.
2. Rasa opens a new aiohttp session, so a new TCP connection, for every call
   to the action server. `share_action_server_connections()` gives every
   session one connection pool per event loop (keep-alive 2 s, below the
   action server's 5 s, so a connection the server is closing is not reused).
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

import aiohttp
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.shared.constants import DOCS_BASE_URL
from rasa.utils.endpoints import EndpointConfig

KEEPALIVE_S = 2.0


def cache_action_response_validator() -> None:
    if getattr(RemoteAction._validate_action_result, "_cached_validator", False):
        return
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    _validate_action_result.__dict__["_cached_validator"] = True  # the mark read above
    RemoteAction._validate_action_result = _validate_action_result


def share_action_server_connections() -> None:
    if getattr(EndpointConfig.session, "_shared_connections", False):
        return
    connectors: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.TCPConnector] = weakref.WeakKeyDictionary()

    def session(self: EndpointConfig) -> aiohttp.ClientSession:
        loop = asyncio.get_event_loop()
        connector = connectors.get(loop)
        if connector is None or connector.closed:
            connector = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S)
            connectors[loop] = connector
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        return aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=connector,
            connector_owner=False,
        )

    session.__dict__["_shared_connections"] = True  # the mark read above
    EndpointConfig.session = session


def install() -> None:
    cache_action_response_validator()
    share_action_server_connections()
