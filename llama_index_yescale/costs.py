"""What YEScale calls cost, for LlamaIndex: an instrumentation event per priced call, a handler
that totals them, and ``get_yescale_callback()`` for a block with an optional budget.

Two ways to count, never both at once:

* **instrumentation**: every YEScale LLM answer, embedding batch and image or media tool call
  dispatches a :class:`YEScaleCostEvent`; a :class:`YEScaleCostHandler` added to a dispatcher
  (``get_dispatcher().add_event_handler(handler)``) totals them, wherever they run;
* **a block**: ``with get_yescale_callback(budget_usd=...) as handler:`` loads prices, counts
  every request of the block in the client (streams once) and refuses, before sending, a call
  past the budget (instrumentation handlers cannot stop a call: LlamaIndex ignores their errors).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from pydantic import PrivateAttr

from yescale.costs import DEFAULT_MAX_AGE, Cost, CostTracker
from yescale.integration.costs import CostScope, CostTotals, Prices

if TYPE_CHECKING:
    from yescale import YEScaleClient

dispatcher = get_dispatcher(__name__)


class YEScaleCostEvent(BaseEvent):
    """The estimated cost of one YEScale call (``usd`` is ``None`` when unknown: see ``reason``).

    ``source`` says what made it: ``"llm"``, ``"embedding"``, ``"image"`` or ``"media"``.
    """

    model: str
    usd: float | None = None
    basis: str = "unknown"
    input_tokens: int = 0
    output_tokens: int = 0
    units: int = 1
    reason: str | None = None
    source: str = "llm"

    @classmethod
    def class_name(cls) -> str:
        return "YEScaleCostEvent"

    @property
    def cost(self) -> Cost:
        return Cost(
            self.model,
            self.usd,
            "unknown" if self.usd is None else self.basis,  # type: ignore[arg-type]
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            units=self.units,
            reason=self.reason,
        )


def report_cost(cost: dict[str, Any] | Cost | None, source: str) -> None:
    """Dispatch a :class:`YEScaleCostEvent` for a call's cost (nothing when it has none)."""
    if cost is None:
        return
    data = cost.as_dict() if isinstance(cost, Cost) else cost
    fields = {k: data[k] for k in YEScaleCostEvent.model_fields if k in data and k != "source"}
    dispatcher.event(YEScaleCostEvent(**fields, source=source))


class _Reporter(CostTracker):
    """A tracker that dispatches each request's cost as it is counted."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def record(self, cost: Cost) -> None:
        report_cost(cost, self.source)


@contextmanager
def reporting(source: str) -> Iterator[None]:
    """Dispatch a :class:`YEScaleCostEvent` for every request made inside (threads of an
    embedding job included)."""
    with _Reporter(source):
        yield


class YEScaleCostHandler(CostTotals, BaseEventHandler):
    """Tokens, requests and US dollars of YEScale calls, overall and by model.

    Add it to a dispatcher to total the :class:`YEScaleCostEvent` s of everything under it::

        from llama_index.core.instrumentation import get_dispatcher

        costs = YEScaleCostHandler()
        get_dispatcher().add_event_handler(costs)
        index.as_query_engine(llm=YEScale(model="gpt-4o-mini")).query("...")
        print(costs.total_cost, costs.by_model)

    (load prices first: ``yescale.costs.load_prices()``), or get one from
    :func:`get_yescale_callback`, which counts in the client instead and can stop at a budget.
    """

    _tracker: CostTracker = PrivateAttr(default_factory=CostTracker)
    _from_events: bool = PrivateAttr(default=True)

    @classmethod
    def class_name(cls) -> str:
        return "YEScaleCostHandler"

    @classmethod
    def of(cls, tracker: CostTracker) -> YEScaleCostHandler:
        """A handler reading ``tracker`` (fed by the client), deaf to events."""
        handler = cls()
        handler._tracker = tracker
        handler._from_events = False
        return handler

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        if self._from_events and isinstance(event, YEScaleCostEvent):
            self._tracker.record(event.cost)

    @property
    def tracker(self) -> CostTracker:
        return self._tracker

    def reset(self) -> None:
        """Start counting from zero (a handler fed by events only)."""
        self._tracker = CostTracker()


def get_yescale_callback(
    budget_usd: float | None = None,
    *,
    prices: Prices = True,
    max_age: float = DEFAULT_MAX_AGE,
    cache_file: str | Path | None = None,
    client: YEScaleClient | None = None,
) -> CostScope[YEScaleCostHandler]:
    """Count what the YEScale calls of a ``with`` (or ``async with``) block cost.

    .. code-block:: python

        from llama_index_yescale import get_yescale_callback

        with get_yescale_callback(budget_usd=0.50) as costs:
            agent.run("Plan my week")
        print(costs.total_cost, costs.by_model)

    ``budget_usd``: past it, the next model call raises :class:`yescale.BudgetExceededError`
    before it is sent. ``prices``: ``True`` loads the System API's catalog (access key
    ``YESCALE_ACCESS_KEY``; kept ``max_age`` seconds, and in ``cache_file``), ``False`` uses the
    prices already loaded, a :class:`yescale.PriceTable` or a saved copy's path uses those.
    ``client``: the client the catalog is read with (default: one from the environment).
    """
    return CostScope(
        YEScaleCostHandler.of,
        budget_usd,
        prices=prices,
        max_age=max_age,
        cache_file=cache_file,
        client=client,
    )
