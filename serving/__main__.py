"""`python -m serving ARGS…` is `rasa ARGS…` with the fault notice installed.

    python -m serving run --model models/consultation.tar.gz --enable-api --auth-token …
"""

import sys

from .fault_notice import install


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
