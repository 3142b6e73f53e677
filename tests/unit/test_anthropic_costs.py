"""``get_yescale_callback`` counts ``ChatYEScaleAnthropic`` (``/v1/messages``), without cassettes.

The answers come from an ``httpx.MockTransport``; the prices from a :class:`yescale.PriceTable`
given to the callback. Claude's usage counts cache reads and cache writes apart from
``input_tokens``; :mod:`yescale.costs` bills them as input tokens at the full input price
(``yescale.costs.units``, assumption 5), so the expected costs here are computed that way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessageChunk, BaseMessageChunk

from langchain_yescale import (
    ChatYEScaleAnthropic,
    YEScaleIncompleteStreamError,
    get_yescale_callback,
)
from yescale import BudgetExceededError
from yescale.costs import PriceTable
from yescale.types.system import ModelInfo

pytestmark = pytest.mark.usefixtures("no_prices")

MODEL = "claude-sonnet-4-5"
#: USD per 1M tokens before the group ratio, as the catalog gives them
INPUT_PRICE, OUTPUT_PRICE, RATIO = 3.0, 15.0, 0.8
PRICES = PriceTable.from_models(
    [
        ModelInfo.model_validate(
            {
                "model_name": MODEL,
                "billing_type": "pay-per-token",
                "group_ratio": RATIO,
                "input_price": INPUT_PRICE,
                "output_price": OUTPUT_PRICE,
            }
        )
    ]
)

#: A prompt mostly read from the cache, a little written to it, a little new.
CACHED = {
    "input_tokens": 100,
    "cache_read_input_tokens": 1000,
    "cache_creation_input_tokens": 200,
    "output_tokens": 20,
}


def usd(input_tokens: int, output_tokens: int) -> float:
    return (input_tokens * INPUT_PRICE + output_tokens * OUTPUT_PRICE) * RATIO / 1_000_000


def prompt_of(usage: dict[str, int]) -> int:
    """Every input token of Claude's usage: new, read from the cache, written to it."""
    return (
        usage.get("input_tokens", 0)
        + usage.get("cache_read_input_tokens", 0)
        + usage.get("cache_creation_input_tokens", 0)
    )


def message(usage: dict[str, int], text: str = "Hello!") -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": usage,
    }


def sse(event: dict[str, Any]) -> str:
    return f"event: {event['type']}\ndata: {json.dumps(event)}\n\n"


def events(usage: dict[str, int], *, cumulative: bool = False) -> bytes:
    """A text stream. ``message_start`` carries the input counts (and output 1), ``message_delta``
    the output count; ``cumulative``: it repeats every count, as newer Anthropic streams do."""
    start_usage = {**usage, "output_tokens": 1}
    end_usage = dict(usage) if cumulative else {"output_tokens": usage["output_tokens"]}
    start = {**message(usage), "content": [], "stop_reason": None, "usage": start_usage}
    text = {"type": "text", "text": ""}
    return "".join(
        [
            sse({"type": "message_start", "message": start}),
            sse({"type": "content_block_start", "index": 0, "content_block": text}),
            sse(
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": "Hel"},
                }
            ),
            sse(
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": "lo!"},
                }
            ),
            sse({"type": "content_block_stop", "index": 0}),
            sse(
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": end_usage,
                }
            ),
            sse({"type": "message_stop"}),
        ]
    ).encode()


class Wire:
    """Answers ``/v1/messages`` with ``usage`` (a stream when asked for one); keeps the bodies."""

    def __init__(self, usage: dict[str, int], *, cumulative: bool = False) -> None:
        self.usage = usage
        self.cumulative = cumulative
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/messages"
        body = json.loads(request.content)
        self.bodies.append(body)
        if body.get("stream"):
            content = events(self.usage, cumulative=self.cumulative)
            return httpx.Response(
                200, content=content, headers={"content-type": "text/event-stream"}
            )
        return httpx.Response(200, json=message(self.usage))

    def llm(self, **fields: Any) -> ChatYEScaleAnthropic:
        transport = httpx.MockTransport(self)
        given: dict[str, Any] = {
            "model": MODEL,
            "api_key": "sk-test-anthropic-costs",
            "max_retries": 0,
            "max_tokens": 256,
            "http_client": httpx.Client(transport=transport),
            "http_async_client": httpx.AsyncClient(transport=transport),
            **fields,
        }
        return ChatYEScaleAnthropic(**given)


def merged(chunks: list[BaseMessageChunk]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert isinstance(total, AIMessageChunk)
    return total


def check_cost(cost: dict[str, Any], usage: dict[str, int]) -> None:
    """``response_metadata["cost"]`` of one call that used ``usage``."""
    assert cost["usd"] > 0
    assert cost["usd"] == pytest.approx(usd(prompt_of(usage), usage["output_tokens"]))
    assert cost["basis"] == "tokens"
    assert cost["model"] == MODEL
    assert (cost["input_tokens"], cost["output_tokens"]) == (
        prompt_of(usage),
        usage["output_tokens"],
    )
    assert cost["input_usd"] == pytest.approx(prompt_of(usage) * INPUT_PRICE * RATIO / 1e6)
    assert cost["output_usd"] == pytest.approx(usage["output_tokens"] * OUTPUT_PRICE * RATIO / 1e6)


# -- invoke ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "usage",
    [
        pytest.param({"input_tokens": 12, "output_tokens": 5}, id="no-cache"),
        pytest.param(CACHED, id="cache-read-and-write"),
        pytest.param(
            {"input_tokens": 4, "cache_read_input_tokens": 3000, "output_tokens": 9},
            id="cache-read-only",
        ),
        pytest.param(
            {"input_tokens": 4, "cache_creation_input_tokens": 2500, "output_tokens": 9},
            id="cache-write-only",
        ),
    ],
)
def test_invoke_is_counted_with_cached_tokens_at_the_input_price(usage: dict[str, int]) -> None:
    llm = Wire(usage).llm()
    with get_yescale_callback(prices=PRICES) as cb:
        answer = llm.invoke("Hi")
    assert answer.content == "Hello!"
    check_cost(answer.response_metadata["cost"], usage)
    # the message's own usage says the same as what was billed
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["input_tokens"] == prompt_of(usage)
    details = answer.usage_metadata.get("input_token_details", {})
    assert details.get("cache_read", 0) == usage.get("cache_read_input_tokens", 0)
    assert details.get("cache_creation", 0) == usage.get("cache_creation_input_tokens", 0)
    expected = usd(prompt_of(usage), usage["output_tokens"])
    assert cb.successful_requests == 1
    assert cb.total_cost == pytest.approx(expected)
    assert (cb.prompt_tokens, cb.completion_tokens) == (prompt_of(usage), usage["output_tokens"])
    assert cb.total_tokens == prompt_of(usage) + usage["output_tokens"]
    assert cb.by_model[MODEL].usd == pytest.approx(expected)
    assert cb.unknown_cost_requests == 0


def test_the_cost_of_cache_tokens_is_that_of_the_same_tokens_uncached() -> None:
    """Cache reads and writes are billed at the full input price: a cached prompt costs what the
    same number of uncached input tokens does (an upper bound for reads, as documented)."""
    uncached = {"input_tokens": prompt_of(CACHED), "output_tokens": CACHED["output_tokens"]}
    costs = []
    for usage in (CACHED, uncached):
        with get_yescale_callback(prices=PRICES) as cb:
            Wire(usage).llm().invoke("Hi")
        costs.append(cb.total_cost)
    assert costs[0] == pytest.approx(costs[1])
    assert costs[0] > usd(CACHED["input_tokens"], CACHED["output_tokens"])  # cache not free


# -- streams ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("cumulative", [False, True], ids=["output-delta", "cumulative-delta"])
def test_a_stream_is_counted_once_and_costed_on_one_chunk(cumulative: bool) -> None:
    wire = Wire(CACHED, cumulative=cumulative)
    with get_yescale_callback(prices=PRICES) as cb:
        chunks = list(wire.llm().stream("Hi"))
    with_cost = [c for c in chunks if "cost" in c.response_metadata]
    assert len(with_cost) == 1
    answer = merged(chunks)
    assert answer.content == "Hello!"
    check_cost(answer.response_metadata["cost"], CACHED)
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["input_tokens"] == prompt_of(CACHED)
    assert answer.usage_metadata["output_tokens"] == CACHED["output_tokens"]
    assert cb.successful_requests == 1
    assert cb.total_cost == pytest.approx(usd(prompt_of(CACHED), CACHED["output_tokens"]))
    assert (cb.prompt_tokens, cb.completion_tokens) == (prompt_of(CACHED), CACHED["output_tokens"])
    assert wire.bodies[0]["stream"] is True


def test_invoke_of_a_streaming_model_is_counted_once() -> None:
    wire = Wire(CACHED)
    with get_yescale_callback(prices=PRICES) as cb:
        answer = wire.llm(streaming=True).invoke("Hi")
    assert wire.bodies[0]["stream"] is True
    assert answer.content == "Hello!"
    check_cost(answer.response_metadata["cost"], CACHED)
    assert cb.successful_requests == 1
    assert cb.total_cost == pytest.approx(usd(prompt_of(CACHED), CACHED["output_tokens"]))


async def test_async_invoke_and_stream_add_up() -> None:
    llm = Wire(CACHED).llm()
    async with get_yescale_callback(prices=PRICES) as cb:
        answer = await llm.ainvoke("Hi")
        chunks = [chunk async for chunk in llm.astream("Hi")]
    one = usd(prompt_of(CACHED), CACHED["output_tokens"])
    check_cost(answer.response_metadata["cost"], CACHED)
    check_cost(merged(chunks).response_metadata["cost"], CACHED)
    assert [c for c in chunks if "cost" in c.response_metadata].__len__() == 1
    assert cb.successful_requests == 2
    assert cb.total_cost == pytest.approx(2 * one)
    assert cb.prompt_tokens == 2 * prompt_of(CACHED)


def test_calls_outside_the_block_are_not_counted() -> None:
    llm = Wire(CACHED).llm()
    with get_yescale_callback(prices=PRICES) as cb:
        llm.invoke("Hi")
    llm.invoke("Hi")  # after the block: priced (the prices stay loaded), not counted
    list(llm.stream("Hi"))
    assert cb.successful_requests == 1
    assert cb.total_cost == pytest.approx(usd(prompt_of(CACHED), CACHED["output_tokens"]))


def test_a_stream_cut_short_is_still_counted_once() -> None:
    """The service bills a cut stream's prompt: the call is counted with the counts it reported
    (``message_start``'s), and the error is raised."""

    class Cut(Wire):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            body = events(self.usage)
            cut = body[: body.index(b"event: content_block_stop")]
            return httpx.Response(200, content=cut, headers={"content-type": "text/event-stream"})

    llm = Cut(CACHED).llm()
    with get_yescale_callback(prices=PRICES) as cb, pytest.raises(YEScaleIncompleteStreamError):
        list(llm.stream("Hi"))
    assert cb.successful_requests == 1
    assert (cb.prompt_tokens, cb.completion_tokens) == (prompt_of(CACHED), 1)
    assert cb.total_cost == pytest.approx(usd(prompt_of(CACHED), 1))


def test_a_stream_left_early_is_counted_once() -> None:
    llm = Wire(CACHED).llm()
    with get_yescale_callback(prices=PRICES) as cb:
        for _chunk in llm.stream("Hi"):
            break
    assert cb.successful_requests == 1
    assert cb.prompt_tokens == prompt_of(CACHED)
    assert cb.total_cost > 0


# -- unknown prices and budgets --------------------------------------------------------------------


def test_a_claude_model_without_a_price_costs_unknown_never_zero() -> None:
    llm = Wire(CACHED).llm(model="claude-opus-4-1")
    with get_yescale_callback(prices=PRICES) as cb:
        answer = llm.invoke("Hi")
        list(llm.stream("Hi"))
    cost = answer.response_metadata["cost"]
    assert cost["usd"] is None
    assert cost["reason"]
    assert cb.successful_requests == 2
    assert cb.unknown_cost_requests == 2
    assert cb.total_cost == 0
    assert cb.prompt_tokens == 2 * prompt_of(CACHED)  # the tokens are still counted


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_a_budget_stops_claude_calls_before_sending(stream: bool) -> None:
    wire = Wire(CACHED)
    llm = wire.llm()
    one = usd(prompt_of(CACHED), CACHED["output_tokens"])
    call: Callable[[], Any] = (
        (lambda: list(llm.stream("Hi"))) if stream else lambda: llm.invoke("Hi")
    )
    sent = 0

    def runaway() -> None:  # an agent loop that would never stop
        nonlocal sent
        for _ in range(10):
            call()
            sent += 1

    with (
        get_yescale_callback(budget_usd=2.5 * one, prices=PRICES) as cb,
        pytest.raises(BudgetExceededError) as caught,
    ):
        runaway()
    assert sent == 3  # the third call crossed the budget; the fourth was never sent
    assert len(wire.bodies) == 3
    assert cb.total_cost == pytest.approx(3 * one)
    assert caught.value.model == MODEL
