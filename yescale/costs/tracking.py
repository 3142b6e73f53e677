"""Totals and budgets: a :class:`CostTracker` counts every model call made while it is active,
and refuses, before sending, a call its budget cannot pay for.

Trackers are active in a context (:mod:`contextvars`): ``with track_costs() as costs:`` counts
the calls of this thread or task and of what it starts with its context (asyncio tasks, LangChain
runnables and executors), and nothing of others running beside it. Trackers nest: a call counts in
every active one, and any spent budget stops it. Counting is locked, so calls in threads sharing a
tracker add up exactly; a stream is counted once, when it ends.
"""

from __future__ import annotations

import contextvars
import math
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from .._warnings import warn_at_caller
from ..errors import BudgetExceededError, InvalidRequestError
from .catalog import current_prices
from .prices import Cost
from .units import format_usd

__all__ = [
    "CostTracker",
    "ModelTotals",
    "UnknownCostWarning",
    "active_trackers",
    "check_budget",
    "record_cost",
    "track_costs",
]

_active: contextvars.ContextVar[tuple[CostTracker, ...]] = contextvars.ContextVar(
    "yescale_cost_trackers", default=()
)


class UnknownCostWarning(UserWarning):
    """A call under a budget has no known price, so the budget cannot count it."""


@dataclass
class ModelTotals:
    """What the calls to one model used and cost."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    usd: float = 0.0
    #: calls whose cost is unknown (not in ``usd``)
    unknown: int = 0


class CostTracker:
    """Tokens, requests and US dollars by model, for the calls made while it is active; with
    ``budget_usd``, a call is refused (:class:`~yescale.errors.BudgetExceededError`, before it is
    sent) once the spent total reaches the budget, or when the call's known minimum (a
    per-request price) would cross it.

    Use it as a context manager (sync or async); :func:`track_costs` makes one.
    """

    def __init__(self, budget_usd: float | None = None) -> None:
        if budget_usd is not None and (
            isinstance(budget_usd, bool)
            or not isinstance(budget_usd, (int, float))
            or not math.isfinite(budget_usd)
            or budget_usd < 0
        ):
            raise InvalidRequestError(
                f"`budget_usd` must be a number of US dollars (0 or more), got {budget_usd!r:.40}."
            )
        self.budget_usd = None if budget_usd is None else float(budget_usd)
        self._lock = threading.Lock()
        self._models: dict[str, ModelTotals] = {}
        self._warned: set[str] = set()
        self._tokens: list[contextvars.Token[tuple[CostTracker, ...]]] = []

    # -- totals ---------------------------------------------------------------------------------

    @property
    def by_model(self) -> dict[str, ModelTotals]:
        """A copy of the totals, by model name."""
        with self._lock:
            return {name: ModelTotals(**vars(t)) for name, t in self._models.items()}

    def _sum(self, field: str) -> Any:
        with self._lock:
            return sum(getattr(t, field) for t in self._models.values())

    @property
    def total_cost(self) -> float:
        """US dollars spent on calls whose cost is known."""
        return float(self._sum("usd"))

    @property
    def requests(self) -> int:
        return int(self._sum("requests"))

    @property
    def input_tokens(self) -> int:
        return int(self._sum("input_tokens"))

    @property
    def output_tokens(self) -> int:
        return int(self._sum("output_tokens"))

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @property
    def unknown_cost_requests(self) -> int:
        """Calls counted whose cost is unknown (no price): ``total_cost`` leaves them out."""
        return int(self._sum("unknown"))

    @property
    def remaining_usd(self) -> float | None:
        return None if self.budget_usd is None else max(0.0, self.budget_usd - self.total_cost)

    def record(self, cost: Cost) -> None:
        """Count one call."""
        with self._lock:
            totals = self._models.setdefault(cost.model, ModelTotals())
            totals.requests += 1
            totals.input_tokens += cost.input_tokens
            totals.output_tokens += cost.output_tokens
            if cost.usd is None:
                totals.unknown += 1
            else:
                totals.usd += cost.usd

    def check(self, model: str, minimum: float = 0.0) -> None:
        """Raise :class:`BudgetExceededError` if a call to ``model`` (costing at least
        ``minimum``) would go past the budget."""
        if self.budget_usd is None:
            return
        spent = self.total_cost
        if spent >= self.budget_usd or spent + minimum > self.budget_usd:
            what = f"; this call costs at least {format_usd(minimum)}" if minimum else ""
            raise BudgetExceededError(
                f"The cost budget of {format_usd(self.budget_usd)} is spent "
                f"({format_usd(spent)} so far{what}): "
                f"the call to {model!r} was not sent. Raise budget_usd, or stop here.",
                budget_usd=self.budget_usd,
                spent_usd=spent,
                model=model,
            )

    def warn_unknown(self, cost: Cost) -> None:
        """Under a budget, say once per model that its calls cannot be counted."""
        if self.budget_usd is None or cost.known or cost.model in self._warned:
            return
        self._warned.add(cost.model)
        warn_at_caller(
            f"The cost of calls to {cost.model!r} is unknown ({cost.reason}): the budget of "
            f"{format_usd(self.budget_usd)} does not count them.",
            UnknownCostWarning,
        )

    # -- activation -----------------------------------------------------------------------------

    def __enter__(self) -> CostTracker:
        self._tokens.append(_active.set((*_active.get(), self)))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _active.reset(self._tokens.pop())

    async def __aenter__(self) -> CostTracker:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    def summary(self) -> str:
        lines = [
            f"Requests: {self.requests}",
            f"Tokens: {self.total_tokens} ({self.input_tokens} in, {self.output_tokens} out)",
            f"Cost (USD): {format_usd(self.total_cost)}",
        ]
        if self.unknown_cost_requests:
            lines.append(f"Requests of unknown cost: {self.unknown_cost_requests}")
        if self.budget_usd is not None:
            left = format_usd(self.remaining_usd or 0.0)
            lines.append(f"Budget (USD): {format_usd(self.budget_usd)}, {left} left")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        budget = "" if self.budget_usd is None else f", budget_usd={self.budget_usd}"
        return (
            f"CostTracker(requests={self.requests}, total_cost={self.total_cost:.6f}, "
            f"total_tokens={self.total_tokens}{budget})"
        )


def track_costs(budget_usd: float | None = None) -> CostTracker:
    """A :class:`CostTracker` to use as a context manager::

        with track_costs(budget_usd=0.50) as costs:
            agent.invoke(...)
        print(costs.total_cost, costs.by_model)

    Load prices first (:func:`~yescale.costs.load_prices`), or costs are unknown.
    """
    return CostTracker(budget_usd)


def active_trackers() -> tuple[CostTracker, ...]:
    return _active.get()


def check_budget(model: str) -> None:
    """Before a call to ``model`` is sent: every active budget must allow it."""
    trackers = _active.get()
    if not trackers:
        return
    minimum = current_prices().minimum(model)
    for tracker in trackers:
        tracker.check(model, minimum)


def record_cost(cost: Cost) -> None:
    """After a call: count it in every active tracker."""
    for tracker in _active.get():
        tracker.record(cost)
        tracker.warn_unknown(cost)
