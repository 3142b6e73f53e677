"""What calls cost, in US dollars: prices from the service's model catalog, the cost of every
answer, totals and budgets.

.. code-block:: python

    from yescale.costs import load_prices, track_costs

    load_prices()  # the catalog (System API, YESCALE_ACCESS_KEY), kept an hour
    with track_costs(budget_usd=1.00) as costs:
        reply = client.chat.create(model="gpt-4o-mini", messages=[...])
    reply.cost.usd, costs.total_cost, costs.by_model

Every answer of :class:`~yescale.YEScaleClient` carries its :class:`Cost` (``.cost``), unknown
(``usd is None``, with the reason) when no price is loaded or the catalog has none for the model,
never $0. What the catalog's figures are taken to mean is stated once, in
:mod:`yescale.costs.units`.
"""

from __future__ import annotations

from ..errors import BudgetExceededError
from .catalog import (
    DEFAULT_MAX_AGE,
    StalePricesWarning,
    aload_prices,
    current_prices,
    load_prices,
    use_prices,
)
from .prices import Cost, Price, PriceTable, Usage
from .reconciliation import ModelReconciliation, Reconciliation, reconcile
from .tracking import (
    CostTracker,
    ModelTotals,
    UnknownCostWarning,
    active_trackers,
    track_costs,
)
from .units import ASSUMPTIONS, CREDITS_PER_USD, credits_to_usd

__all__ = [
    "ASSUMPTIONS",
    "CREDITS_PER_USD",
    "DEFAULT_MAX_AGE",
    "BudgetExceededError",
    "Cost",
    "CostTracker",
    "ModelReconciliation",
    "ModelTotals",
    "Price",
    "PriceTable",
    "Reconciliation",
    "StalePricesWarning",
    "UnknownCostWarning",
    "Usage",
    "active_trackers",
    "aload_prices",
    "credits_to_usd",
    "current_prices",
    "load_prices",
    "reconcile",
    "track_costs",
    "use_prices",
]
