"""The bookkeeping of our connection pool, free of I/O: which connections are idle, how many
exist, who waits for one. :mod:`.connections` performs what it decides.

Why our own pool: httpcore 1.0's pool re-examines every connection it holds on every request
start and end (``_assign_requests_to_connections``: a readability syscall per idle connection,
and a count of all connections per idle connection), so a client's CPU per call grows with the
number of calls in flight: 256 concurrent calls cost 8x the CPU per call of 16 (issue 20). Here
every decision is O(1) in the number of connections (O(origins) only to evict another origin's
connection when the pool is full):

* **Reuse the newest idle connection** of the request's origin (a stack per origin): the one
  least likely to have been closed by the server, while the oldest ones age at the bottom.
* **Open a new one** while fewer than ``max_connections`` exist (counting those being opened and
  those in use); when the pool is full, close the oldest idle connection of another origin, if
  any, to make room.
* **Else wait**, first come first served. A connection given back goes straight to the first
  waiter (the same connection for the same origin, else its slot, to open a new one), so a new
  request never jumps the queue and no waiter is woken for nothing.
* **Keep at most** ``max_idle`` idle connections (the oldest one goes when one more comes back),
  and drop those idle for longer than ``idle_expiry`` from the bottom of their stack when a
  connection of their origin comes back: stale sockets do not pile up under a steady load.

Only the connection handed to a request is checked for its socket state (by the caller), once:
the idle connections it does not take are never looked at.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

C = TypeVar("C")


@dataclass(eq=False)
class Waiter(Generic[C]):
    """A request waiting for a connection to ``key``'s origin.

    Once ``granted``, ``connection`` is an idle connection handed over, or ``None``: a slot
    reserved to open a new one. A waiter that stops waiting before it is granted sets ``gone``;
    one that stops after must give back what it was granted (:meth:`Ledger.abandon`)."""

    key: Hashable
    granted: bool = False
    connection: C | None = None
    gone: bool = False
    #: what the pool wakes the request with (an ``asyncio.Future``); never read here
    signal: Any = None


@dataclass
class Checkout(Generic[C]):
    """What a request gets: an idle connection to try, or ``new`` (a slot reserved to open
    one), or neither (wait); and connections to close, which the pool no longer counts."""

    connection: C | None = None
    new: bool = False
    close: list[C] = field(default_factory=list)


class Ledger(Generic[C]):
    """Counts and idle stacks of one pool; every method is O(1) in the connections held."""

    def __init__(self, max_connections: int, max_idle: int, idle_expiry: float | None) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self.max_connections = max_connections
        self.max_idle = max(0, min(max_idle, max_connections))
        self.idle_expiry = idle_expiry
        #: connections counted against ``max_connections``: idle, in use, or being opened
        self.total = 0
        self.idle_count = 0
        self._idle: dict[Hashable, deque[tuple[C, float]]] = {}
        self._waiting: deque[Waiter[C]] = deque()
        #: idle connections taken off a stack, for tests and diagnostics: each one is looked at
        #: once, so this grows with the requests served, never with the connections held
        self.examined = 0

    # -- requests ---------------------------------------------------------------------------

    def checkout(self, key: Hashable, now: float) -> Checkout[C]:
        """A connection for a request to ``key``: the newest idle one, or a new one, or none."""
        out: Checkout[C] = Checkout()
        stack = self._idle.get(key)
        while stack:
            connection, since = stack.pop()
            self.idle_count -= 1
            self.examined += 1
            if self._expired(since, now):
                self.total -= 1
                out.close.append(connection)
                continue
            out.connection = connection
            return out
        if self.total >= self.max_connections and self.idle_count:
            out.close.append(self._evict_oldest())
        if self.total < self.max_connections:
            self.total += 1
            out.new = True
        return out

    def wait(self, key: Hashable) -> Waiter[C]:
        """Queue a request that got nothing from :meth:`checkout`."""
        waiter: Waiter[C] = Waiter(key)
        self._waiting.append(waiter)
        return waiter

    def abandon(self, waiter: Waiter[C], now: float) -> tuple[list[C], Waiter[C] | None]:
        """``waiter`` stops waiting (cancelled, timed out): what it was granted goes back.
        Returns what :meth:`checkin` returns."""
        waiter.gone = True
        if not waiter.granted:
            return [], None
        waiter.granted = False
        connection, waiter.connection = waiter.connection, None
        if connection is None:
            return [], self.checkin_lost()
        return self.checkin(connection, waiter.key, now)

    # -- connections coming back ------------------------------------------------------------

    def checkin(self, connection: C, key: Hashable, now: float) -> tuple[list[C], Waiter[C] | None]:
        """A request is done with ``connection``, which can serve another request.

        Returns the connections to close and the waiter granted (the caller wakes it)."""
        waiter = self._next_waiter()
        if waiter is not None:
            waiter.granted = True
            if waiter.key == key:
                waiter.connection = connection
                return [], waiter
            return [connection], waiter  # its slot goes to a new connection for the waiter
        closing: list[C] = []
        if self.max_idle == 0:
            self.total -= 1
            return [connection], None
        if self.idle_count >= self.max_idle:
            closing.append(self._evict_oldest())
        self._idle.setdefault(key, deque()).append((connection, now))
        self.idle_count += 1
        closing += self._prune(key, now)
        return closing, None

    def checkin_lost(self) -> Waiter[C] | None:
        """A connection that cannot serve again (closed, failed, cut short), or a slot reserved
        for a connection never opened: its place goes to the first waiter, else is freed."""
        waiter = self._next_waiter()
        if waiter is not None:
            waiter.granted = True
            waiter.connection = None
            return waiter
        self.total -= 1
        return None

    def drain(self) -> list[C]:
        """Forget every idle connection (the pool is closing): the caller closes them."""
        idle = [connection for stack in self._idle.values() for connection, _ in stack]
        self._idle.clear()
        self.total -= len(idle)
        self.idle_count = 0
        return idle

    def idle_of(self, key: Hashable) -> int:
        stack = self._idle.get(key)
        return len(stack) if stack else 0

    # -- internals --------------------------------------------------------------------------

    def _expired(self, since: float, now: float) -> bool:
        return self.idle_expiry is not None and now - since > self.idle_expiry

    def _next_waiter(self) -> Waiter[C] | None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.gone:
                return waiter
        return None

    def _prune(self, key: Hashable, now: float) -> list[C]:
        """Drop the expired connections at the bottom of ``key``'s stack (the oldest)."""
        stack = self._idle[key]
        closing = []
        while len(stack) > 1 and self._expired(stack[0][1], now):
            closing.append(stack.popleft()[0])
            self.idle_count -= 1
            self.total -= 1
        return closing

    def _evict_oldest(self) -> C:
        """Take the longest-idle connection of any origin out of the pool (O(origins))."""
        key = min((k for k, s in self._idle.items() if s), key=lambda k: self._idle[k][0][1])
        connection, _ = self._idle[key].popleft()
        self.idle_count -= 1
        self.total -= 1
        return connection
