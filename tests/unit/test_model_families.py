"""Per-family parameter fitting, shared by ChatYEScale and the LlamaIndex YEScale LLM."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import BaseModel

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


@pytest.mark.parametrize(
    ("model", "strict", "expected"),
    [
        ("gpt-4o-mini", None, True),
        ("gpt-4.1", None, True),
        ("o3-mini", None, True),
        ("gpt-5", None, True),
        ("gpt-4o-mini", False, False),  # explicit wins
        ("gemini-2.5-flash", None, None),  # not OpenAI's strict mode: left unset
        ("claude-sonnet-4-5", None, None),
        ("deepseek-chat", None, None),
        ("gemini-2.5-flash", True, True),
    ],
)
def test_json_schema_strict_by_family(
    model: str, strict: bool | None, expected: bool | None
) -> None:
    """OpenAI models get strict JSON-schema output unless told otherwise, as langchain-openai
    and llama-index's OpenAI give it; other families are left unset (issue 15, item 3f)."""
    assert model_families.json_schema_strict(model, strict) is expected


@pytest.mark.parametrize("method", ["json_schema", None])
def test_langchain_structured_output_strict_by_family(method: str | None) -> None:
    from langchain_yescale import ChatYEScale

    class Answer(BaseModel):
        text: str
        note: str | None = None

    def response_format(model: str, **kwargs: Any) -> dict[str, Any]:
        bound = ChatYEScale(model=model, api_key="k").with_structured_output(
            Answer, method=method, **kwargs
        )
        return bound.first.kwargs["response_format"]["json_schema"]  # type: ignore[attr-defined]

    strict = response_format("gpt-4o-mini")
    assert strict["strict"] is True
    assert strict["schema"]["additionalProperties"] is False
    assert strict["schema"]["required"] == ["text", "note"]
    assert "strict" not in response_format("gemini-2.5-flash")
    loose = response_format("gpt-4o-mini", strict=False)
    assert loose["strict"] is False
    assert loose["schema"]["required"] == ["text"]


def test_llamaindex_native_structured_output_strict_by_family() -> None:
    from llama_index_yescale import YEScale

    class Answer(BaseModel):
        text: str

    def spec(model: str, **settings: Any) -> dict[str, Any]:
        native = YEScale(model=model, api_key="k", **settings)._native_structured_kwargs(Answer)
        assert native is not None
        return native["response_format"]["json_schema"]  # type: ignore[no-any-return]

    assert spec("gpt-4o-mini")["strict"] is True
    assert spec("gpt-4o-mini", strict=True)["strict"] is True
    assert "strict" not in spec("gemini-2.5-flash")
    assert spec("gpt-4o-mini", strict=False)["strict"] is False  # explicit wins
