"""Costs in LangChain: ``response_metadata["cost"]``, tool artifacts' cost, and
``get_yescale_callback()`` (totals across sync, async, streams and threads; a budget that stops
an agent's loop before the request that would cross it), over cassettes.

Prices come from the catalog answer of ``tests/synth/answers_costs.py`` (the reference's
imagen4-fast entry and entries in the same shape); expected costs are computed here from it.
"""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk, ToolMessage
from vcr.cassette import Cassette

from langchain_yescale import (
    ChatYEScale,
    ChatYEScaleGemini,
    YEScaleImageGenerationTool,
    YEScaleMediaTaskTool,
    get_yescale_callback,
)
from tests.synth.answers_costs import token_cost
from yescale import BudgetExceededError, InvalidRequestError
from yescale.costs import UnknownCostWarning

from .client_support import API_HOST

pytestmark = [pytest.mark.vcr, pytest.mark.usefixtures("no_prices")]


def api_calls(cassette: Cassette) -> int:
    return sum(1 for r in cassette.requests if r.host == API_HOST)


def test_invoke_reports_cost_in_response_metadata_and_the_callback(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini")
    with get_yescale_callback() as cb:
        message = llm.invoke("Say hello.")
    usage = message.usage_metadata
    assert usage is not None
    expected = token_cost("gpt-4o-mini", usage["input_tokens"], usage["output_tokens"])
    cost = message.response_metadata["cost"]
    assert cost["usd"] == pytest.approx(expected)
    assert cost["basis"] == "tokens"
    assert cost["model"] == "gpt-4o-mini"
    assert cb.total_cost == pytest.approx(expected)
    assert (cb.successful_requests, cb.prompt_tokens, cb.completion_tokens) == (
        1,
        usage["input_tokens"],
        usage["output_tokens"],
    )
    assert cb.total_tokens == usage["total_tokens"]
    assert "Cost (USD)" in repr(cb)


def test_stream_is_counted_once_and_costed_once(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini")
    with get_yescale_callback() as cb:
        chunks = list(llm.stream("Say hello."))
    with_cost = [c for c in chunks if "cost" in c.response_metadata]
    assert len(with_cost) == 1
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    assert isinstance(merged, AIMessageChunk)
    assert merged.usage_metadata is not None
    usage = merged.usage_metadata
    expected = token_cost("gpt-4o-mini", usage["input_tokens"], usage["output_tokens"])
    assert merged.response_metadata["cost"]["usd"] == pytest.approx(expected)
    assert (cb.successful_requests, cb.total_cost) == (1, pytest.approx(expected))


def test_gemini_chat_model_cost_uses_the_group_ratio(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(model="gemini-2.5-flash")
    with get_yescale_callback() as cb:
        message = llm.invoke("Say hello.")
    usage = message.usage_metadata
    assert usage is not None
    expected = token_cost("gemini-2.5-flash", usage["input_tokens"], usage["output_tokens"])
    assert message.response_metadata["cost"]["usd"] == pytest.approx(expected)
    assert cb.by_model["gemini-2.5-flash"].usd == pytest.approx(expected)


async def test_async_calls_and_tasks_add_up(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini")
    async with get_yescale_callback() as cb:
        first, second = await asyncio.gather(llm.ainvoke("Say hello."), llm.ainvoke("Hi there."))
        async for _chunk in llm.astream("Say hello."):
            pass
    costs = [m.response_metadata["cost"]["usd"] for m in (first, second)]
    assert cb.successful_requests == 3
    assert cb.total_cost > sum(costs) > 0


def test_batch_on_threads_is_counted(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini")
    with get_yescale_callback() as cb:
        replies = llm.batch(["One.", "Two.", "Three."], config={"max_concurrency": 3})
    assert cb.successful_requests == 3
    assert cb.total_cost == pytest.approx(sum(r.response_metadata["cost"]["usd"] for r in replies))


def test_budget_stops_a_runaway_loop_before_sending(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini")
    with get_yescale_callback():  # loads the prices (kept for the block below)
        one_call = llm.invoke("Again.").response_metadata["cost"]["usd"]
    sent = 0

    def runaway() -> None:  # an agent that would never stop
        nonlocal sent
        for _ in range(10):
            llm.invoke("Again.")
            sent += 1

    with (
        get_yescale_callback(budget_usd=2.5 * one_call) as cb,
        pytest.raises(BudgetExceededError) as caught,
    ):
        runaway()
    assert sent == 3  # the third call crossed the budget; the fourth was never sent
    assert api_calls(vcr) == 1 + 3
    assert cb.total_cost == pytest.approx(3 * one_call)
    assert cb.remaining_usd == 0
    assert caught.value.model == "gpt-4o-mini"


def test_image_tool_artifact_carries_the_cost(vcr: Cassette, tmp_path: Any) -> None:
    tool = YEScaleImageGenerationTool(model="imagen4-fast", output_dir=tmp_path)
    with get_yescale_callback() as cb:
        message = tool.invoke(
            {
                "type": "tool_call",
                "id": "call_1",
                "name": tool.name,
                "args": {"prompt": "a red square", "n": 2},
            }
        )
    assert isinstance(message, ToolMessage)
    cost = message.artifact["cost"]
    assert (cost["usd"], cost["basis"], cost["units"]) == (pytest.approx(0.1), "request", 2)
    assert cb.total_cost == pytest.approx(0.1)


def test_media_tool_artifact_carries_the_cost_of_the_task(vcr: Cassette) -> None:
    tool = YEScaleMediaTaskTool(wait=False)
    with get_yescale_callback() as cb:
        message = tool.invoke(
            {
                "type": "tool_call",
                "id": "call_2",
                "name": tool.name,
                "args": {"model": "sora-2", "prompt": "a cat surfing a wave"},
            }
        )
    assert isinstance(message, ToolMessage)
    assert message.artifact["cost"]["usd"] == pytest.approx(0.5)
    assert (cb.successful_requests, cb.total_cost) == (1, pytest.approx(0.5))


def test_budget_needs_prices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YESCALE_ACCESS_KEY")
    scope = get_yescale_callback(budget_usd=1.0)
    with pytest.raises(InvalidRequestError, match=r"A cost budget needs prices.*ACCESS_KEY"):
        scope.__enter__()
    # without a budget: a warning, and costs read unknown
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with get_yescale_callback() as cb:
            pass
    assert any(issubclass(w.category, UnknownCostWarning) for w in seen)
    assert cb.total_cost == 0
    assert cb.successful_requests == 0
