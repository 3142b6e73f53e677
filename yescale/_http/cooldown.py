"""Shared cooldowns: after a 429, the calls not yet sent wait, instead of each collecting its own.

When the service answers 429 to one request of a key, it answers 429 to that key's other
requests too, until the moment it named (``Retry-After``). Left alone, N concurrent calls each
send, each collect a 429, each wait the same ``Retry-After`` and come back together: N requests
per period for as long as the limit lasts (a stampede), each costing its call a retry. A
:class:`Cooldown` is the one shared memory of that moment, per *scope*: base URL, key (as a
digest, never the key) and model (a gateway's limits are mostly its upstreams', per model).

- :meth:`Cooldowns.arm`: a 429 says "nothing before this moment" (its ``Retry-After``, or the
  backoff its call waits when it gave none); a later moment replaces an earlier one.
- :meth:`Cooldowns.wait`: before every attempt a call asks how long to hold. Nothing armed, or
  only a moment the call was already held for: no wait. Otherwise the first call to ask is the
  *probe*, released at the moment itself; every other one at a random point of
  ``[moment + spread, moment + 2 * spread]`` (``spread``: a quarter of the hold, at most
  :data:`MAX_SPREAD`). A probe refused again re-arms the cooldown before the others go, and they
  are held for the new moment. A request sent at or after the moment and not refused
  (:meth:`Cooldowns.cleared`) lets each of the others go at its turn; a call whose turn comes
  before such news looks again (:data:`POLLS` times, about a spread apart), then goes anyway: a
  busy event loop may read the probe's 429 late, and a probe that is a real answer may be slow.
  A call probes once at most, so no call spends its retries probing for the others; a call
  refused itself waits out its own ``Retry-After`` (plus jitter), then joins the others here.

Pure: times come in (``now``), waits go out, the caller sleeps. Thread-safe (one lock, held for
a few comparisons). No per-call state is kept here, so a cancelled call leaves nothing behind;
an entry is dropped once its release is over (or stale), and at most ``limit`` are kept.
:class:`CallHold` is one call's side: what it has waited out, how long it was held, and the
errors that end a hold (a caller that schedules its own waits, a hold past ``max_retry_after``).
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import RateLimitError, YEScaleError

if TYPE_CHECKING:
    from .._retry import RetryPolicy
    from .._settings import ClientSettings
    from .call import Call

#: The longest the release of the held calls is spread over (seconds).
MAX_SPREAD = 2.0
#: The share of a hold by which the others follow the probe, and over which they are spread.
SPREAD = 0.25
NEVER = float("-inf")
#: How many times a call whose turn has come re-checks, a fraction of the spread apart, whether
#: a request got through after the moment, before it goes anyway (the probe may be a slow answer).
POLLS = 3
#: Seconds after its moment when an entry nobody cleared is dropped.
STALE = 30.0


class Hold(NamedTuple):
    """A call's hold: ``seconds`` to wait (0: go), the moment it has waited out when it goes,
    whether it probes, and the moment it is held for (``NEVER``: none)."""

    seconds: float
    honoured: float
    probe: bool = False
    moment: float = NEVER


class Cooldown:
    """One scope's moment: no request before ``until``; the probe of that moment handed out
    (``probe_for == until``) or not; the others spread over ``spread`` seconds after a head
    start of ``spread``; a request after the moment got through (``cleared_for == until``)."""

    __slots__ = ("cleared_for", "probe_for", "said", "spread", "until")

    def __init__(self) -> None:
        #: what the service said with the 429 that set the moment (quoted in refusals)
        self.said = ""
        self.until = NEVER
        self.spread = 0.0
        self.probe_for = NEVER
        self.cleared_for = NEVER  # a request sent at or after ``until`` was not refused

    def over(self, now: float) -> bool:
        """Whether the entry has nothing left to say: its release is over and a request got
        through after the moment, or it is stale (nobody reported since, long after it)."""
        released = now >= self.until + 2 * self.spread
        return released and (self.cleared_for == self.until or now >= self.until + STALE)


class Cooldowns:
    """The cooldowns of a process (or of one client with its own clock), by scope."""

    def __init__(self, limit: int = 256) -> None:
        #: the most scopes remembered at once; 0 remembers none (nothing is ever held)
        self.limit = limit
        self._entries: dict[Hashable, Cooldown] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget every cooldown (a test's isolation)."""
        with self._lock:
            self._entries.clear()

    def arm(self, scope: Hashable, now: float, hold: float, said: str = "") -> float:
        """A 429 in ``scope`` at ``now`` asked for ``hold`` seconds of quiet (saying ``said``,
        an error message already scrubbed of secrets); returns the moment it asked for
        (``now + hold``)."""
        moment = now + hold
        if hold <= 0 or self.limit <= 0:  # "Retry-After: 0": retry now; or nothing remembered
            return moment
        with self._lock:
            entry = self._entries.get(scope)
            if entry is None:
                self._make_room(now)
                entry = self._entries[scope] = Cooldown()
            if moment > entry.until:
                entry.until = moment
                entry.spread = min(hold * SPREAD, MAX_SPREAD)
                entry.said = said
        return moment

    def said(self, scope: Hashable) -> str:
        """What the 429 behind ``scope``'s cooldown said ("" if nothing is remembered)."""
        with self._lock:
            entry = self._entries.get(scope)
            return entry.said if entry is not None else ""

    def cleared(self, scope: Hashable, sent_at: float) -> None:
        """A request of ``scope`` sent at ``sent_at`` was not refused with a 429: if it was sent
        at or after the moment, the service takes requests again."""
        with self._lock:
            entry = self._entries.get(scope)
            if entry is not None and sent_at >= entry.until:
                entry.cleared_for = entry.until

    def wait(
        self,
        scope: Hashable,
        now: float,
        honoured: float,
        *,
        may_probe: bool = True,
        may_poll: bool = True,
    ) -> Hold:
        """How long a call in ``scope`` about to be sent at ``now`` holds, when it has already
        waited out every moment up to ``honoured``. ``may_probe``: false for a call that must
        not take the probe's turn (it probed before, or will not be sent if held);
        ``may_poll``: false once the call has re-checked :data:`POLLS` times for this moment."""
        with self._lock:
            entry = self._entries.get(scope)
            if entry is None or entry.until <= honoured:
                return Hold(0.0, honoured)
            until, spread = entry.until, entry.spread
            if entry.over(now):
                del self._entries[scope]
                return Hold(0.0, until)
            if may_probe and entry.probe_for != until:  # the first to ask probes, at the moment
                entry.probe_for = until
                return Hold(max(0.0, until - now), until, probe=True, moment=until)
            start = until + spread
            if now < start:  # a turn at a random point of the window
                return Hold(start + spread * random.random() - now, honoured, moment=until)
            if entry.cleared_for == until or not may_poll:
                return Hold(0.0, until)
            # The turn has come but nothing got through since the moment: the probe's answer
            # may be on its way (a 429 comes fast, but a busy event loop reads it late). Look
            # again a little later rather than send into what may be the same storm.
            return Hold(spread * (0.5 + random.random()), honoured, moment=until)

    def _make_room(self, now: float) -> None:
        """Drop entries whose release is over; at the limit, the one whose moment is nearest."""
        if len(self._entries) < self.limit:
            return
        for scope in [s for s, e in self._entries.items() if e.over(now)]:
            del self._entries[scope]
        while len(self._entries) >= self.limit:
            nearest = min(self._entries, key=lambda s: self._entries[s].until)
            del self._entries[nearest]


#: The process's cooldowns, shared by every client on the process's own clock and sleeps.
SHARED = Cooldowns()


def scope_of(settings: ClientSettings, call: Call[Any]) -> Hashable | None:
    """Whose cooldown ``call`` waits on: its base URL, a digest of its key, its model; ``None``
    for links outside the API (and for a call without a key, refused before it is sent)."""
    if call.external:
        return None
    if call.path.startswith("/yescale/"):
        base, secret = settings.system_base_url, settings.access_key
    else:
        base, secret = settings.base_url, settings.api_key
    if secret is None:
        return None
    digest = hashlib.blake2b(secret.get_secret_value().encode(), digest_size=16).digest()
    return (base, digest, _model(call))


def _model(call: Call[Any]) -> str:
    for fields in (call.json, call.data):
        if isinstance(fields, Mapping) and isinstance(fields.get("model"), str):
            return str(fields["model"])
    _, found, rest = call.path.partition("/models/")  # Gemini: /v1beta/models/<model>:<method>
    return rest.split(":", 1)[0] if found else ""


class CallHold:
    """One call's side of its scope's cooldown (see the module's docstring)."""

    __slots__ = (
        "cooldowns",
        "held",
        "honoured",
        "policy",
        "polls",
        "probed",
        "scope",
        "time_left",
        "where",
    )

    def __init__(
        self,
        cooldowns: Cooldowns,
        scope: Hashable | None,
        policy: RetryPolicy,
        *,
        where: str,
        time_left: float | None = None,
    ) -> None:
        self.cooldowns = cooldowns
        self.scope = scope
        self.policy = policy
        self.where = where
        self.time_left = time_left
        self.honoured = NEVER  # every moment up to this one has been waited out
        self.held = 0.0  # seconds held so far (not counting the call's own retry waits)
        self.probed = False  # a call probes once at most: no call spends its retries for all
        self.polls = (NEVER, 0)  # (moment, times re-checked for it)

    @property
    def own_waits(self) -> bool:
        """Whether the caller schedules its own waits: a call sent once (a media poll, whose
        caller waits up to its own deadline), or a client with ``max_retries=0``."""
        return self.time_left is not None or self.policy.max_retries == 0

    def wait(self, now: float) -> float:
        """Seconds to hold before the next attempt (0: send it). Raises :class:`RateLimitError`,
        the request unsent, instead of holding a call whose caller schedules its own waits
        (:attr:`own_waits`), or holding a call past ``max_retry_after`` in all."""
        if self.scope is None:
            return 0.0
        moment, polls = self.polls
        hold = self.cooldowns.wait(
            self.scope,
            now,
            self.honoured,
            may_probe=not (self.own_waits or self.probed),
            may_poll=polls < POLLS and not self.own_waits,
        )
        seconds, self.honoured = hold.seconds, hold.honoured
        self.probed = self.probed or hold.probe
        if seconds <= 0:
            return 0.0
        if hold.moment == moment and now >= moment:
            self.polls = (moment, polls + 1)
        elif hold.moment != moment:
            self.polls = (hold.moment, 0)
        if self.own_waits:  # refused until the moment itself (the spread is for the others)
            left = hold.moment - now
            if left <= 0:
                return 0.0
            raise self._refusal(left)
        if self.held + seconds > self.policy.max_retry_after:
            raise self._refusal(seconds)
        self.held += seconds
        return seconds

    def observed(self, error: YEScaleError, now: float, delay: float | None) -> None:
        """``error`` ended an attempt; ``delay`` is the call's own wait before the next one
        (``None``: no next one). A 429 arms the cooldown with its ``Retry-After`` (or the
        call's backoff), unless that is longer than ``max_retry_after``: then every call finds
        it out itself, and is refused at once as this one was. The call waits out its own
        ``Retry-After`` (``delay``), then joins the others at the cooldown: it does not go on
        its own at its moment, ahead of the probe (a second request into the same storm)."""
        if self.scope is None:
            return
        if not isinstance(error, RateLimitError) or not self.policy.is_retryable(error):
            return  # (an exhausted quota: no wait will help)
        hold = error.retry_after
        if hold is None:
            hold = delay if delay is not None else self.policy.initial_delay
        if hold > self.policy.max_retry_after:
            return
        self.cooldowns.arm(self.scope, now, hold, error.message.split(" (request id ", 1)[0])

    def sent(self, sent_at: float, error: YEScaleError | None) -> None:
        """The attempt sent at ``sent_at`` ended with ``error`` (``None``: answered). An answer,
        or an error the service sent that is not a 429, shows it takes requests again."""
        if self.scope is None or isinstance(error, RateLimitError):
            return
        if error is None or error.status_code is not None:
            self.cooldowns.cleared(self.scope, sent_at)

    def _refusal(self, seconds: float) -> RateLimitError:
        if self.own_waits:
            detail = "not held: its caller schedules its own waits (max_retries=0, or a poll)"
        else:
            detail = (
                f"already held {self.held:.1f}s; max_retry_after={self.policy.max_retry_after:g}s"
                " bounds the wait for other calls' 429s"
            )
        said = self.cooldowns.said(self.scope) if self.scope is not None else ""
        quoted = f" It last said: {said.rstrip('.')}." if said else ""
        error = RateLimitError(
            f"YEScale {self.where} was not sent: the service is answering 429 (rate limited) to "
            f"this key, and asked for {seconds:.1f}s more of quiet ({detail}).{quoted} Retry "
            "later, or lower the number of concurrent calls.",
            status_code=429,
        )
        error.retry_after = seconds
        error.request_unsent = True
        return error
