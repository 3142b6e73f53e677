"""Canned answers for the cost tests: a model catalog with prices, and usage logs.

Only for the cost tests (``when=``), at priority 10. ``REF`` = the documented example of
``system-api.txt`` (3.5 List Models, verbatim); ``ASSUMED`` = entries in the same shape whose
price fields follow the units stated in :mod:`yescale.costs.units` (the reference documents one
model only, billed per request). A live re-record replaces them with the service's catalog, and
``tests/integration/test_costs.py::test_estimate_agrees_with_the_logs`` then checks the assumed
units against the credits the service really charged.
"""

from __future__ import annotations

from typing import Any

from .answers import SYSTEM_HOST, _system_auth, ref_json
from .routes import Answer, SynthRequest, as_json, route

_MINE = (
    "tests/integration/test_costs.py",
    "tests/integration/test_langchain_costs.py",
    "tests/integration/test_llamaindex_costs.py",
    "tests/integration/test_examples.py::test_costs",
)


def _mine(req: SynthRequest) -> bool:
    return req.host == SYSTEM_HOST and req.nodeid.startswith(_MINE)


def assumed(
    name: str, provider: str, endpoint: str, category: str | None = None, **prices: Any
) -> dict[str, Any]:
    """ASSUMED: an entry in the documented entry's shape; prices per 1M tokens or per request
    (yescale/costs/units.py). Shared with the command line's catalog (answers_cli.py)."""
    if category is None:
        category = "Text Generation" if endpoint == "/v1/chat/completions" else "Other"
    return {
        "model_name": name,
        "provider_name": provider,
        "endpoint": endpoint,
        "category": category,
        "billing_type": "pay-per-request" if "price_per_request" in prices else "pay-per-token",
        "group_name": "normal",
        "group_ratio": 1.0,
        "input_price": None,
        "output_price": None,
        "price_per_request": None,
        "uptime": 1,
        "is_deprecation": 0,
        **prices,
    }


CATALOG = [
    *ref_json("system-api.models-response.json")["data"],  # REF: imagen4-fast, $0.04 x 1.25
    assumed("gpt-4o-mini", "OpenAI", "/v1/chat/completions", input_price=0.15, output_price=0.6),
    assumed(
        "gemini-2.5-flash",
        "Google",
        "/v1beta/models",
        input_price=0.3,
        output_price=2.5,
        group_ratio=1.25,
    ),
    assumed("text-embedding-3-small", "OpenAI", "/v1/embeddings", input_price=0.02),
    assumed("dall-e-3", "OpenAI", "/v1/images/generations", price_per_request="0.04 ~ 320 VND"),
    assumed("sora-2", "OpenAI", "/task/submit", price_per_request="0.5 ~ 4000 VND"),
    # ASSUMED: a model the catalog lists without any price: its cost must read "unknown"
    assumed("claude-sonnet-4-5", "Anthropic", "/v1/chat/completions"),
]


def token_cost(model: str, prompt: int, completion: int) -> float:
    """What ``CATALOG`` says ``prompt`` + ``completion`` tokens of ``model`` cost, in USD (the
    tests' own arithmetic, independent of :mod:`yescale.costs`)."""
    entry = next(m for m in CATALOG if m["model_name"] == model)
    ratio = float(entry.get("group_ratio") or 1)
    inp, out = (float(entry[k] or 0) for k in ("input_price", "output_price"))
    return (prompt * inp + completion * out) * ratio / 1_000_000


@route("GET", "/yescale/models", when=_mine, priority=10)
def priced_catalog(req: SynthRequest) -> Answer:
    return _system_auth(req) or as_json({"data": CATALOG, "message": "", "success": True})


def charged(prompt: int, completion: int, input_price: float, output_price: float) -> int:
    """Credits a call is charged under the stated units (500,000 credits per USD), as a whole
    number the way the gateway's logs hold quota."""
    usd = (prompt * input_price + completion * output_price) / 1_000_000
    return round(usd * 500_000)


#: WIRE: one-api consumption rows (type 2), as the cost tests' gpt-4o-mini calls would be logged.
LOGS = [
    {
        "id": 7_000_000 + i,
        "created_at": 1761576000 + 60 * i,
        "type": 2,
        "model_name": "gpt-4o-mini",
        "token_name": "dsdfs",
        "prompt_tokens": 9,
        "completion_tokens": 9,
        "quota": charged(9, 9, 0.15, 0.6),
        "is_stream": False,
    }
    for i in range(3)
]


@route("GET", "/yescale/logs", when=_mine, priority=10)
def priced_logs(req: SynthRequest) -> Answer:
    return _system_auth(req) or as_json({"data": LOGS, "message": "", "success": True})
