"""`python -m serving ARGS…` is `rasa ARGS…` with what it prints screened of
identifying data, the message length cap, the fault notice, the speed-ups,
the HTTP API's session start, turns that are stored or refused (REST
channel included) and the warm-up before the server answers installed.

python -m serving run --model models/consultation.tar.gz --enable-api --auth-token …
python -m serving run actions --actions actions --port 5055
"""

import sys

from channels import rest

from . import api_session, fault_notice, log_screen, message_cap, speedups, turns, warm_up


def main() -> None:
    log_screen.install()
    message_cap.install()
    fault_notice.install()
    speedups.install()
    api_session.install()
    turns.install()
    rest.install()
    warm_up.install(sys.argv[1:])
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
