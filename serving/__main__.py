"""`python -m serving ARGS…` is `rasa ARGS…` with the message length cap, the fault notice and the
speed-ups installed.

python -m serving run --model models/consultation.tar.gz --enable-api --auth-token …
"""

import sys

from . import fault_notice, message_cap, speedups


def main() -> None:
    message_cap.install()
    fault_notice.install()
    speedups.install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
