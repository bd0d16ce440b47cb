"""Ready means ready: a server answers its health check only once a turn
would be served warm, so the first clinician after a restart waits no longer
than the tenth.

Before, spaCy's recogniser used by the screening of identifying data loaded
inside the first turn that met an unknown capitalised word (about 2 s, every
other conversation of the process stalled meanwhile), and TensorFlow compiled
the intent classifier at the first message: the first turn after a start took
13 times a warm one.

`python -m serving run …` (the Rasa server) calls `install_rasa()`: the
screening is loaded in a thread while the model loads, then, once Rasa has
loaded its agent and before the server listens (Sanic's `before_server_start`,
so `GET /` and every channel answer only afterwards), one message is parsed
by the agent's NLU and one action predicted on a throwaway tracker kept in
memory (nothing is written to the tracker store), and the tracker store read
once for a conversation that does not exist.

`python -m serving run actions …` (the action server) calls
`install_actions()`: before `/health` answers, the screening is loaded and
every custom action runs once on a throwaway tracker of a complete case (the
free-text parser's lexicon, the decision data, the texts, the RCP sheet and
its PDF are loaded then); what they return is dropped.

A failure of the warm-up is logged and the server starts all the same, cold.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import uuid
from functools import partial
from typing import Any

from paths import ROOT

logger = logging.getLogger(__name__)

DOMAIN = ROOT / "domain.yml"
# A complete case of the README (the contract's codes): every action has something to show.
CASE = ROOT / "examples" / "femoral_neck_fracture.json"
# A whole-case opening with a patient's name, as a clinician may type it.
MESSAGE = "Mme Ysolde Quénard, 67 ans : fracture pathologique du col fémoral droit, espérance de vie 8 mois, opérable"
SENDER = "warm-up"


class Screening:
    """The screening of identifying data loaded in a thread (`privacy.warm_up`)."""

    def __init__(self) -> None:
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._load, name="screening-warm-up", daemon=True)

    def start(self) -> Screening:
        self.thread.start()
        return self

    def _load(self) -> None:
        from privacy.screening import warm_up

        started = time.perf_counter()
        try:
            warm_up()
        except Exception as error:  # the server starts anyway; screening then loads at first use
            self.error = error
            return
        logger.info("Warm-up: screening loaded in %.1f s.", _since(started))

    async def wait(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.thread.join)
        if self.error is not None:
            logger.warning("Warm-up: screening not loaded: %s", _one_line(self.error))


# --------------------------------------------------------------------------- the Rasa server


async def warm_turn(agent: Any) -> None:
    """One parse through the agent's NLU and one prediction of its policies on
    a tracker kept in memory; a read of a conversation that does not exist."""
    from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
    from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    parse = await agent.parse_message(MESSAGE)
    events = [
        ActionExecuted(ACTION_SESSION_START_NAME),
        SessionStarted(),
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered(MESSAGE, parse.get("intent"), parse.get("entities"), parse),
    ]
    tracker = DialogueStateTracker.from_events(SENDER, events, slots=agent.domain.slots)
    agent.processor.predict_next_with_tracker(tracker)
    await agent.tracker_store.retrieve(f"{SENDER}-{uuid.uuid4().hex}")


def install_rasa() -> None:
    """Rasa's `load_agent_on_start` (the `before_server_start` listener of
    `rasa run`) followed by the warm-up of the turn path."""
    import rasa.core.run

    load_agent_on_start = rasa.core.run.load_agent_on_start
    if getattr(load_agent_on_start, "_warm_up", False):
        return
    screening = Screening().start()

    async def load_agent_and_warm_up(*args: Any, **kwargs: Any) -> Any:
        agent = await load_agent_on_start(*args, **kwargs)
        await screening.wait()
        started = time.perf_counter()
        try:
            await warm_turn(agent)
        except Exception as error:
            logger.warning("Warm-up: the turn path did not run: %s", _one_line(error))
        else:
            logger.info("Warm-up: parse and prediction in %.1f s, before the server answers.", _since(started))
        return agent

    load_agent_and_warm_up._warm_up = True  # type: ignore[attr-defined]
    rasa.core.run.load_agent_on_start = load_agent_and_warm_up


# --------------------------------------------------------------------------- the action server


def action_call(name: str, domain: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    """What Rasa sends to run action `name` in a conversation that has the
    whole `case` and has just received MESSAGE."""
    slots = dict.fromkeys(domain.get("slots", {}))
    slots.update({field: value for field, value in case.items() if field in slots})
    latest = {
        "text": MESSAGE,
        "intent": {"name": "inform", "confidence": 1.0},
        "entities": [{"entity": "delivery", "value": "file"}],
        "message_id": None,
    }
    tracker = {
        "sender_id": SENDER,
        "slots": slots,
        "latest_message": latest,
        "events": [{"event": "user", "text": MESSAGE, "parse_data": latest}],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
        "latest_input_channel": "rest",
    }
    return {"next_action": name, "sender_id": SENDER, "tracker": tracker, "domain": domain}


async def warm_actions(package: Any) -> tuple[int, list[str]]:
    """Every action of `package` that the domain lists run once; how many ran, and those that failed."""
    from rasa.shared.core.domain import Domain
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package(package)
    domain = Domain.load(str(DOMAIN)).as_dict()
    case = json.loads(CASE.read_text(encoding="utf-8"))
    names = sorted(set(executor.actions) & set(domain.get("actions", [])))  # not the bases of actions
    failed = []
    for name in names:
        try:
            await executor.run(action_call(name, domain, case))
        except Exception as error:
            logger.debug("Warm-up: %s failed: %s", name, _one_line(error))
            failed.append(name)
    return len(names), failed


def install_actions() -> None:
    """rasa_sdk's app with a `before_server_start` listener that loads the
    screening and runs every action once."""
    import rasa_sdk.endpoint

    create_app = rasa_sdk.endpoint.create_app
    if getattr(create_app, "_warm_up", False):
        return
    screening = Screening().start()

    async def warm_up(package: Any, app: Any, loop: Any) -> None:
        await screening.wait()
        started = time.perf_counter()
        count, failed = await warm_actions(package)
        if failed:
            logger.warning("Warm-up: actions that did not run: %s", ", ".join(failed))
        logger.info("Warm-up: %d actions run in %.1f s, before the server answers.", count, _since(started))

    def create_app_warmed_up(action_package_name: Any, *args: Any, **kwargs: Any) -> Any:
        app = create_app(action_package_name, *args, **kwargs)
        app.register_listener(partial(warm_up, action_package_name), "before_server_start")
        return app

    create_app_warmed_up._warm_up = True  # type: ignore[attr-defined]
    rasa_sdk.endpoint.create_app = create_app_warmed_up


def install(argv: list[str]) -> None:
    """The warm-up of the server that `python -m serving ARGV…` starts, if any."""
    if argv[:2] == ["run", "actions"]:
        install_actions()
    elif argv[:1] == ["run"]:
        install_rasa()


def _since(started: float) -> float:
    return time.perf_counter() - started


def _one_line(error: BaseException) -> str:
    return " ".join(f"{type(error).__name__}: {error}".split())[:300]
