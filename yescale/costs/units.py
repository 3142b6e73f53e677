"""What the catalog's price fields are taken to mean: every assumption about units, in one place.

The reference (``system-api.txt``) documents one thing about money exactly: quota figures are
credits, and 500,000 credits are one US dollar. Of the model catalog's price fields it shows one
example (an image model billed per request) and no units. What this package assumes, and where
the assumption comes from:

1. ``input_price`` / ``output_price`` are US dollars per **1,000,000 tokens**, before the group
   ratio. (The unit of OpenAI's, Anthropic's and Google's price lists, which the catalog's
   ``saving`` figures are computed against; the reference example leaves both null.)
2. ``price_per_request`` is a text such as ``"0.04 ~ 400 VND"``: its first number is US dollars
   per request, before the group ratio. (The example's ``saving_details`` reads
   "$0.04x1.25(GroupRatio)x8.000(TopUp Price)= 400VND".)
3. ``group_ratio`` multiplies every price (the same ``saving_details``). A missing ratio is 1.
4. A ``billing_type`` containing ``"request"`` (``"pay-per-request"``) bills per request; an image
   request bills each image it asks for (``n``). Any other billing type bills tokens.
5. Tokens are billed as they are counted in the answer's ``usage``: cached input tokens at the
   full input price (an upper bound where the service discounts them), reasoning tokens as output
   (OpenAI counts them in ``completion_tokens``; Gemini's ``thoughtsTokenCount`` is added).
6. A media task is charged once, when it is submitted.

The live re-record of ``tests/integration/test_costs_live.py`` checks these against the service's
own logs (the credits each call was actually charged); :meth:`yescale.resources.system.System.
reconcile` lets anyone do the same for their own calls.
"""

from __future__ import annotations

import math
import re

from ..types.system import CREDITS_PER_USD

__all__ = [
    "ASSUMPTIONS",
    "CREDITS_PER_USD",
    "TOKENS_PER_PRICE",
    "bills_per_request",
    "credits_to_usd",
    "format_usd",
    "per_request_usd",
]

#: The token count ``input_price`` / ``output_price`` are quoted for (assumption 1).
TOKENS_PER_PRICE = 1_000_000

#: The assumptions above, one line each (shown by ``yescale models --help`` and in the docs).
ASSUMPTIONS: tuple[str, ...] = (
    "input_price / output_price: USD per 1,000,000 tokens, before the group ratio",
    "price_per_request: its first number is USD per request, before the group ratio",
    "group_ratio multiplies every price (missing: 1)",
    "billing_type with 'request' bills per request (each image of an image request)",
    "cached input tokens at the full input price; reasoning tokens as output",
    "a media task is charged once, when it is submitted",
)

_NUMBER = re.compile(r"[-+]?(?:\d+(?:[.,]\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def per_request_usd(value: str | float | None) -> float | None:
    """The USD price of one request in a catalog's ``price_per_request`` (assumption 2):
    ``"0.04 ~ 400 VND"`` and ``"$0.04"`` are 0.04; nothing readable is ``None``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        found = _NUMBER.search(value)
        if found is None:
            return None
        number = float(found.group().replace(",", "."))
    return number if math.isfinite(number) and number >= 0 else None


def bills_per_request(billing_type: str | None) -> bool:
    """Assumption 4: ``"pay-per-request"`` (any spelling with "request") bills per request."""
    return billing_type is not None and "request" in billing_type.lower()


def credits_to_usd(credits: float) -> float:
    """Credits (quota) in US dollars: 500,000 credits are one dollar (documented)."""
    return credits / CREDITS_PER_USD


def format_usd(amount: float) -> str:
    """``$0.12``, ``$1,234.5``, ``$0.000016875``: cents-sized amounts to four decimals, smaller
    ones to every significant digit up to ten decimals."""
    if amount == 0:
        return "$0"
    digits = 4 if abs(amount) >= 0.01 else 10
    text = f"{abs(amount):,.{digits}f}".rstrip("0").rstrip(".")
    return f"{'-' if amount < 0 else ''}${text}"
