"""What the tests and the benchmarks start and drive, in one place.

- `processes`: free loopback ports, starting a server in its own session,
  waiting for it to answer, stopping it, the tail of its log;
- `bots`: the action server and the Rasa server as `make run` starts them
  (one launch recipe), alone or several Rasa servers behind one action server;
- `rest`: one message over Rasa's REST channel, a conversation's tracker;
- `load`: many consultations at once, timed turn by turn;
- `scripts`: scripted consultations in free French text;
- `phrasings`: every consultation phrasing the project's data holds (to measure the
  privacy screen on clinical text).

It imports the application, never `tests/` or `bench/`: both import it.
"""
