"""``get_yescale_callback()``: what the YEScale calls of a block cost, like ``get_openai_callback``,
priced from YEScale's own catalog for every model it serves, with an optional budget."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.callbacks import BaseCallbackHandler

from yescale.costs import DEFAULT_MAX_AGE, CostTracker
from yescale.integration.costs import CostScope, CostTotals, Prices

if TYPE_CHECKING:
    from yescale import YEScaleClient


class YEScaleCallbackHandler(CostTotals, BaseCallbackHandler):
    """The totals of a :func:`get_yescale_callback` block: tokens, requests and US dollars,
    overall and by model (``by_model``), read at any time, from any thread.

    The names of ``langchain_community``'s ``OpenAICallbackHandler`` are kept
    (``total_tokens``, ``prompt_tokens``, ``completion_tokens``, ``successful_requests``,
    ``total_cost``), so code written for ``get_openai_callback`` reads it unchanged. Counting
    happens in the YEScale client, once per request: chat models, streams (when they end),
    embeddings, image and media tools, in the block's thread or task and what they start with its
    context (LangChain's executors and ``asyncio`` tasks copy it). Calls of unknown price are
    counted in ``unknown_cost_requests``, never as $0.
    """

    def __init__(self, tracker: CostTracker) -> None:
        super().__init__()
        self._tracker = tracker

    @property
    def tracker(self) -> CostTracker:
        return self._tracker

    def __repr__(self) -> str:
        return self._tracker.summary()


def get_yescale_callback(
    budget_usd: float | None = None,
    *,
    prices: Prices = True,
    max_age: float = DEFAULT_MAX_AGE,
    cache_file: str | Path | None = None,
    client: YEScaleClient | None = None,
) -> CostScope[YEScaleCallbackHandler]:
    """Count what the YEScale calls in a ``with`` (or ``async with``) block cost.

    .. code-block:: python

        from langchain_yescale import get_yescale_callback

        with get_yescale_callback(budget_usd=0.50) as cb:
            agent.invoke({"messages": [("user", "Plan my week")]})
        print(cb.total_cost, cb.total_tokens, cb.by_model)

    Args:
        budget_usd: past it, the next model call raises
            :class:`yescale.BudgetExceededError` before it is sent (a call whose known minimum,
            a per-request price, would cross it too): a runaway agent stops there.
        prices: ``True`` loads the System API's model catalog on entering (access key
            ``YESCALE_ACCESS_KEY``; kept ``max_age`` seconds, and in ``cache_file`` when given);
            ``False`` uses the prices already loaded; a :class:`yescale.PriceTable` or the path of
            a saved copy uses those. Without prices, a budget is refused and costs read unknown.
        client: the client the catalog is read with (default: one from the environment,
            ``YESCALE_ACCESS_KEY`` and ``YESCALE_SYSTEM_BASE_URL``).
    """
    return CostScope(
        YEScaleCallbackHandler,
        budget_usd,
        prices=prices,
        max_age=max_age,
        cache_file=cache_file,
        client=client,
    )
