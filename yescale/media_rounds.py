"""The media fan-out's pace, without I/O: when to submit, when to poll, when to stop.

:mod:`yescale.resources._fanout_run` asks; :class:`Rounds` answers from the clock values it is
given, so the whole policy is testable without a socket or a real clock.
"""

from __future__ import annotations

from .errors import YEScaleError

__all__ = ["Rounds"]


class Rounds:
    """The poller's pace, shared by all tasks: one loop, no timer per task.

    * Polls: every running task is polled in the same round. The first round comes
      ``poll_interval`` after the start (at once when a resume starts with tasks running), then
      each ``poll_interval`` x1.5, up to ``max_poll_interval``, and never sooner than the longest
      ``Retry-After`` the last round was answered with. Downloads to retry go with the rounds.
    * Submits: at most ``batch`` per step, steps back to back while any are left, so the first
      tasks are polled while later ones are still being submitted. After a submit the service
      did not take (429, 408, held back), submits wait as long as a round (or its Retry-After).
    * The deadline: no step starts after it; what still runs is reported as running.
    """

    def __init__(
        self,
        poll_interval: float,
        max_poll_interval: float,
        start: float,
        deadline: float,
        batch: int,
        *,
        poll_now: bool = False,
    ) -> None:
        self.delay = poll_interval
        self.max_delay = max(poll_interval, max_poll_interval)
        self.deadline = deadline
        self.batch = batch
        self.retry_after = 0.0
        self.next_poll, self.next_submit = start, start
        if not poll_now:  # the first wait is the first round's interval
            self.polled(start)

    def note(self, error: YEScaleError) -> None:
        """A poll or download of this round was answered with ``Retry-After``."""
        if error.retry_after is not None:
            self.retry_after = max(self.retry_after, error.retry_after)

    def polls_due(self, now: float) -> bool:
        return now >= self.next_poll

    def submits_due(self, now: float) -> bool:
        return now >= self.next_submit

    def polled(self, now: float) -> None:
        """A poll round ended at ``now``: when the next one comes."""
        self.next_poll = now + max(self.delay, self.retry_after)
        self.delay, self.retry_after = min(self.delay * 1.5, self.max_delay), 0.0

    def refused(self, now: float, error: YEScaleError) -> None:
        """A submit was not taken: the next submits wait a round, or the service's pause."""
        self.next_submit = max(self.next_submit, now + max(self.delay, error.retry_after or 0.0))

    def pause(self, now: float, submits: bool, polls: bool) -> float | None:
        """Seconds until the next step (``submits``/``polls``: there are some to do), or
        ``None``: the deadline has passed or would."""
        wake = min(
            self.next_submit if submits else float("inf"),
            self.next_poll if polls else float("inf"),
        )
        if wake > self.deadline or now >= self.deadline:
            return None
        return max(0.0, wake - now)
