"""Per-family parameter fitting, shared by ChatYEScale and the LlamaIndex YEScale LLM."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from yescale.models import families as model_families
from yescale.models.families import adapt_chat_params

from .conftest import API_KEY, chat_completion


@pytest.mark.parametrize(
    ("model", "params", "expected"),
    [
        ("gpt-4o-mini", {"max_tokens": 5, "temperature": 0}, {"max_tokens": 5, "temperature": 0}),
        ("o3-mini", {"max_tokens": 5}, {"max_completion_tokens": 5}),
        ("gpt-5", {"max_tokens": 5, "max_completion_tokens": 9}, {"max_completion_tokens": 9}),
        ("gpt-4o", {"max_tokens": 5, "max_completion_tokens": 9}, {"max_completion_tokens": 9}),
        ("o1", {"parallel_tool_calls": True}, {}),
        ("o3", {"parallel_tool_calls": True}, {"parallel_tool_calls": True}),
        ("o3", {"temperature": 1, "top_p": 1}, {"temperature": 1, "top_p": 1}),
        (
            "gpt-5.1",
            {"temperature": 0.2, "reasoning_effort": "none"},
            {"temperature": 0.2, "reasoning_effort": "none"},
        ),
        ("gpt-5-chat-latest", {"temperature": 0.2}, {"temperature": 0.2}),
        (
            "claude-sonnet-4-5",
            {"temperature": 0, "max_tokens": 9},
            {"temperature": 0, "max_tokens": 9},
        ),
    ],
)
def test_params_kept_or_renamed(
    model: str, params: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert adapt_chat_params(model, dict(params)) == expected


@pytest.mark.parametrize("model", ["o3-mini", "o1", "gpt-5", "O4-mini"])
def test_fixed_sampling_models_drop_temperature_with_a_warning(model: str) -> None:
    with pytest.warns(UserWarning, match=r"accepts only the default temperature \(1\)"):
        params = adapt_chat_params(model, {"temperature": 0, "top_p": 1})
    assert params == {"top_p": 1}
    assert model_families.rejects_sampling_params(model)


def _recording_client(seen: list[dict[str, Any]]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        import json

        seen.append(json.loads(request.content))
        return httpx.Response(200, json=chat_completion("ok"))

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_chat_yescale_switching_to_a_reasoning_model_keeps_working() -> None:
    from langchain_yescale import ChatYEScale

    seen: list[dict[str, Any]] = []
    llm = ChatYEScale(
        model="gpt-4o-mini",
        temperature=0,
        max_tokens=50,
        api_key=API_KEY,
        http_client=_recording_client(seen),
    )
    llm.invoke("hi")
    with pytest.warns(UserWarning, match=r"temperature=0(\.0)? is not sent"):
        llm.invoke("hi", model="o3-mini")
    assert seen[0]["temperature"] == 0
    assert seen[0]["max_tokens"] == 50
    assert "temperature" not in seen[1]
    assert seen[1]["max_completion_tokens"] == 50
    assert "max_tokens" not in seen[1]
    assert seen[1]["model"] == "o3-mini"


def test_llamaindex_yescale_reasoning_model_params() -> None:
    from llama_index.core.llms import ChatMessage

    from llama_index_yescale import YEScale

    seen: list[dict[str, Any]] = []
    llm = YEScale(
        model="o1",
        temperature=0.3,
        max_tokens=50,
        api_key=API_KEY,
        http_client=_recording_client(seen),
    )
    with pytest.warns(UserWarning, match="temperature=0.3 is not sent"):
        llm.chat([ChatMessage(role="user", content="hi")])
    assert "temperature" not in seen[0]
    assert seen[0]["max_completion_tokens"] == 50
