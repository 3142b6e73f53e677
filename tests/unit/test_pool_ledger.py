"""The pool's bookkeeping (``yescale/_http/ledger.py``): pure decisions, no sockets.

Connections are plain strings here; ``now`` is passed in, so expiry needs no clock."""

from __future__ import annotations

import pytest

from yescale._http.ledger import Ledger

A, B = ("http", "a", 80), ("http", "b", 80)


def _filled(ledger: Ledger[str], key: object, n: int, now: float = 0.0) -> list[str]:
    """``n`` connections opened for ``key`` and given back, oldest first."""
    names = [f"{key}-{i}" for i in range(n)]
    for _ in names:
        assert ledger.checkout(key, now).new
    for name in names:
        assert ledger.checkin(name, key, now) == ([], None)
    return names


def test_reuse_takes_the_newest_idle_connection_and_looks_at_no_other() -> None:
    ledger: Ledger[str] = Ledger(max_connections=1000, max_idle=1000, idle_expiry=5.0)
    names = _filled(ledger, A, 500)
    out = ledger.checkout(A, 1.0)
    assert out.connection == names[-1]
    assert not out.new
    assert out.close == []
    assert ledger.examined == 1  # one of 500 idle connections looked at
    assert (ledger.total, ledger.idle_count) == (500, 499)


def test_expired_idle_connections_are_closed_and_not_reused() -> None:
    ledger: Ledger[str] = Ledger(max_connections=10, max_idle=10, idle_expiry=5.0)
    _filled(ledger, A, 2, now=0.0)
    out = ledger.checkout(A, 6.0)
    assert out.connection is None
    assert out.new
    assert sorted(out.close) == [f"{A}-0", f"{A}-1"]
    assert (ledger.total, ledger.idle_count) == (1, 0)


def test_old_connections_at_the_bottom_of_the_stack_are_pruned_on_checkin() -> None:
    """A steady trickle reuses the newest connection: the ones below it expire, and go when a
    connection of their origin comes back, without a request ever looking at them."""
    ledger: Ledger[str] = Ledger(max_connections=10, max_idle=10, idle_expiry=5.0)
    old = _filled(ledger, A, 3, now=0.0)
    for now in (4.0, 8.0, 12.0):
        out = ledger.checkout(A, now)
        assert out.connection == old[2]
        assert out.close == []
        closing, _ = ledger.checkin(old[2], A, now)
        assert closing == ([] if now < 5.0 else old[:2] if now == 8.0 else [])
    assert (ledger.total, ledger.idle_count) == (1, 1)


def test_at_most_max_idle_connections_are_kept() -> None:
    ledger: Ledger[str] = Ledger(max_connections=10, max_idle=2, idle_expiry=None)
    for _name in ("c0", "c1", "c2"):
        assert ledger.checkout(A, 0.0).new
    assert ledger.checkin("c0", A, 0.0) == ([], None)
    assert ledger.checkin("c1", A, 1.0) == ([], None)
    assert ledger.checkin("c2", A, 2.0) == (["c0"], None)  # the oldest goes
    assert (ledger.total, ledger.idle_count) == (2, 2)


def test_a_full_pool_queues_and_hands_a_returned_connection_to_the_first_waiter() -> None:
    ledger: Ledger[str] = Ledger(max_connections=2, max_idle=2, idle_expiry=None)
    assert ledger.checkout(A, 0.0).new
    assert ledger.checkout(A, 0.0).new
    out = ledger.checkout(A, 0.0)
    assert out.connection is None
    assert not out.new
    first, second = ledger.wait(A), ledger.wait(A)
    assert ledger.checkin("c0", A, 1.0) == ([], first)
    assert first.granted
    assert first.connection == "c0"
    assert ledger.checkin_lost() is second  # a lost connection's slot: a new one for it
    assert second.granted
    assert second.connection is None
    assert (ledger.total, ledger.idle_count) == (2, 0)


def test_a_waiter_for_another_origin_gets_the_slot_and_the_connection_is_closed() -> None:
    ledger: Ledger[str] = Ledger(max_connections=1, max_idle=1, idle_expiry=None)
    assert ledger.checkout(A, 0.0).new
    waiter = ledger.wait(B)
    assert ledger.checkin("a0", A, 1.0) == (["a0"], waiter)
    assert waiter.granted
    assert waiter.connection is None
    assert ledger.total == 1


def test_a_full_pool_evicts_another_origins_idle_connection_to_open_one() -> None:
    ledger: Ledger[str] = Ledger(max_connections=2, max_idle=2, idle_expiry=None)
    _filled(ledger, A, 2)
    out = ledger.checkout(B, 1.0)
    assert out.new
    assert out.close == [f"{A}-0"]
    assert (ledger.total, ledger.idle_count) == (2, 1)


def test_a_waiter_gone_before_its_grant_is_skipped() -> None:
    ledger: Ledger[str] = Ledger(max_connections=1, max_idle=1, idle_expiry=None)
    assert ledger.checkout(A, 0.0).new
    gone, staying = ledger.wait(A), ledger.wait(A)
    assert ledger.abandon(gone, 0.5) == ([], None)
    assert ledger.checkin("a0", A, 1.0) == ([], staying)


@pytest.mark.parametrize("granted", ["a0", None])
def test_a_waiter_gone_after_its_grant_gives_it_back(granted: str | None) -> None:
    """Cancelled in the step that granted it: the connection goes idle (or to the next
    waiter), a slot is freed; nothing stays counted for a request that is gone."""
    ledger: Ledger[str] = Ledger(max_connections=1, max_idle=1, idle_expiry=None)
    assert ledger.checkout(A, 0.0).new
    waiter = ledger.wait(A)
    if granted is None:
        assert ledger.checkin_lost() is waiter
    else:
        assert ledger.checkin(granted, A, 1.0) == ([], waiter)
    assert ledger.abandon(waiter, 2.0) == ([], None)
    if granted is None:
        assert (ledger.total, ledger.idle_count) == (0, 0)
    else:
        assert (ledger.total, ledger.idle_count, ledger.idle_of(A)) == (1, 1, 1)
    nxt = ledger.wait(A)
    assert ledger.abandon(nxt, 3.0) == ([], None)


def test_drain_forgets_every_idle_connection() -> None:
    ledger: Ledger[str] = Ledger(max_connections=10, max_idle=10, idle_expiry=None)
    _filled(ledger, A, 2)
    _filled(ledger, B, 1)
    assert ledger.checkout(A, 0.0).connection == f"{A}-1"  # one in use
    assert sorted(ledger.drain()) == sorted([f"{A}-0", f"{B}-0"])
    assert (ledger.total, ledger.idle_count) == (1, 0)


def test_no_idle_connections_kept_when_max_idle_is_zero() -> None:
    ledger: Ledger[str] = Ledger(max_connections=2, max_idle=0, idle_expiry=None)
    assert ledger.checkout(A, 0.0).new
    assert ledger.checkin("a0", A, 0.0) == (["a0"], None)
    assert ledger.total == 0


def test_max_connections_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_connections"):
        Ledger(max_connections=0, max_idle=0, idle_expiry=None)
