"""Canned answers for the command line's tests (``tests/cli``): a model catalog with prices.

Only for ``tests/cli`` (``when=``), at priority 10. ``REF`` = the documented example of
``system-api.txt`` (3.5 List Models, verbatim: imagen4-fast, billed per request); ``ASSUMED``
(WIRE) = entries in the same shape, whose price fields follow the units stated in
:mod:`yescale.costs.units` (the reference documents one model only) and whose ``uptime`` /
``is_deprecation`` take the values the reference lists (uptime 1 or 0; deprecation 0, 1 or 2).
Every other System API, media and chat answer is the default one of ``answers.py``.
"""

from __future__ import annotations

from .answers import SYSTEM_HOST, _system_auth, ref_json
from .answers_costs import assumed
from .routes import Answer, SynthRequest, as_json, route


def _mine(req: SynthRequest) -> bool:
    return req.host == SYSTEM_HOST and req.nodeid.startswith("tests/cli/")


CATALOG = [
    *ref_json("system-api.models-response.json")["data"],  # REF: imagen4-fast, $0.04 x 1.25
    assumed(
        "gpt-4o-mini",
        "OpenAI",
        "/v1/chat/completions",
        category="Text Generation",
        input_price=0.15,
        output_price=0.6,
    ),
    assumed(
        "gemini-2.5-flash",
        "Google",
        "/v1/chat/completions",
        category="Text Generation",
        input_price=0.3,
        output_price=2.5,
        group_ratio=1.25,
    ),
    assumed(
        "sora-2", "OpenAI", "/task/submit", category="Video", price_per_request="0.5 ~ 4000 VND"
    ),
    # ASSUMED: a deprecated model (is_deprecation 1), still served
    assumed(
        "gpt-4-turbo",
        "OpenAI",
        "/v1/chat/completions",
        category="Text Generation",
        input_price=10.0,
        output_price=30.0,
        is_deprecation=1,
    ),
    # ASSUMED: a retired model (is_deprecation 2) and one under maintenance (uptime 0)
    assumed(
        "gpt-3.5-turbo-0301",
        "OpenAI",
        "/v1/chat/completions",
        category="Text Generation",
        input_price=1.5,
        output_price=2.0,
        is_deprecation=2,
    ),
    assumed(
        "kling-v2", "Kuaishou", "/task/submit", category="Video", price_per_request=0.3, uptime=0
    ),
    # ASSUMED: a model the catalog lists without any price: shown as "unknown", never $0
    assumed("claude-sonnet-4-5", "Anthropic", "/v1/chat/completions", category="Text Generation"),
]


@route("GET", "/yescale/models", when=_mine, priority=10)
def cli_catalog(req: SynthRequest) -> Answer:
    return _system_auth(req) or as_json({"data": CATALOG, "message": "", "success": True})
