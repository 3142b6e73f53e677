"""``yescale.integration``: the rules both framework packages share, written once.

The LangChain and LlamaIndex classes of one endpoint must send the same body for the same
settings (their copies had drifted: LlamaIndex's Gemini class dropped a ``tool_choice`` without
tools, LangChain's did not; LangChain's sent ``"tools": []``); the framework packages import nothing
private from ``yescale``; and ``yescale.integration`` imports neither framework.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from langchain_yescale import ChatYEScale, ChatYEScaleGemini
from llama_index_yescale.llms import YEScale, YEScaleGemini
from yescale import InvalidRequestError
from yescale.integration import (
    ChunkAccumulator,
    add_usage,
    gemini_chat_params,
    gemini_json_output,
    gemini_response_format,
    openai_chat_params,
    openai_tool_choice,
    parse_json_answer,
)
from yescale.types.chat import ChatCompletionChunk

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-test-integration"
TOOL = {"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}

# -- the same body from both frameworks ----------------------------------------------------------

OPENAI_CALLS: list[dict[str, Any]] = [
    {},
    {"temperature": 0.9, "stop": ["\n"], "seed": 7},
    {"tools": [TOOL], "tool_choice": "required", "parallel_tool_calls": False},
    {"tools": [], "tool_choice": "auto", "parallel_tool_calls": True},
    {"extra_body": {"thinking": {"type": "enabled"}}, "user": "u1"},
    {"model": "o3-mini", "max_tokens": 50, "temperature": 0.3},
    {"model": "o1", "tools": [TOOL], "parallel_tool_calls": True},
    {"response_format": {"type": "json_object"}},
]


@pytest.mark.parametrize("call", OPENAI_CALLS, ids=range(len(OPENAI_CALLS)))
def test_openai_classes_send_the_same_parameters(call: dict[str, Any]) -> None:
    settings = {"api_key": KEY, "model": "gpt-4o", "temperature": 0.2, "max_tokens": 100}
    langchain = ChatYEScale(**settings)._call_params(None, dict(call))
    llama_index = YEScale(**settings)._request_params(dict(call))
    assert langchain == llama_index


GEMINI_CALLS: list[dict[str, Any]] = [
    {},
    {"tool_choice": "auto"},  # no tools: nothing to choose from (LangChain's copy sent it)
    {"tools": [TOOL], "tool_choice": "required", "parallel_tool_calls": False},
    {"tools": [], "tool_choice": "none"},
    {"stop": "END", "top_k": 3, "thinking_budget": 0},
    {"response_format": {"type": "json_object"}},
    {"generation_config": {"candidateCount": 1}, "safety_settings": [{"category": "x"}]},
]


@pytest.mark.parametrize("call", GEMINI_CALLS, ids=range(len(GEMINI_CALLS)))
def test_gemini_classes_send_the_same_parameters(call: dict[str, Any]) -> None:
    settings = {"api_key": KEY, "model": "gemini-2.5-flash", "temperature": 0.2, "max_tokens": 64}
    langchain = ChatYEScaleGemini(**settings)._call_params(None, dict(call))
    llama_index = YEScaleGemini(**settings)._request_params(dict(call))
    assert langchain == llama_index
    assert "parallel_tool_calls" not in langchain  # Gemini decides: not a Gemini field
    if not call.get("tools"):
        assert "tool_choice" not in langchain
        assert "tools" not in langchain


def test_openai_chat_params_rules() -> None:
    params = openai_chat_params(
        {"temperature": None, "max_tokens": 10, "logprobs": True},
        {"user": "u", "max_tokens": 20},
        {"stream": True, "extra_body": {"x": 1}, "reasoning_effort": "minimal"},
        model="gpt-4o",
        disabled={"reasoning_effort": ["minimal"], "logprobs": None},
    )
    # None left out; passthrough over defaults; call over both; "stream" is the method's business
    assert params == {"max_tokens": 20, "user": "u", "x": 1, "model": "gpt-4o"}
    listed = openai_chat_params(
        {}, {}, {"parallel_tool_calls": True}, model="m", disabled=["parallel_tool_calls"]
    )
    assert listed == {"model": "m"}


def test_gemini_chat_params_moves_generation_fields() -> None:
    params = gemini_chat_params(
        {"temperature": 0.1, "max_tokens": None},
        {"cached_content": "c1", "top_p": 0.5},
        {"stop": "x", "n": 2, "include_thoughts": True},
        model="gemini-2.5-pro",
        generation_config={"candidateCount": 1},
        google_search=True,
        single_answer=True,
    )
    assert params == {
        "model": "gemini-2.5-pro",
        "cached_content": "c1",
        "tools": [{"googleSearch": {}}],
        "generation_config": {
            "candidateCount": 1,
            "temperature": 0.1,
            "topP": 0.5,
            "stopSequences": ["x"],
            "thinkingConfig": {"includeThoughts": True},
        },
    }


# -- tool_choice ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "required", "default", "expected"),
    [
        (None, False, None, None),
        (None, False, "auto", "auto"),
        (None, True, "auto", "required"),
        (False, False, None, None),
        (True, False, None, "required"),
        ("any", False, None, "required"),
        ("none", True, None, "none"),
        ("weather", False, None, {"type": "function", "function": {"name": "weather"}}),
        ("Weather Tool", False, None, {"type": "function", "function": {"name": "weather"}}),
    ],
)
def test_tool_choice_spellings(choice: Any, required: bool, default: Any, expected: Any) -> None:
    names = {"weather": "weather", "Weather Tool": "weather"}
    assert openai_tool_choice(choice, names, required=required, default=default) == expected


def test_tool_choice_names_what_it_knows() -> None:
    with pytest.raises(
        InvalidRequestError, match=r"'time' is not one of the bound tools \['weather'\]"
    ):
        openai_tool_choice("time", ["weather"])
    with pytest.raises(InvalidRequestError, match="Unsupported tool_choice 3"):
        openai_tool_choice(3, ["weather"])  # type: ignore[arg-type]


# -- answers -------------------------------------------------------------------------------------


class City(BaseModel):
    name: str


def test_parse_json_answer() -> None:
    assert parse_json_answer(City, '{"name": "Hanoi"}').name == "Hanoi"
    assert parse_json_answer(City, '```json\n{"name": "Hue"}\n```').name == "Hue"
    with pytest.raises(ValueError, match=r"not a valid City \(the answer was cut off"):
        parse_json_answer(City, '{"name": "Ha', "length")
    with pytest.raises(ValueError, match="not a valid City: ") as info:
        parse_json_answer(City, None)
    assert "cut off" not in str(info.value)


def test_add_usage_sums_nested_counts() -> None:
    total: dict[str, Any] = {}
    add_usage(total, {"prompt_tokens": 3, "details": {"cached": 1}, "model": "a", "flag": True})
    add_usage(total, {"prompt_tokens": 4, "details": {"cached": 2}, "model": "b"})
    assert total == {"prompt_tokens": 7, "details": {"cached": 3}, "model": "a", "flag": True}


def _chunk(delta: dict[str, Any], **extra: Any) -> ChatCompletionChunk:
    return ChatCompletionChunk.model_validate(
        {"id": "c", "choices": [{"index": 0, "delta": delta, **extra}]}
    )


def test_chunk_accumulator_folds_a_stream() -> None:
    acc = ChunkAccumulator()
    assert acc.add(_chunk({"reasoning_content": "hm"})) == ("", "hm")
    assert acc.add(_chunk({"content": "Hel"})) == ("Hel", "")
    call = {"index": 0, "id": "call_1", "function": {"name": "weather", "arguments": '{"ci'}}
    acc.add(_chunk({"tool_calls": [call]}))
    acc.add(
        _chunk(
            {"content": "lo", "tool_calls": [{"index": 0, "function": {"arguments": 'ty": 1}'}}]}
        )
    )
    acc.add(_chunk({"refusal": "no"}, finish_reason="tool_calls"))
    usage = {
        "prompt_tokens": 1,
        "completion_tokens": 2,
        "completion_tokens_details": {"reasoning_tokens": 5},
    }
    acc.add(ChatCompletionChunk.model_validate({"id": "c", "choices": [], "usage": usage}))
    assert (acc.content, acc.reasoning, acc.finish_reason) == ("Hello", "hm", "tool_calls")
    assert acc.tool_calls == [
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "weather", "arguments": '{"city": 1}'},
        }
    ]
    assert acc.extras == {"refusal": "no"}
    assert acc.thinking_tokens == 5


# -- the shape of the packages -------------------------------------------------------------------


def _imports(package: str) -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((str(path.relative_to(ROOT)), node.module))
            elif isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), alias.name) for alias in node.names]
    return found


@pytest.mark.parametrize("package", ["langchain_yescale", "llama_index_yescale", "llama_index"])
def test_framework_packages_import_nothing_private_from_yescale(package: str) -> None:
    private = [
        (where, module)
        for where, module in _imports(package)
        if module.startswith("yescale.") and any(p.startswith("_") for p in module.split(".")[1:])
    ]
    assert private == []


def test_integration_imports_neither_framework() -> None:
    code = (
        "import sys, yescale.integration as i\n"
        "for name in i.__all__: getattr(i, name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('langchain_core', 'llama_index', 'langchain_yescale', 'llama_index_yescale')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


RECURSIVE = {
    "$defs": {
        "Node": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "child": {"$ref": "#/$defs/Node"}},
            "required": ["name"],
        }
    },
    "$ref": "#/$defs/Node",
}


def test_gemini_json_output_one_rule_for_both_frameworks() -> None:
    flat = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    assert gemini_json_output(None) == {"response_mime_type": "application/json"}
    assert gemini_json_output(flat)["response_schema"]["type"] == "OBJECT"
    assert gemini_json_output(flat, "json_schema")["response_json_schema"] == flat
    assert gemini_json_output(flat, "either")["response_schema"]["type"] == "OBJECT"
    # what Gemini's subset cannot express: refused for responseSchema, sent as is for "either"
    with pytest.raises(InvalidRequestError, match="recursive"):
        gemini_json_output(RECURSIVE)
    assert gemini_json_output(RECURSIVE, "either") == {
        "response_mime_type": "application/json",
        "response_json_schema": RECURSIVE,
    }
    # an OpenAI response_format (a LlamaIndex llm_kwargs habit) goes the same way
    answer_format = {"type": "json_schema", "json_schema": {"name": "x", "schema": flat}}
    assert gemini_response_format(answer_format) == gemini_json_output(flat)
