"""Cost scopes for the frameworks: prices loaded and a :class:`~yescale.costs.CostTracker` active
for a ``with`` (or ``async with``) block, handed out as the framework's own handler object.

``langchain_yescale.get_yescale_callback()`` and ``llama_index_yescale.get_yescale_callback()``
are both a :class:`CostScope`; counting happens in the client (every request, streams once when
they end), so the frameworks' callbacks never count twice.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar

from .._warnings import warn_at_caller
from ..costs import (
    DEFAULT_MAX_AGE,
    CostTracker,
    ModelTotals,
    PriceTable,
    UnknownCostWarning,
    aload_prices,
    current_prices,
    load_prices,
    use_prices,
)
from ..errors import InvalidRequestError, YEScaleError

if TYPE_CHECKING:
    from .._client import YEScaleClient

__all__ = ["CostScope", "CostTotals", "Prices"]

H = TypeVar("H")
#: ``True``: load the catalog (kept ``max_age``); ``False``: the prices already loaded; a table
#: or the path of a saved copy: those.
Prices = bool | PriceTable | str | Path


class CostTotals:
    """The totals of a :class:`~yescale.costs.CostTracker` under the names of
    ``get_openai_callback``'s handler (``total_cost``, ``total_tokens``, ``prompt_tokens``,
    ``completion_tokens``, ``successful_requests``), plus ``by_model``, ``unknown_cost_requests``,
    ``budget_usd`` and ``remaining_usd``: a framework's handler class mixes it in and gives it
    ``tracker``."""

    @property
    def tracker(self) -> CostTracker:
        raise NotImplementedError

    @property
    def total_cost(self) -> float:
        """US dollars spent on calls whose cost is known."""
        return self.tracker.total_cost

    @property
    def total_tokens(self) -> int:
        return self.tracker.total_tokens

    @property
    def prompt_tokens(self) -> int:
        return self.tracker.input_tokens

    @property
    def completion_tokens(self) -> int:
        return self.tracker.output_tokens

    @property
    def successful_requests(self) -> int:
        return self.tracker.requests

    @property
    def unknown_cost_requests(self) -> int:
        """Calls whose cost is unknown (no price): not in ``total_cost``."""
        return self.tracker.unknown_cost_requests

    @property
    def by_model(self) -> dict[str, ModelTotals]:
        return self.tracker.by_model

    @property
    def budget_usd(self) -> float | None:
        return self.tracker.budget_usd

    @property
    def remaining_usd(self) -> float | None:
        return self.tracker.remaining_usd

    def __str__(self) -> str:
        return self.tracker.summary()


class CostScope(Generic[H]):
    """A context manager (sync or async) that loads prices, activates a tracker with
    ``budget_usd`` and gives ``handler(tracker)``.

    When the prices cannot be loaded, a budget is refused (it could not be enforced) and a
    scope without one warns and goes on with unknown costs.
    """

    def __init__(
        self,
        handler: Callable[[CostTracker], H],
        budget_usd: float | None = None,
        *,
        prices: Prices = True,
        max_age: float = DEFAULT_MAX_AGE,
        cache_file: str | Path | None = None,
        client: YEScaleClient | None = None,
    ) -> None:
        self.tracker = CostTracker(budget_usd)
        self.handler = handler(self.tracker)
        self._prices = prices
        self._max_age = max_age
        self._cache_file = cache_file
        self._client = client

    def _given(self) -> bool:
        """Use prices given outright; ``True`` when nothing is left to load."""
        prices = self._prices
        if prices is True:
            return False
        if prices is not False:
            use_prices(prices)
        if self.tracker.budget_usd is not None and not current_prices().models:
            raise InvalidRequestError(
                "A cost budget needs prices: pass prices=True (the catalog, with "
                "YESCALE_ACCESS_KEY), a saved copy, or call yescale.costs.load_prices() first."
            )
        return True

    def _not_loaded(self, error: YEScaleError) -> None:
        if self.tracker.budget_usd is not None:
            raise InvalidRequestError(
                f"A cost budget needs prices, and the model catalog could not be loaded "
                f"({type(error).__name__}: {error.message}). Set YESCALE_ACCESS_KEY, or pass "
                "prices= a saved copy (yescale models --json > prices.json)."
            ) from error
        warn_at_caller(
            f"Costs will read unknown: the model catalog could not be loaded "
            f"({type(error).__name__}: {error.message}).",
            UnknownCostWarning,
        )

    def __enter__(self) -> H:
        if not self._given():
            try:
                load_prices(self._client, max_age=self._max_age, cache_file=self._cache_file)
            except YEScaleError as error:
                self._not_loaded(error)
        self.tracker.__enter__()
        return self.handler

    async def __aenter__(self) -> H:
        if not self._given():
            try:
                await aload_prices(self._client, max_age=self._max_age, cache_file=self._cache_file)
            except YEScaleError as error:
                self._not_loaded(error)
        self.tracker.__enter__()
        return self.handler

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.tracker.__exit__(exc_type, exc, tb)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.tracker.__exit__(exc_type, exc, tb)
