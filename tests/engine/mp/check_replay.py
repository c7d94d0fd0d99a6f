# Replay window edge cases, plus a randomized comparison with a set.
import random

from wireguard.replay import ReplayWindow
from wireguard.constants import REPLAY_WINDOW as W, REJECT_AFTER_MESSAGES


def test_in_order():
    w = ReplayWindow()
    for c in range(5000):
        assert w.check(c)
        assert w.accept(c), c
    assert not w.accept(4999)


def test_reordered_within_window():
    w = ReplayWindow()
    order = [5, 3, 4, 0, 1, 2, 10, 7, 9, 8, 6]
    for c in order:
        assert w.accept(c), c
    for c in order:
        assert not w.accept(c), c


def test_duplicate_rejected():
    w = ReplayWindow()
    assert w.accept(0)
    assert not w.check(0)
    assert not w.accept(0)
    assert w.accept(1)
    assert not w.accept(1)


def test_exactly_at_window_edge():
    w = ReplayWindow()
    assert w.accept(W + 100)
    assert w.check(100)
    assert w.accept(100)            # greatest - W: oldest still accepted
    assert not w.accept(100)
    assert not w.check(99)
    assert not w.accept(99)         # one past the edge
    assert w.accept(101)


def test_too_old_after_jump():
    w = ReplayWindow()
    for c in range(10):
        assert w.accept(c)
    assert w.accept(10 + 3 * W)
    for c in range(10):
        assert not w.accept(c)
    assert not w.accept(10 + W - 1)
    assert w.accept(10 + 2 * W)


def test_jump_clears_stale_bits():
    # Counters that share ring slots with old accepted ones must not be
    # mistaken for replays after the window moved past them.
    w = ReplayWindow()
    for c in range(0, 64):
        assert w.accept(c)
    base = W + 8 * 3          # a jump smaller than the ring
    assert w.accept(base + 64)
    for c in range(base + 1, base + 64):
        assert w.accept(c), c


def test_huge_jump():
    w = ReplayWindow()
    assert w.accept(1)
    assert w.accept(1 << 62)
    assert not w.accept(1)
    assert w.accept((1 << 62) - 1)
    assert w.accept((1 << 62) - W)
    assert not w.accept((1 << 62) - W - 1)


def test_limits_near_2_64():
    w = ReplayWindow()
    last_ok = REJECT_AFTER_MESSAGES - 1
    assert w.accept(last_ok)
    assert not w.check(REJECT_AFTER_MESSAGES)
    assert not w.accept(REJECT_AFTER_MESSAGES)
    assert not w.accept((1 << 64) - 1)
    assert w.accept(last_ok - 1)
    assert not w.accept(last_ok)


def test_zero_first():
    w = ReplayWindow()
    assert w.accept(0)
    assert not w.accept(0)


def test_random_against_set():
    random.seed(7)
    for trial in range(60):
        w = ReplayWindow()
        seen = {}
        g = -1
        for step in range(250):
            r = random.random()
            if r < 0.1:
                c = g + random.randint(1, 3 * W)
            elif r < 0.6:
                c = max(0, g - random.randint(-3, W + 20))
            else:
                c = max(0, g + random.randint(-40, 3))
            expect = c not in seen and (c > g or g - c <= W)
            assert w.check(c) == expect, (trial, step, c, g)
            got = w.accept(c)
            assert got == expect, (trial, step, c, g, got)
            if got:
                seen[c] = 1
                if c > g:
                    g = c
