"""How fast the bridge calls the homeserver and how long it waits before
trying again."""

from matrix_bridge import pacing


def test_backoff_doubles_up_to_its_maximum_then_starts_again():
    backoff = pacing.Backoff(maximum=8, jitter=0)
    assert [backoff.next_delay() for _ in range(6)] == [1, 2, 4, 8, 8, 8]
    backoff.reset()
    assert backoff.next_delay() == 1
    jittered = pacing.Backoff(maximum=60, jitter=0.2)
    assert 0.8 <= jittered.next_delay() <= 1.2 and 1.6 <= jittered.next_delay() <= 2.4


# ------------------------------------------------------------------ rate limit


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_calls_keep_to_about_one_per_second_after_a_small_burst():
    # Tchap asks bots for about one call per second.
    clock = Clock()
    limiter = pacing.RateLimiter(rate=1.0, burst=3, clock=clock)
    waits = [limiter.reserve() for _ in range(6)]
    assert waits == [0, 0, 0, 1.0, 2.0, 3.0]
    clock.now += 10  # a quiet moment refills the reserve, never beyond it
    assert [limiter.reserve() for _ in range(4)] == [0, 0, 0, 1.0]


def test_no_window_ever_holds_more_calls_than_the_limit_allows():
    clock = Clock()
    limiter = pacing.RateLimiter(rate=1.0, burst=3, clock=clock)
    moments = []
    for gap in [0, 0, 0.1, 0.1, 0.5, 3, 0, 0, 0, 0, 0.2, 7, 0, 0, 0, 0, 0]:
        clock.now += gap
        moments.append(clock.now + limiter.reserve())
    moments.sort()
    for i in range(len(moments)):
        for j in range(i, len(moments)):
            assert j - i + 1 <= 3 + 1.0 * (moments[j] - moments[i]) + 1e-9


def test_optional_calls_go_only_when_the_reserve_allows_them():
    clock = Clock()
    limiter = pacing.RateLimiter(rate=1.0, burst=3, clock=clock)
    assert limiter.available(2)
    limiter.reserve()
    limiter.reserve()
    assert limiter.available(1) and not limiter.available(2)
    limiter.reserve()
    assert not limiter.available()
    clock.now += 1
    assert limiter.available()
